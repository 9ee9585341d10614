from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ownership"
    verbose_name = "Entities and ownership"

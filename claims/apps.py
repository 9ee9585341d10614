from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Articles and claims"

    def ready(self) -> None:
        # Imported once the app registry is ready (it loads models): Django's place for signals.
        from claims import receivers

        receivers.connect()

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Articles and claims"

    def ready(self) -> None:
        # Imported once the app registry is ready (it loads models): Django's place for signals.
        from claims import receivers

        receivers.connect()
        # Stored suggestions follow every write that can change them (claims/materialised.py);
        # connected last, so they see what the receivers above wrote.
        from claims import materialised

        materialised.connect()

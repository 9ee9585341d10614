from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Articles and claims"

    def ready(self) -> None:
        # Imported once the app registry is ready (it loads models): Django's place for signals.
        from claims import receivers

        receivers.connect()
        # Stored suggestions follow every write that can change them (claims/materialised.py,
        # claims/materialised_receivers.py); connected last, so they see what the receivers
        # above wrote.
        from claims import materialised_receivers

        materialised_receivers.connect()
        # Token checks kept by the web processes are dropped when tokens, users, groups or
        # permissions change (plumbing has no app of its own).
        from plumbing import authentication

        authentication.connect()

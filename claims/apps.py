from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Articles and claims"

    def ready(self) -> None:
        # Archiving outcomes (sources) update evidence hints and pointers (claims).
        from claims import receivers
        from sources.signals import snapshot_archived, snapshot_failed

        snapshot_archived.connect(receivers.on_snapshot_archived, dispatch_uid="claims-archived")
        snapshot_failed.connect(receivers.on_snapshot_failed, dispatch_uid="claims-failed")
        # Domain register edits re-resolve the stored publisher of evidence on that domain.
        from claims.publisher_sync import connect_domain_receivers

        connect_domain_receivers()
        # Stored suggestions follow every write that can change them (claims/materialised.py);
        # connected last, so they see what the receivers above wrote.
        from claims import materialised

        materialised.connect()

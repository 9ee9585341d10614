"""`python manage.py load_seeds`: load the seed article, its claims and the entity register.

Idempotent: running it twice leaves the same rows. Rows that exist are left as editors left them
unless --update is given. Bad data is refused, naming the record, and nothing is changed.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.seeding import SEED_DIR, SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the seed article, its claims, entities, ownership and the outlet register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=SEED_DIR,
            help="Folder with the seed files (default: seeds/).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Let the files win: overwrite seeded rows that editors have changed since "
            "(review state is never touched). Without it, existing rows are left as they are.",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = load_seeds(options["dir"], update=options["update"])
        except SeedError as exc:
            raise CommandError(f"Seeds refused, nothing was changed: {exc}") from exc
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Seeds loaded: {report.summary()}."))
            for line in report.kept:
                self.stdout.write(f"  kept as edited: {line}")

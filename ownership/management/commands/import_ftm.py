"""`python manage.py import_ftm FILE`: FollowTheMoney JSON lines into the register.

Organisations are matched by identifiers, then by name (a candidate for an editor, never a
merge); edges keep their provenance; an edge an editor wrote is never replaced (a conflict is
recorded). One transaction: a malformed file is refused naming the line, nothing imported.
Re-importing the same file changes nothing. See docs/ownership-data.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ownership.ftm import parse_lines
from ownership.imports import write_import
from ownership.management.commands._progress import progress
from ownership.models import Ownership
from ownership.records import ImportRefused


class Command(BaseCommand):
    help = "Import FollowTheMoney JSON lines (Company, Organization, PublicBody, Ownership...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="An FtM JSON-lines file ('-' for stdin).")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8") as handle:
                orgs, edges, skipped = parse_lines(handle)
            summary = write_import(
                source=Ownership.Source.FTM,
                file_name=path.name,
                orgs=orgs,
                edges=edges,
                progress=progress,
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path} is not UTF-8 text ({exc.reason}); nothing imported"
            ) from exc
        except ImportRefused as exc:
            raise CommandError(f"{path.name} refused, nothing was imported: {exc}") from exc
        summary.skipped.update(skipped)
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary.line()}."))
        for note in summary.notes[:20]:
            self.stdout.write(f"  {note}")

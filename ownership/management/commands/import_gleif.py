"""`python manage.py import_gleif --relationships FILE [--exceptions FILE]` and/or
`--refresh LEI [LEI ...]` (the public GLEIF API; needs internet).

GLEIF Level 2 golden-copy relationship records (RR, CSV or JSON) and reporting exceptions for
the LEIs the desk knows. Consolidation edges are accounting consolidation, not shareholding,
and confer control in the chain rule (docs/ownership-data.md says why). One transaction:
a malformed file is refused naming the line, nothing imported; re-importing changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ownership.gleif import (
    GleifUnreachable,
    fetch_api_records,
    parse_exceptions,
    parse_relationships,
    write_gleif,
)
from ownership.imports import ImportRefused
from ownership.management.commands._progress import progress


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text ({exc.reason}); nothing imported") from exc


class Command(BaseCommand):
    help = "Import GLEIF Level 2 relationship records and reporting exceptions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--relationships", type=Path, help="Golden-copy RR file (CSV/JSON).")
        parser.add_argument("--exceptions", type=Path, help="Golden-copy reporting exceptions.")
        parser.add_argument(
            "--refresh",
            nargs="+",
            metavar="LEI",
            help="Fetch these LEIs' parents and exceptions from the public GLEIF API.",
        )

    def handle(self, *args, **options) -> None:
        if not (options["relationships"] or options["exceptions"] or options["refresh"]):
            raise CommandError("Give --relationships FILE, --exceptions FILE or --refresh LEI.")
        rels, excs, names = [], [], []
        try:
            if options["relationships"]:
                rels += parse_relationships(_read(options["relationships"]))
                names.append(options["relationships"].name)
            if options["exceptions"]:
                excs += parse_exceptions(_read(options["exceptions"]))
                names.append(options["exceptions"].name)
        except ImportRefused as exc:
            raise CommandError(
                f"{' / '.join(names) or 'file'} refused, nothing was imported: {exc}"
            ) from exc
        try:
            for lei in options["refresh"] or []:
                r, e = fetch_api_records(lei)
                rels += r
                excs += e
            if options["refresh"]:
                names.append(f"api.gleif.org {timezone.localdate().isoformat()}")
            summary = write_gleif(
                relationships=rels, exceptions=excs, file_name=" + ".join(names), progress=progress
            )
        except GleifUnreachable as exc:
            raise CommandError(f"GLEIF refresh failed, nothing was imported: {exc}.") from exc
        except ImportRefused as exc:
            raise CommandError(f"Refused, nothing was imported: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{' + '.join(names)}: {summary.line()}."))
        for line in summary.missing_parents[:20]:
            self.stdout.write(f"  parent not in the desk: {line}")
        for note in summary.notes[:20]:
            self.stdout.write(f"  {note}")

"""`python manage.py import_gleif --relationships FILE [--exceptions FILE]` and/or
`--refresh LEI [LEI ...]` (the public GLEIF API; needs internet).

GLEIF Level 2 golden-copy relationship records (RR) and reporting exceptions (repex), CSV or
JSON as GLEIF publishes them, for the LEIs the desk knows. The files are streamed (read row by
row, never whole) with a progress bar on stderr. Consolidation edges are accounting
consolidation, not shareholding, and confer control in the chain rule (docs/ownership-data.md
says why). One transaction: a malformed row is refused naming its line, nothing imported;
re-importing changes nothing.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ownership.gleif import (
    GleifUnreachable,
    fetch_api_records,
    read_exceptions,
    read_relationships,
    write_gleif,
)
from ownership.management.commands._progress import open_with_progress
from ownership.records import ImportRefused


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
        rels: list = []
        excs: list = []
        names: list[str] = []
        try:
            for lei in options["refresh"] or []:
                r, e = fetch_api_records(lei)
                rels += r
                excs += e
        except GleifUnreachable as exc:
            raise CommandError(f"GLEIF refresh failed, nothing was imported: {exc}.") from exc
        except ImportRefused as exc:
            raise CommandError(f"Refused, nothing was imported: {exc}") from exc
        with ExitStack() as stack:
            relationships, exceptions = iter(rels), iter(excs)
            if options["relationships"]:
                path = options["relationships"]
                handle = stack.enter_context(open_with_progress(path, "relationships"))
                relationships = _chain(rels, read_relationships(handle))
                names.append(path.name)
            if options["exceptions"]:
                path = options["exceptions"]
                handle = stack.enter_context(open_with_progress(path, "exceptions"))
                exceptions = _chain(excs, read_exceptions(handle))
                names.append(path.name)
            if options["refresh"]:
                names.append(f"api.gleif.org {timezone.localdate().isoformat()}")
            try:
                summary = write_gleif(
                    relationships=_named(relationships, options["relationships"]),
                    exceptions=_named(exceptions, options["exceptions"]),
                    file_name=" + ".join(names),
                )
            except _Refused as exc:
                raise CommandError(
                    f"{exc.file} refused, nothing was imported: {exc.__cause__}"
                ) from exc
        self.stdout.write(self.style.SUCCESS(f"{' + '.join(names)}: {summary.line()}."))
        for line in summary.missing_parents[:20]:
            self.stdout.write(f"  parent not in the desk: {line}")
        if len(summary.missing_parents) > 20:
            self.stdout.write(f"  ... and {len(summary.missing_parents) - 20} more")
        for note in summary.notes[:20]:
            self.stdout.write(f"  {note}")


class _Refused(Exception):
    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.file = file


def _chain(first, second):
    yield from first
    yield from second


def _named(records, path: Path | None):
    """The records, with a refusal re-raised naming the file it came from."""
    try:
        yield from records
    except ImportRefused as exc:
        raise _Refused(path.name if path else "the API answer") from exc

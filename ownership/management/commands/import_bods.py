"""`python manage.py import_bods FILE`: Beneficial Ownership Data Standard 0.4 statements
(a JSON array or JSON lines) into the register.

Entity and person statements become entities (matched by the file's record id seen before, our
own `reex-` ids, LEI, USCC, Wikidata id or web domain; otherwise created, with a match
candidate when the name equals an existing entity's); relationship statements become edges
that keep the statement's record id and source (exported back unchanged). The file is
streamed with a progress bar. One transaction: a malformed statement is refused naming it,
nothing imported; re-importing the same file changes nothing. See docs/ownership-data.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ownership.bods_read import parse_statements, read_statements
from ownership.imports import write_import
from ownership.management.commands._progress import open_with_progress
from ownership.models import Ownership
from ownership.records import ImportRefused


class Command(BaseCommand):
    help = "Import BODS 0.4 statements (entity, person and relationship statements)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A BODS 0.4 file: JSON array or JSON lines.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            with open_with_progress(path, "statements") as handle:
                orgs, edges, skipped = parse_statements(read_statements(handle))
            summary = write_import(
                source=Ownership.Source.BODS, file_name=path.name, orgs=orgs, edges=edges
            )
        except ImportRefused as exc:
            raise CommandError(f"{path.name} refused, nothing was imported: {exc}") from exc
        summary.skipped.update(skipped)
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary.line()}."))
        for note in summary.notes[:20]:
            self.stdout.write(f"  {note}")

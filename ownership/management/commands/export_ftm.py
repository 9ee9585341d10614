"""`python manage.py export_ftm [--entity SLUG|ID] [--depth N] [--output FILE]`

FollowTheMoney JSON lines of the whole register, or of one entity's neighbourhood (the
entities within N edges of it, owners and holdings alike, and the edges among them). An owned
entity is written as a Company: FtM lets only an Asset be owned (docs/ownership-data.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ownership.ftm import export_lines, neighbourhood, whole_graph
from ownership.models import Entity


def entity_by_ref(ref: str) -> Entity:
    entity = Entity.objects.filter(slug=ref).first()
    if entity is None and ref.isdigit():
        entity = Entity.objects.filter(pk=int(ref)).first()
    if entity is None:
        raise CommandError(f"No entity with slug or id {ref!r}.")
    return entity


class Command(BaseCommand):
    help = "Export FollowTheMoney JSON lines: the whole graph, or --entity's neighbourhood."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", help="Slug or id: export this entity's neighbourhood.")
        parser.add_argument("--depth", type=int, default=1, help="Edges from --entity (1).")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default stdout).")

    def handle(self, *args, **options) -> None:
        if options["depth"] < 0:
            raise CommandError("--depth is 0 or more.")
        if options["entity"]:
            entities, edges = neighbourhood(
                entity=entity_by_ref(options["entity"]), depth=options["depth"]
            )
        else:
            entities, edges = whole_graph()
        out = options["output"].open("w", encoding="utf-8") if options["output"] else self.stdout
        try:
            for line in export_lines(entities=entities, edges=edges):
                out.write(line + "\n")
        finally:
            if options["output"]:
                out.close()
        sys.stderr.write(f"{len(entities)} entities, {len(edges)} ownership edges.\n")

"""`manage.py recompute_suggestions [--check]`: rebuild every claim's stored suggestion
(claims/materialised.py), or with --check only compare them with a fresh computation."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from claims.materialised import suggestions_differences, suggestions_rebuild


class Command(BaseCommand):
    help = "Rebuild the stored suggestions of every claim; --check compares and reports only."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; list every stored suggestion that differs from a fresh "
            "computation and exit 1 when there is one.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        started = time.perf_counter()
        if check:
            differences = suggestions_differences()
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(
                    f"{len(differences)} stored suggestion(s) differ: run recompute_suggestions"
                )
            self.stdout.write(
                f"every stored suggestion equals a fresh computation "
                f"({time.perf_counter() - started:.1f} s)"
            )
            return
        n = suggestions_rebuild()
        self.stdout.write(
            f"{n} stored suggestion(s) rebuilt in {time.perf_counter() - started:.1f} s"
        )

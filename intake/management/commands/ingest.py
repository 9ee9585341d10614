"""`python manage.py ingest URL_OR_FILE [--url U] [--title T] [--update] [--no-propose]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from intake.ingest import IngestError, ingest


class Command(BaseCommand):
    help = (
        "Ingest an article from a URL (archived through the safe fetcher, synchronously) or a "
        "local .html/.txt/.pdf file, and propose its checkable claims. Re-ingesting the same "
        "article reports what differs and changes nothing unless --update is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", help="an http(s) URL, or a path to a .html, .txt or .pdf")
        parser.add_argument("--url", default="", help="for a file: where it was published")
        parser.add_argument(
            "--title",
            default="",
            help="the article's title (default: the page's title; for a file its first line "
            "when that reads like a title, else the PDF's title, else the file name)",
        )
        parser.add_argument(
            "--update", action="store_true", help="apply what differs from the stored article"
        )
        parser.add_argument(
            "--no-propose", action="store_true", help="do not run the claim proposer"
        )

    def handle(
        self, *args, source: str, url: str, title: str, update: bool, no_propose: bool, **options
    ):
        try:
            result = ingest(source, url=url, title=title, update=update, propose=not no_propose)
        except IngestError as exc:
            raise CommandError(str(exc)) from None
        article = result.article
        out = self.stdout
        if result.created:
            out.write(self.style.SUCCESS(f"Created article {article.key!r}: {article.title}"))
            outlet = article.outlet.name if article.outlet else "unknown (domain not registered)"
            out.write(
                f"  outlet: {outlet}; published on: {article.published_on or 'unknown'}; "
                f"{len(article.text):,} characters"
            )
        elif not result.differences:
            out.write(f"Article {article.key!r} is already here and nothing differs.")
        else:
            verb = "Updated" if result.updated else "Not updated (use --update to apply)"
            out.write(
                self.style.WARNING(f"{verb}: article {article.key!r} differs from the new copy:")
            )
            for line in result.differences:
                out.write(f"  {line}")
        for note in result.notes:
            out.write(self.style.WARNING(note))
        if result.proposals is not None:
            out.write(f"Proposals: {result.proposals.summary()}")

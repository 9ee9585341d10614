"""`python manage.py propose_claims ARTICLE_KEY ...`: run the claim proposer again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.models import Article
from intake.services.proposals import proposals_generate


class Command(BaseCommand):
    help = (
        "Propose checkable claims for articles (by key; --all for every article). Statements "
        "already proposed, and those editors rejected, are not proposed again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("keys", nargs="*")
        parser.add_argument("--all", action="store_true")

    def handle(self, *args, keys: list[str], all: bool, **options):
        if not keys and not all:
            raise CommandError("Name article keys, or --all.")
        articles = Article.objects.all() if all else Article.objects.filter(key__in=keys)
        missing = set(keys) - set(articles.values_list("key", flat=True))
        if missing:
            raise CommandError(f"No article with key(s): {', '.join(sorted(missing))}.")
        for article in tqdm(list(articles), disable=options["verbosity"] < 1, desc="articles"):
            run = proposals_generate(article=article)
            self.stdout.write(f"{article.key}: {run.summary()}")

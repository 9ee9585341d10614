"""`python manage.py create_api_consumer NAME [--days N] [--email E]`: create a partner's API
account (the `api-consumer` group only, no password) and print its first token, once.

Editors do the same in the admin (*API consumers* › *Add*); `issue_token NAME` gives an existing
consumer a further token.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.settings import knox_settings

from claims.services.consumers import CONSUMER_MAX_DAYS, consumer_create


class Command(BaseCommand):
    help = "Create an API consumer NAME (api-consumer group only) and print its token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The consumer's user name, e.g. partner-newsroom.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until the token expires (1–{CONSUMER_MAX_DAYS}; default {knox_settings.TOKEN_TTL.days}).",
        )
        parser.add_argument("--email", default="", help="Who to contact about this consumer.")

    def handle(self, *args, **options) -> None:
        try:
            issued = consumer_create(
                username=options["name"],
                email=options["email"],
                days=options["days"],
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"API consumer {issued.consumer.username} created (group api-consumer, no password: "
            f"it signs in nowhere). Token expires {issued.token.expiry:%Y-%m-%d %H:%M} UTC. "
            "It is shown only now: store it safely. Send it as 'Authorization: Token <key>'."
        )
        self.stdout.write(issued.key)

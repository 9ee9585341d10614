"""`python manage.py issue_token USER [--days N]`: print a new API token, once.

Knox stores only a hash of it; the token expires after N days (default: REEX_TOKEN_DAYS in settings);
a user may hold several; editors revoke them in the admin (Knox › Auth tokens).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from knox.models import AuthToken
from knox.settings import knox_settings

MAX_DAYS = 3650


class Command(BaseCommand):
    help = "Issue an API token for USER and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="The username the token acts as.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until it expires (1–{MAX_DAYS}; default {knox_settings.TOKEN_TTL.days}).",
        )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        username = options["user"]
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user named {username!r}. For a partner, create it with `manage.py create_api_consumer {username}` (or in the admin: API consumers › Add), which prints its first token."
            ) from None
        if not user.is_active:
            raise CommandError(
                f"User {username!r} is inactive; activate it before issuing a token."
            )
        days = options["days"]
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        expiry = timedelta(days=days) if days is not None else knox_settings.TOKEN_TTL
        instance, token = AuthToken.objects.create(user=user, expiry=expiry)
        groups = (
            ", ".join(user.groups.order_by("name").values_list("name", flat=True)) or "no groups"
        )
        self.stderr.write(
            f"Token for {username} ({groups}), expires {instance.expiry:%Y-%m-%d %H:%M} UTC. "
            "It is shown only now: store it safely. Send it as 'Authorization: Token <key>'."
        )
        self.stdout.write(token)

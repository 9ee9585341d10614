"""`python manage.py create_demo_users [--reset]`: a demo editor and reviewer for local use.

Passwords are random and printed once; only their hashes are stored. Never a fixed password.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERS = (("editor", "editor", True), ("reviewer", "reviewer", False))


def demo_password() -> str:
    """A random password (URL-safe alphabet) that starts with a letter or digit: one starting
    with `-` reads as an option when pasted after a command, and is easy to misread when
    printed."""
    while True:
        password = secrets.token_urlsafe(12)
        if password[0].isalnum():
            return password


class Command(BaseCommand):
    help = "Create a demo editor and reviewer with random passwords, printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Give existing demo users new passwords."
        )

    def handle(self, *args, **options) -> None:
        lines = []
        for username, group, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            user.groups.add(Group.objects.get(name=group))
            if user.is_staff != is_staff:
                user.is_staff = is_staff
                user.save(update_fields=["is_staff"])
            if created or options["reset"]:
                password = demo_password()
                user.set_password(password)
                user.save(update_fields=["password"])
                lines.append(f"  {username:<9} password: {password}")
            else:
                lines.append(
                    f"  {username:<9} (exists; `manage.py create_demo_users --reset` for a new password)"
                )
        self.stdout.write("Demo accounts (group = user name):\n" + "\n".join(lines))

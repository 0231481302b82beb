"""``manage.py apitoken <username> [--name NAME]``: print a fresh API token.

For integrators and benchmarks: the raw token goes to stdout alone (so
``TOKEN=$(manage.py apitoken bench)`` works) and is never stored or shown again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okno.accounts.models import User
from okno.accounts.services import issue_token
from okno.core.errors import OknoError


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (default: “cli”).")

    def handle(self, *args: Any, username: str, name: str = "", **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; an API token would not work.")
        try:
            _token, raw = issue_token(user, name or "cli")
        except OknoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)

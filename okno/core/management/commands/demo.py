"""Load demo data: a bank and a climate-equipment maker with months of appeals.

Everything is created through the real services at moments in the past, so the
timelines, numbers and search index look exactly like a lived-in installation.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okno.accounts.models import User


class Command(BaseCommand):
    help = "Create demo organisations, staff (password: demo), clients and appeal history."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--appeals", type=int, default=400, help="Appeals from clients (sub-cases come on top).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though users exist. Existing users with demo logins are reused, their passwords kept.",
        )

    def handle(self, *args: Any, appeals: int, seed: int, force: bool, **options: Any) -> None:
        from okno.core.demo.builder import PASSWORD, build_demo

        if appeals < 1:
            raise CommandError("--appeals must be at least 1.")
        if User.objects.exists() and not force:
            self.stdout.write(
                "Users already exist, so demo data was not loaded (it would mix with real data). "
                "Use --force to load it anyway."
            )
            return
        summary = build_demo(appeals=appeals, seed=seed, progress=options.get("verbosity", 1) > 0)
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {summary.seconds:.1f} s: {summary.users} users, {summary.clients} clients, "
                f"{summary.appeals} appeals and {summary.subcases} sub-cases ({statuses}), "
                f"{summary.messages} messages, {summary.events} events."
            )
        )
        self.stdout.write(
            f"Log in as admin, supervisor, agent, dispatcher, specialist or compliance; password: {PASSWORD}"
        )
        if summary.skipped:
            self.stderr.write(f"{summary.skipped} of {summary.steps} steps could not be replayed:")
            for error in summary.errors:
                self.stderr.write(f"  {error}")

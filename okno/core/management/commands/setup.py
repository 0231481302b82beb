"""Bring an installation up to date: migrate, add the shipped deadline policy presets
that are missing and, to an installation without one, the default mail acknowledgement
template, collect static files, compile translations if the tools are
there, and load demo data into an empty database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from okno.core import pdf


class Command(BaseCommand):
    help = "Migrate, collect static files and, on an empty database, load the demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Never load demo data.")

    def handle(self, *args: Any, no_demo: bool = False, **options: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        from okno.deadlines.presets import load_presets

        added = load_presets()
        self.stdout.write(f"Deadline policy presets: {added} added (shipped switched off).")
        from okno.channels.mail.services.mailboxes import load_default_template

        templates = load_default_template()
        self.stdout.write(f"Mail acknowledgement templates: {templates} added.")
        from okno.routing.services.presets import load_presets as load_routing_presets

        rules = load_routing_presets()
        self.stdout.write(f"Routing rule presets: {rules} added.")
        from okno.reports.regulator.services.layout import load_default_template as load_regulator_template

        regulator_templates = load_regulator_template()
        self.stdout.write(f"Regulator report templates: {regulator_templates} added.")
        if not pdf.can_render():
            self.stderr.write(
                "Warning: PDFs (regulator report, letters) need the Pango library, which this machine lacks. "
                "On Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0. Everything else works."
            )
        if not settings.DEBUG:
            self.stdout.write("Collecting static files…")
            call_command("collectstatic", interactive=False, verbosity=0)
        from okno.accounts.models import User

        if not no_demo and not User.objects.exists():
            self.stdout.write("Empty database: loading demo data (a minute at most)…")
            call_command("demo")

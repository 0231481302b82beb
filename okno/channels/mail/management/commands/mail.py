"""``manage.py mail``: import mail from files, run the mailbox listeners, process and
send what is waiting."""

from __future__ import annotations

import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import files, intake, outbox


class Command(BaseCommand):
    help = "Mail channel: ingest-files PATH..., listen, process, send."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest-files", help="Register .eml files, folders of them or mbox archives.")
        ingest.add_argument("paths", nargs="+")
        ingest.add_argument(
            "--mailbox", help="Treat the mail as received by this mailbox (its queue, kind, acknowledgements)."
        )
        sub.add_parser("listen", help="Read every active mailbox (IMAP IDLE) until stopped.")
        fetch = sub.add_parser(
            "fetch", help="Read mailboxes once (all active ones, or those named) and process the mail."
        )
        fetch.add_argument("names", nargs="*", help="Mailbox names (default: every active mailbox).")
        sub.add_parser("process", help="Process received mail waiting to be processed.")
        sub.add_parser("send", help="Send the mail waiting in the outbox.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "ingest-files":
            self._ingest(options["paths"], options.get("mailbox"))
        elif action == "listen":
            from okno.channels.mail import listener

            stop = threading.Event()
            try:
                listener.run(stop)
            except KeyboardInterrupt:
                stop.set()
        elif action == "fetch":
            self._fetch(options["names"])
        elif action == "process":
            counts = intake.process_pending()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in vars(counts).items()))
        elif action == "send":
            self.stdout.write(f"sent={outbox.send_due()}")

    def _fetch(self, names: list[str]) -> None:
        from okno.channels.mail import listener

        mailboxes = Mailbox.objects.filter(name__in=names) if names else Mailbox.objects.filter(is_active=True)
        found = list(mailboxes.exclude(imap_host=""))
        if names and len(found) != len(set(names)):
            raise CommandError("No such mailbox: " + ", ".join(sorted(set(names) - {m.name for m in found})))
        for mailbox in found:
            added = listener.fetch_once(mailbox, process=False)
            self.stdout.write(f"{mailbox.name}: {added} new")
        counts = intake.process_pending()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in vars(counts).items()))

    def _ingest(self, paths: list[str], mailbox_name: str | None) -> None:
        mailbox = None
        if mailbox_name:
            mailbox = Mailbox.objects.filter(name=mailbox_name).first()
            if mailbox is None:
                raise CommandError(f"No mailbox named {mailbox_name!r}.")
        try:
            mails = list(files.read_paths(paths))
        except FileNotFoundError as exc:
            raise CommandError(f"No such file or folder: {exc}") from None
        bar = tqdm(total=len(mails), desc="Mail", unit=" mails", file=sys.stderr, disable=not sys.stderr.isatty())
        summary = files.ingest(mails, mailbox=mailbox, progress=bar.update)
        bar.close()
        self.stdout.write(summary.line())

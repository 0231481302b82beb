"""Building the demo installation: ``DemoBuilder`` assembled from its parts, and ``build_demo``.

Reference data (queues, categories, products) and staff are written directly, as
an administrator would through the admin. Clients and every appeal go through the
real services, so events, numbering and the search index are exactly what live
use produces. History lies in the past: each step runs at its own moment under
``time_machine.travel``, steps of all appeals interleaved in time order.

The run is deterministic for a seed: all choices come from one ``random.Random``
and all times from the moment the run started.

Each part of the work is a mixin in a module of its own, over the shared state in
``base``: ``reference`` and ``clients`` write what appeals need, ``specs`` decides
every story, ``timeline`` turns stories into timed ``steps``, and ``texts`` fills
in what letters and replies say. ``records`` holds what they pass between them.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from tqdm import tqdm

from okno.appeals import delivery
from okno.appeals.models import Appeal, Event, Message
from okno.core.demo.clients import ClientsMixin
from okno.core.demo.common import ORGS, PASSWORD
from okno.core.demo.deadlines import setup_deadlines
from okno.core.demo.post import setup_post
from okno.core.demo.records import MERGED, Plan, Spec, Summary
from okno.core.demo.reference import ReferenceMixin
from okno.core.demo.reports import setup_saved_reports
from okno.core.demo.routing import setup_routing
from okno.core.demo.timeline import TimelineMixin
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.live.models import LiveMessage

# What ``manage.py demo`` and the tests import.
__all__ = ["ORGS", "PASSWORD", "DemoBuilder", "Spec", "Summary", "build_demo"]


@contextmanager
def _no_delivery() -> Iterator[None]:
    """Demo replies are recorded as sent; no channel plug-in may really send them."""
    saved = dict(delivery._senders)
    delivery._senders.clear()
    try:
        yield
    finally:
        delivery._senders.update(saved)


class DemoBuilder(TimelineMixin, ClientsMixin, ReferenceMixin):
    """Creates the demo organisations and ``appeals`` appeals of history."""

    def run(self) -> Summary:
        started = time.monotonic()
        with transaction.atomic(), _no_delivery():
            first_live = LiveMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
            self.build_reference()
            setup_deadlines()  # before any appeal, so their clocks start under the policies
            self.build_staff()
            self.build_clients()
            specs = self.make_specs()
            plans = [self.plan(s) for s in specs if s.end != MERGED]
            originals = list(plans)
            for spec in specs:
                if spec.end == MERGED:
                    plans.append(self.plan_duplicate(spec, originals))
            self.add_links(plans)
            self.execute(plans)
            setup_routing()
            setup_saved_reports()
            LiveMessage.objects.filter(id__gt=first_live).delete()
            self.count_up(plans)
        setup_post()  # after history, with the paper channel's sender in place: letters wait to be posted
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def execute(self, plans: list[Plan]) -> None:
        steps = [(at, n, k, step, plan) for n, plan in enumerate(plans) for k, (at, step) in enumerate(plan.steps)]
        steps.sort(key=lambda s: (s[0], s[1], s[2]))
        self.summary.steps = len(steps)
        # On a terminal only (disable=None): a log gets no bar.
        shown = None if self.progress else True
        bar = tqdm(total=len(steps), desc="Demo history", unit=" steps", disable=shown, file=sys.stderr)
        try:
            for at, _n, _k, step, plan in steps:
                try:
                    with time_machine.travel(at, tick=False):
                        step()
                except (Conflict, InvalidInput, NotFound, PermissionDenied) as exc:
                    self.summary.skipped += 1
                    if len(self.summary.errors) < 10:
                        self.summary.errors.append(f"{plan.spec.index}/{step.__name__}: {exc}")
                    if step.__name__ == "register":
                        plan.broken = True
                bar.update()
        finally:
            bar.close()

    def count_up(self, plans: list[Plan]) -> None:
        ids = [p.appeal_id for p in plans if p.appeal_id]
        self.summary.appeals = len(ids)
        self.summary.subcases = sum(1 for p in plans if p.subcase_id)
        everything = Appeal.objects.filter(pk__in=[*ids, *(p.subcase_id for p in plans if p.subcase_id)])
        self.summary.statuses = Counter(everything.values_list("status", flat=True))
        self.summary.messages = Message.objects.filter(appeal__in=everything).count()
        self.summary.events = Event.objects.filter(appeal__in=everything).count()


def build_demo(*, appeals: int = 400, seed: int = 1, progress: bool = True) -> Summary:
    """Create the demo installation; see :class:`DemoBuilder`."""
    return DemoBuilder(appeals=appeals, seed=seed, progress=progress).run()

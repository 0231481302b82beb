"""The builder's shared state and the seeded random choices of spans and working hours all its parts use."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from django.utils import timezone

from okno.accounts.models import User
from okno.appeals.models import Category, Kind
from okno.catalog.models import Product
from okno.core.demo.common import ORGS
from okno.core.demo.records import ClientRecord, Summary
from okno.queues.models import Queue

WINDOW_DAYS = 120

T = TypeVar("T")


class BuilderBase:
    """What every part of the builder works on: the installation made so far, one random
    stream for the seed, and ``now``, the moment all demo times are counted back from."""

    def __init__(self, *, appeals: int = 400, seed: int = 1, progress: bool = True) -> None:
        self.count = appeals
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=WINDOW_DAYS)
        self.summary = Summary()
        self.users: dict[str, User] = {}
        self.queues: dict[str, Queue] = {}
        self.queue_defs = {q.code: q for org in ORGS for q in org.queues}
        self.members: dict[str, list[User]] = {}
        self.categories: dict[str, Category] = {}
        self.products: dict[str, Product] = {}
        self.models: dict[str, str] = {}
        self.kinds: dict[str, Kind] = {}
        self.pools: dict[tuple[str, str], list[ClientRecord]] = {}
        self.shops: list[str] = []
        self.ascs: list[tuple[str, str]] = []  # (how letters name it, city)
        self.emails: set[str] = set()
        self.pace = 1.0

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = [k for k, w in weights.items() if w > 0]
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def between(self, low: timedelta, high: timedelta) -> timedelta:
        """A random span; shorter while a story is being squeezed into little time (``pace``)."""
        return (low + (high - low) * self.rng.random()) * self.pace

    def working(self, at: datetime) -> datetime:
        """``at``, or the next working morning if it falls outside 9:00–19:00 on a weekday."""
        local = timezone.localtime(at)
        jitter = self.rng.randint(0, 80)  # drawn either way: the random stream must not depend on the clock
        if local.weekday() < 5 and 9 <= local.hour < 19:
            return at
        day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        morning = local.replace(year=day.year, month=day.month, day=day.day, hour=9, minute=0, second=0)
        return morning + timedelta(minutes=jitter)

    def staff_after(self, at: datetime, low: timedelta, high: timedelta) -> datetime:
        return self.working(at + self.between(low, high))

"""Reading appeals: the filters, sorts and paging the inbox and the API share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from math import ceil
from typing import Any

from django.db.models import FETCH_PEERS, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Direction, Status
from okno.appeals.models import Appeal, Attachment, Category, Event, Message
from okno.appeals.services.search import filter_text
from okno.core.errors import InvalidInput

# Sort keys offered to people and the API, and what they mean. Every sort ends on
# the primary key so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "-priority": ("-priority_rank", "-created_at", "-id"),
    "priority": ("priority_rank", "created_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "-number": ("-year", "-seq"),
    "number": ("year", "seq"),
}
SORT_LABELS = {
    "-priority": gettext_lazy("Most urgent first"),
    "-created": gettext_lazy("Newest first"),
    "created": gettext_lazy("Oldest first"),
    "-updated": gettext_lazy("Recently updated"),
    "due": gettext_lazy("Due soonest"),
    "-number": gettext_lazy("Number, descending"),
    "number": gettext_lazy("Number, ascending"),
    "priority": gettext_lazy("Least urgent first"),
    "updated": gettext_lazy("Least recently updated"),
    "-due": gettext_lazy("Due latest"),
}
DEFAULT_SORT = "-priority"
OPEN = "open"  # pseudo-status: new, in work, waiting for the client


@dataclass
class AppealFilter:
    """What a list shows. Empty fields do not filter."""

    status: list[str] = field(default_factory=list)  # Status values or "open"
    queue: list[int] = field(default_factory=list)
    no_queue: bool = False
    assignee: list[int] = field(default_factory=list)
    unassigned: bool = False
    channel: list[str] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    category: int | None = None  # includes its subcategories
    product: int | None = None
    client: int | None = None
    tag: str = ""
    overdue: bool = False
    deadline: str = ""  # one of DEADLINE_FILTERS
    created_from: date | datetime | None = None
    created_to: date | datetime | None = None
    updated_from: date | datetime | None = None
    updated_to: date | datetime | None = None
    regulator: bool | None = None  # forwarded by the regulator (True) or not (False)
    text: str = ""

    def is_empty(self) -> bool:
        return self == AppealFilter()


def _start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


def _end(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.max))


# Open appeals by where their nearest deadline stands.
DEADLINE_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_today": gettext_lazy("Due today"),
    "at_risk": gettext_lazy("At risk"),
}
DEADLINE_FILTERS = tuple(DEADLINE_LABELS)


def end_of_today(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def deadline_condition(which: str, now: datetime) -> Q:
    """``overdue``: past due; ``due_today``: due between now and midnight;
    ``at_risk``: not yet due, but 80 % of the term is gone."""
    open_ = Q(status__in=Status.open_values())
    if which == "overdue":
        return open_ & Q(due_at__lt=now)
    if which == "due_today":
        return open_ & Q(due_at__gte=now, due_at__lte=end_of_today(now))
    return open_ & Q(due_risk_at__lte=now, due_at__gte=now)


def apply_filter(queryset: QuerySet[Appeal], flt: AppealFilter) -> QuerySet[Appeal]:
    qs = queryset
    if flt.status:
        statuses = set(flt.status)
        if OPEN in statuses:
            statuses.discard(OPEN)
            statuses.update(Status.open_values())
        unknown = statuses - set(Status.values)
        if unknown:
            raise InvalidInput(_("Unknown status: %(s)s.") % {"s": ", ".join(sorted(unknown))}, field="status")
        qs = qs.filter(status__in=sorted(statuses)) if len(statuses) > 1 else qs.filter(status=statuses.pop())
    if flt.queue or flt.no_queue:
        cond = Q(queue_id__in=flt.queue) if flt.queue else Q()
        if flt.no_queue:
            cond |= Q(queue__isnull=True)
        qs = qs.filter(cond)
    if flt.assignee or flt.unassigned:
        cond = Q(assignee_id__in=flt.assignee) if flt.assignee else Q()
        if flt.unassigned:
            cond |= Q(assignee__isnull=True)
        qs = qs.filter(cond)
    if flt.channel:
        qs = qs.filter(channel__in=flt.channel)
    if flt.kind:
        qs = qs.filter(kind_id__in=flt.kind)
    if flt.priority:
        qs = qs.filter(priority__in=flt.priority)
    if flt.category is not None:
        children = Category.objects.filter(parent_id=flt.category).values_list("id", flat=True)
        qs = qs.filter(Q(category_id=flt.category) | Q(category_id__in=children))
    if flt.product is not None:
        qs = qs.filter(product_id=flt.product)
    if flt.client is not None:
        qs = qs.filter(client_id=flt.client)
    if flt.tag:
        qs = qs.filter(tags__name=flt.tag)
    if flt.deadline and flt.deadline not in DEADLINE_FILTERS:
        raise InvalidInput(_("Unknown deadline filter: %(s)s.") % {"s": flt.deadline}, field="deadline")
    if flt.overdue or flt.deadline:
        qs = qs.filter(deadline_condition("overdue" if flt.overdue else flt.deadline, timezone.now()))
    if flt.created_from:
        qs = qs.filter(created_at__gte=_start(flt.created_from))
    if flt.created_to:
        qs = qs.filter(created_at__lte=_end(flt.created_to))
    if flt.updated_from:
        qs = qs.filter(updated_at__gte=_start(flt.updated_from))
    if flt.updated_to:
        qs = qs.filter(updated_at__lte=_end(flt.updated_to))
    if flt.regulator is not None:
        qs = qs.filter(regulator_forwarded=flt.regulator)
    if flt.text:
        qs = filter_text(qs, flt.text)
    return qs


def ordering(sort: str | None) -> tuple[str, ...]:
    key = sort or DEFAULT_SORT
    if key not in SORTS:
        raise InvalidInput(_("Unknown sort: %(s)s.") % {"s": key}, field="sort")
    return SORTS[key]


def list_appeals(user: User, flt: AppealFilter | None = None, sort: str | None = None) -> QuerySet[Appeal]:
    """The appeals ``user`` may see, filtered and sorted, with what a list row shows.

    The assignee and the client come in the same query. Kind, category, product and
    queue come by "fetch peers": the first row that needs its kind loads the kinds of
    the whole page in one small query. Joining all seven tables cost PostgreSQL 15 ms
    of planning per page (bench/README.md); either way the number of queries does
    not grow with the page.
    """
    qs = access.visible_appeals(user)
    if flt is not None:
        qs = apply_filter(qs, flt)
    return (
        qs.select_related("assignee", "client").fetch_mode(FETCH_PEERS).defer("description").order_by(*ordering(sort))
    )


@dataclass
class Page:
    items: Sequence[Any]
    number: int
    size: int
    total: int
    # True when counting stopped at the cap: there are more than ``total``.
    total_is_lower_bound: bool = False

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size)) if self.size else 1

    @property
    def has_next(self) -> bool:
        if self.total_is_lower_bound:
            return len(self.items) == self.size
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


MAX_PAGE_SIZE = 200


def paginate(queryset: QuerySet[Any], number: int = 1, size: int = 50, *, count_cap: int | None = None) -> Page:
    """One page and the total. With ``count_cap``, counting stops there (a person
    needs "more than 10 000", not the exact size of a queue's archive, and an exact
    count of a hundred thousand rows is the slowest part of a page); the pages
    past the cap still open."""
    if size < 1 or size > MAX_PAGE_SIZE:
        raise InvalidInput(_("Page size must be between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}, field="page_size")
    if number < 1:
        raise InvalidInput(_("Pages are numbered from 1."), field="page")
    unordered = queryset.order_by()
    total = unordered.count() if count_cap is None else unordered[: count_cap + 1].count()
    capped = count_cap is not None and total > count_cap
    start = (number - 1) * size
    items = list(queryset[start : start + size]) if capped or start < total else []
    if capped and 0 < len(items) < size:  # this page reaches the end: the total is known
        total, capped = start + len(items), False
    elif capped:
        total = max(count_cap or 0, start + len(items))
    return Page(items=items, number=number, size=size, total=total, total_is_lower_bound=capped)


@dataclass
class OpenCounts:
    """What the inbox sidebar shows: open appeals the user may see, per queue
    (``None``: no queue), and how many are theirs, unassigned, overdue."""

    per_queue: dict[int | None, int]
    mine: int
    unassigned: int
    overdue: int
    due_today: int = 0
    at_risk: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_queue.values())


def open_counts(user: User) -> OpenCounts:
    """All sidebar counts in one grouped query, read from ``appeal_open_idx``
    (status, queue, assignee, due_at, due_risk_at) without touching the table."""
    now = timezone.now()
    rows = (
        access.visible_appeals(user)
        .filter(status__in=Status.open_values())
        .order_by()
        .annotate(
            is_mine=Case(When(assignee_id=user.pk, then=Value(1)), default=Value(0)),
            is_unassigned=Case(When(assignee__isnull=True, then=Value(1)), default=Value(0)),
            is_late=Case(When(due_at__lt=now, then=Value(1)), default=Value(0)),
            is_today=Case(When(due_at__gte=now, due_at__lte=end_of_today(now), then=Value(1)), default=Value(0)),
            is_risky=Case(When(due_risk_at__lte=now, due_at__gte=now, then=Value(1)), default=Value(0)),
        )
        .values("queue_id", "is_mine", "is_unassigned", "is_late", "is_today", "is_risky")
        .annotate(n=Count("*"))
    )
    counts = OpenCounts(per_queue={}, mine=0, unassigned=0, overdue=0)
    for row in rows:
        n = row["n"]
        counts.per_queue[row["queue_id"]] = counts.per_queue.get(row["queue_id"], 0) + n
        counts.mine += n * row["is_mine"]
        counts.unassigned += n * row["is_unassigned"]
        counts.overdue += n * row["is_late"]
        counts.due_today += n * row["is_today"]
        counts.at_risk += n * row["is_risky"]
    return counts


def get_visible(user: User, *, number: str | None = None, pk: int | None = None) -> Appeal:
    """One appeal by number or id, if ``user`` may see it; otherwise ``NotFound``."""
    from okno.core.errors import NotFound

    qs = access.visible_appeals(user).select_related(
        "kind", "category", "category__parent", "product", "queue", "assignee", "client", "parent", "merged_into"
    )
    if number is not None:
        found = qs.filter(number=number).first()
    elif pk is not None:
        found = qs.filter(pk=pk).first()
    else:
        found = None
    if found is None:
        raise NotFound(_("Appeal not found."))
    return found


@dataclass
class TimelineEntry:
    """One line of an appeal's history: an event, a message, or an event that
    carries a message."""

    at: datetime
    event: Event | None = None
    message: Message | None = None


def timeline(appeal: Appeal) -> list[TimelineEntry]:
    """Events and messages in order, with authors and files loaded: a fixed number
    of queries however long the thread. Messages that arrived on another appeal and
    were merged into this one have their events there; they appear here as messages."""
    events = list(
        appeal.events.select_related(
            "actor", "related_appeal", "message", "message__author", "message__author_client", "message__approved_by"
        )
        .prefetch_related(Prefetch("message__attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    entries: list[TimelineEntry] = []
    shown: set[int] = set()
    for event in events:
        # A message is drawn once, at its first event; later events about it (approved,
        # sent) are plain lines.
        first = event.message_id is not None and event.message_id not in shown
        entries.append(TimelineEntry(at=event.created_at, event=event, message=event.message if first else None))
        if event.message_id is not None:
            shown.add(event.message_id)
    entries += [TimelineEntry(at=m.created_at, message=m) for m in messages_of(appeal).exclude(id__in=shown)]
    entries.sort(key=lambda entry: entry.at)
    return entries


def messages_of(appeal: Appeal) -> QuerySet[Message]:
    return (
        appeal.messages.select_related("author", "author_client", "approved_by")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def recent_messages(user: User, client_id: int, limit: int = 20) -> list[Message]:
    """The latest messages to and from a client on the appeals ``user`` may see,
    internal notes left out: the client card's history across channels."""
    visible = access.visible_appeals(user).filter(client_id=client_id).values("id")
    return list(
        Message.objects.filter(appeal_id__in=visible)
        .exclude(direction=Direction.NOTE)
        .select_related("appeal", "author", "author_client")
        .order_by("-created_at", "-id")[:limit]
    )

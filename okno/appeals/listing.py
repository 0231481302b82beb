"""The inbox's request parameters: parsed into ``queries.AppealFilter``, written
back as a query string for links, and remembered per user in ``ListSettings``.

Parameters (all optional, most repeatable): ``status`` (``open`` = new, in work,
waiting for the client), ``queue`` (ids, ``none``), ``assignee`` (``me``, ``none``,
ids), ``channel``, ``kind``, ``priority``, ``category``, ``product``, ``client``,
``tag``, ``overdue``, ``regulator`` (``1``: forwarded by the regulator, ``0``: not),
``q``, ``created_from``, ``created_to``, ``sort``, ``page``,
``page_size``. A value that makes no sense is dropped with a message for the
person; it never fails the page.

``ListSettings(list_name="inbox")`` keeps ``filters`` as ``{parameter: [values]}``
(the same names; ``assignee`` keeps ``me`` so the setting means "me" for whoever
reads it), ``sort``, ``page_size`` and ``columns``. The text search ``q`` and the
page number are not remembered: a search is a one-off, a filter is a way of working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import ListSettings, User
from okno.appeals import queries
from okno.appeals.choices import Channel, Priority, Status

LIST_NAME = "inbox"
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_TEXT = 200

COLUMNS: dict[str, Promise] = {
    "number": gettext_lazy("Number"),
    "received": gettext_lazy("Received"),
    "subject": gettext_lazy("Subject"),
    "client": gettext_lazy("Client"),
    "kind": gettext_lazy("Kind"),
    "category": gettext_lazy("Category"),
    "channel": gettext_lazy("Channel"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "queue": gettext_lazy("Queue"),
    "assignee": gettext_lazy("Assignee"),
    "due": gettext_lazy("Deadline"),
    "updated": gettext_lazy("Updated"),
}
DEFAULT_COLUMNS = ["number", "received", "subject", "client", "status", "priority", "queue", "assignee", "due"]

# Parameters that make up the filter (remembered, except the text search).
FILTER_PARAMS = (
    "status",
    "queue",
    "assignee",
    "channel",
    "kind",
    "priority",
    "category",
    "product",
    "client",
    "tag",
    "overdue",
    "deadline",
    "created_from",
    "created_to",
    "regulator",
    "q",
)
NOT_REMEMBERED = {"q"}
DEFAULT_FILTERS: dict[str, list[str]] = {"status": [queries.OPEN]}


@dataclass
class InboxState:
    """One request's view of the inbox: what to show and how to link back to it."""

    flt: queries.AppealFilter
    sort: str = queries.DEFAULT_SORT
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    # The valid parameters, normalised (no page): the filter as a query string.
    params: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def query(self, **replace: Any) -> QueryDict:
        """The state as a ``QueryDict``, with some parameters replaced."""
        qd = QueryDict(mutable=True)
        for name, values in self.params.items():
            qd.setlist(name, list(values))
        qd["sort"] = self.sort
        qd["page_size"] = str(self.page_size)
        for name, value in replace.items():
            if value is None:
                qd.pop(name, None)
            else:
                qd[name] = str(value)
        return qd

    @property
    def querystring(self) -> str:
        return self.query().urlencode()

    @property
    def page_querystring(self) -> str:
        """The query string of the page shown (the live refresh stays on it)."""
        return self.query(page=self.page if self.page > 1 else None).urlencode()

    def remembered(self) -> dict[str, Any]:
        filters = {name: values for name, values in self.params.items() if name not in NOT_REMEMBERED}
        return {"filters": filters, "sort": self.sort, "page_size": self.page_size}


def _int(value: str) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _date(value: str) -> date | None:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if 1900 <= parsed.year <= 2999 else None


def _values(params: QueryDict | dict[str, list[str]], name: str) -> list[str]:
    raw = params.getlist(name) if isinstance(params, QueryDict) else list(params.get(name) or [])
    seen: list[str] = []
    for value in raw:
        value = str(value).strip()
        if value and value not in seen:
            seen.append(value)
    return seen[:50]


def parse(params: QueryDict | dict[str, list[str]], user: User, *, columns: list[str] | None = None) -> InboxState:
    """Turn request parameters into a filter; bad values become messages."""
    flt = queries.AppealFilter()
    state = InboxState(flt=flt, columns=clean_columns(columns))
    ok: dict[str, list[str]] = {}

    def bad(label: str, value: str) -> None:
        state.errors.append(
            _("Ignored an unknown value of “%(param)s”: %(value)s") % {"param": label, "value": value[:40]}
        )

    for value in _values(params, "status"):
        if value == queries.OPEN or value in Status.values:
            flt.status.append(value)
            ok.setdefault("status", []).append(value)
        else:
            bad("status", value)
    for value in _values(params, "queue"):
        number = _int(value)
        if value == "none":
            flt.no_queue = True
        elif number is not None:
            flt.queue.append(number)
        else:
            bad("queue", value)
            continue
        ok.setdefault("queue", []).append(value)
    for value in _values(params, "assignee"):
        number = _int(value)
        if value == "me":
            flt.assignee.append(user.pk)
        elif value == "none":
            flt.unassigned = True
        elif number is not None:
            flt.assignee.append(number)
        else:
            bad("assignee", value)
            continue
        ok.setdefault("assignee", []).append(value)
    for name, allowed, target in (
        ("channel", set(Channel.values), flt.channel),
        ("priority", set(Priority.values), flt.priority),
    ):
        for value in _values(params, name):
            if value in allowed:
                target.append(value)
                ok.setdefault(name, []).append(value)
            else:
                bad(name, value)
    for value in _values(params, "kind"):
        number = _int(value)
        if number is None:
            bad("kind", value)
            continue
        flt.kind.append(number)
        ok.setdefault("kind", []).append(value)
    for name in ("category", "product", "client"):
        values = _values(params, name)
        if not values:
            continue
        number = _int(values[0])
        if number is None:
            bad(name, values[0])
            continue
        setattr(flt, name, number)
        ok[name] = [values[0]]
    tag = (_values(params, "tag") or [""])[0][:60]
    if tag:
        flt.tag = tag
        ok["tag"] = [tag]
    if (_values(params, "overdue") or [""])[0] in ("1", "on", "true", "yes"):
        flt.overdue = True
        ok["overdue"] = ["1"]
    regulator = (_values(params, "regulator") or [""])[0]
    if regulator in ("1", "0"):
        flt.regulator = regulator == "1"
        ok["regulator"] = [regulator]
    elif regulator:
        bad("regulator", regulator)
    deadline = (_values(params, "deadline") or [""])[0]
    if deadline in queries.DEADLINE_FILTERS:
        flt.deadline = deadline
        ok["deadline"] = [deadline]
    elif deadline:
        bad("deadline", deadline)
    for name in ("created_from", "created_to"):
        values = _values(params, name)
        if not values:
            continue
        parsed = _date(values[0])
        if parsed is None:
            state.errors.append(_("Ignored a date that is not a date: %(value)s") % {"value": values[0][:40]})
            continue
        setattr(flt, name, parsed)
        ok[name] = [parsed.isoformat()]
    text = " ".join((_values(params, "q") or [""])[0].split())[:MAX_TEXT]
    if text:
        flt.text = text
        ok["q"] = [text]

    sort = (_values(params, "sort") or [""])[0]
    if sort and sort not in queries.SORTS:
        state.errors.append(_("Ignored an unknown sort order: %(value)s") % {"value": sort[:40]})
    elif sort:
        state.sort = sort
    page = (_values(params, "page") or [""])[0]
    if page:
        number = _int(page)
        if number is None or number > 1_000_000:
            state.errors.append(_("Ignored a page number that is not a number: %(value)s") % {"value": page[:20]})
        else:
            state.page = number
    size = (_values(params, "page_size") or [""])[0]
    if size:
        number = _int(size)
        if number is None or number > queries.MAX_PAGE_SIZE:
            state.errors.append(
                _("The page size must be between 1 and %(max)s; showing %(n)s.")
                % {"max": queries.MAX_PAGE_SIZE, "n": DEFAULT_PAGE_SIZE}
            )
        else:
            state.page_size = number
    state.params = ok
    return state


def clean_columns(columns: list[str] | None) -> list[str]:
    chosen = [name for name in (columns or []) if name in COLUMNS]
    return list(dict.fromkeys(chosen)) or list(DEFAULT_COLUMNS)


def remembered_params(stored: ListSettings) -> dict[str, list[str]]:
    """The parameters a user's remembered settings stand for (the defaults if none)."""
    if stored.pk is None:
        params = {name: list(values) for name, values in DEFAULT_FILTERS.items()}
    else:
        params = {}
        filters = stored.filters if isinstance(stored.filters, dict) else {}
        for name, values in filters.items():
            if name in FILTER_PARAMS and name not in NOT_REMEMBERED:
                params[name] = [str(v) for v in (values if isinstance(values, list) else [values])]
    if stored.sort:
        params["sort"] = [stored.sort]
    if stored.page_size:
        params["page_size"] = [str(stored.page_size)]
    return params

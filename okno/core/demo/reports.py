"""Saved reports of the demo: what the bank's compliance officer and supervisor
would keep and have mailed (e-mail stays off until an SMTP host is set, so their
deliveries show as failed on the saved reports page until then)."""

from __future__ import annotations

from okno.accounts.models import User
from okno.reports.services import saved

# owner, name, report, filters, schedule
SAVED = (
    (
        "compliance",
        "Исходы за прошлый месяц",
        "outcomes",
        {"period": "last_month"},
        {"schedule": "monthly", "day_of_month": 1},
    ),
    (
        "compliance",
        "Текущие и просроченные обращения",
        "overdue",
        {"soon_days": "3"},
        {"schedule": "daily", "send_hour": 9},
    ),
    ("compliance", "Сроки ответов за квартал", "timeliness", {"period": "quarter"}, {"schedule": "off"}),
    (
        "supervisor",
        "Обращения по каналам",
        "volumes",
        {"period": "this_month", "group_by": "channel"},
        {"schedule": "weekly", "weekday": 0},
    ),
    (
        "supervisor",
        "Нагрузка сотрудников",
        "agents",
        {"period": "last_month", "group_by": "assignee"},
        {"schedule": "off"},
    ),
    (
        "supervisor",
        "Повторные обращения",
        "repeats",
        {"period": "last_12_months", "repeat_days": "30"},
        {"schedule": "off"},
    ),
)


def setup_saved_reports() -> int:
    """Create the demo's saved reports; returns how many."""
    made = 0
    for username, name, report, filters, schedule in SAVED:
        owner = User.objects.filter(username=username).first()
        if owner is None:
            continue
        recipients = [owner.email] if owner.email and schedule["schedule"] != "off" else []
        if schedule["schedule"] != "off" and not recipients:
            schedule = {"schedule": "off"}
        saved.create(owner, name=name, report=report, filters=filters, recipients=recipients, **schedule)
        made += 1
    return made

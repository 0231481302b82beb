"""Creating notifications as each person chose, pushing unread counts, reading and
marking them, each person seeing only their own."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from okno.core.errors import InvalidInput
from okno.live.models import LiveMessage
from okno.notifications import services
from okno.notifications.choices import EmailState, NotificationKind
from okno.notifications.models import Notification
from okno.testing import Org

REMINDER = NotificationKind.REMINDER
BREACH = NotificationKind.BREACH


@pytest.fixture(autouse=True)
def _database_live_feed(settings) -> None:
    """Live messages through the database feed (on PostgreSQL too), so tests can
    read what was pushed."""
    settings.LIVE_BACKEND = "database"


def pushed() -> list[tuple[dict, list[int], bool]]:
    """Live messages for the bell: (data, user ids, private)."""
    return [
        (m.data["data"], m.user_ids, m.data.get("private", False))
        for m in LiveMessage.objects.filter(event="notifications").order_by("id")
    ]


def test_defaults_in_app_for_all_and_e_mail_only_for_missed_deadlines(org: Org) -> None:
    prefs = services.preferences(org.anna)
    assert prefs[REMINDER] == (True, False)
    assert prefs[BREACH] == (True, True)
    assert prefs[NotificationKind.ESCALATION] == (True, True)
    assert prefs[NotificationKind.EXTENSION] == (True, False)
    assert prefs[NotificationKind.ASSIGNED] == (True, False)


def test_notify_follows_each_persons_choice(org: Org) -> None:
    appeal = org.appeal()
    services.set_preference(org.boris, BREACH, in_app=False, by_email=True)  # e-mail only
    services.set_preference(org.sergey, BREACH, in_app=False, by_email=False)  # not at all
    services.set_preference(org.dina, BREACH, in_app=True, by_email=False)  # the bell only

    created = services.notify(
        BREACH, [org.anna.pk, org.boris.pk, org.sergey.pk, org.dina.pk, org.anna.pk], appeal_id=appeal.pk
    )

    assert created == 3
    rows = {n.user_id: n for n in Notification.objects.filter(kind=BREACH)}
    assert set(rows) == {org.anna.pk, org.boris.pk, org.dina.pk}
    assert rows[org.anna.pk].read_at is None and rows[org.anna.pk].email_state == EmailState.PENDING
    assert rows[org.boris.pk].read_at is not None and rows[org.boris.pk].email_state == EmailState.PENDING
    assert rows[org.dina.pk].read_at is None and rows[org.dina.pk].email_state == EmailState.SKIPPED
    assert services.unread_count(org.boris) == 0
    assert services.unread_count(org.anna) == 1


def test_reminders_are_not_mailed_by_default(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk], params={"clock": "answer", "percent": 80})
    (row,) = Notification.objects.all()
    assert row.email_state == EmailState.SKIPPED and row.read_at is None


def test_inactive_people_get_nothing(org: Org) -> None:
    org.boris.is_active = False
    org.boris.save()
    assert services.notify(BREACH, [org.boris.pk, org.anna.pk]) == 1
    assert not Notification.objects.filter(user=org.boris).exists()


def test_an_unknown_kind_is_refused(org: Org) -> None:
    with pytest.raises(InvalidInput):
        services.notify("birthday", [org.anna.pk])
    with pytest.raises(InvalidInput):
        services.set_preference(org.anna, "birthday", True, True)


def test_the_bell_hears_the_new_count_privately(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk])
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    assert pushed() == [
        ({"unread": 1}, [org.anna.pk], True),
        ({"unread": 1}, [org.boris.pk], True),
        ({"unread": 2}, [org.anna.pk], True),
    ]


def test_e_mail_only_rows_do_not_ring_the_bell(org: Org) -> None:
    services.set_preference(org.anna, BREACH, in_app=False, by_email=True)
    services.notify(BREACH, [org.anna.pk])
    assert pushed() == []


def test_nothing_is_left_of_a_rolled_back_notify(org: Org) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.notify(REMINDER, [org.anna.pk]) == 1
        assert services.unread_count(org.anna) == 1  # visible inside the caller's transaction
        raise RuntimeError("the sweep failed")
    assert not Notification.objects.exists()
    assert pushed() == []


def test_announce_counts_in_one_query_and_groups_people_by_count(org: Org, django_assert_num_queries) -> None:
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    services.notify(REMINDER, [org.anna.pk])
    LiveMessage.objects.all().delete()
    with django_assert_num_queries(4):
        # One count; then one live message per distinct count.
        services.announce([org.anna.pk, org.boris.pk, org.sergey.pk])
    assert sorted(pushed(), key=lambda p: p[0]["unread"]) == [
        ({"unread": 0}, [org.sergey.pk], True),
        ({"unread": 1}, [org.boris.pk], True),
        ({"unread": 2}, [org.anna.pk], True),
    ]


def test_mark_read_touches_only_ones_own(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    services.notify(BREACH, [org.anna.pk])
    annas = list(Notification.objects.filter(user=org.anna).values_list("pk", flat=True))
    boris = Notification.objects.get(user=org.boris).pk

    assert services.mark_read(org.anna, [annas[0], boris]) == 1
    assert services.unread_count(org.anna) == 1
    assert services.unread_count(org.boris) == 1
    assert services.mark_read(org.anna, [annas[0]]) == 0  # already read: nothing changes

    assert services.mark_all_read(org.anna) == 1
    assert services.unread_count(org.anna) == 0
    assert services.unread_count(org.boris) == 1
    assert pushed()[-1] == ({"unread": 0}, [org.anna.pk], True)


def test_open_notification_marks_it_read_and_is_only_for_its_owner(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk])
    row = Notification.objects.get()
    assert services.open_notification(org.boris, row.pk) is None
    opened = services.open_notification(org.anna, row.pk)
    assert opened is not None and opened.pk == row.pk
    assert services.unread_count(org.anna) == 0


def test_list_is_newest_first_paged_by_cursor_and_filtered(org: Org) -> None:
    for _ in range(5):
        services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    mine = list(Notification.objects.filter(user=org.anna).order_by("-created_at", "-id").values_list("pk", flat=True))

    first = services.list_for(org.anna, limit=2)
    assert [n.pk for n in first] == mine[:2]
    second = services.list_for(org.anna, limit=2, before=first[-1].pk)
    assert [n.pk for n in second] == mine[2:4]
    rest = services.list_for(org.anna, limit=10, before=second[-1].pk)
    assert [n.pk for n in rest] == mine[4:]

    services.mark_read(org.anna, mine[:3])
    assert [n.pk for n in services.list_for(org.anna, unread_only=True)] == mine[3:]

    boris_row = Notification.objects.filter(user=org.boris).first()
    with pytest.raises(InvalidInput):
        services.list_for(org.anna, before=boris_row.pk)  # someone else's cursor


def test_preferences_can_be_changed_and_read_back(org: Org) -> None:
    services.set_preferences(org.anna, {REMINDER: (False, True), BREACH: (True, False)})
    prefs = services.preferences(org.anna)
    assert prefs[REMINDER] == (False, True)
    assert prefs[BREACH] == (True, False)
    assert services.preferences(org.boris)[REMINDER] == (True, False)  # nobody else's changed


def _select_people(*user_ids: int) -> tuple[str, list[int]]:
    placeholders = ", ".join(["%s"] * len(user_ids))
    json = (
        "json_build_object('clock', 'answer')"
        if connection.vendor == "postgresql"
        else "json_object('clock', 'answer')"
    )
    return (
        f"SELECT id AS user_id, NULL AS appeal_id, {json} AS params FROM accounts_user WHERE id IN ({placeholders})",
        list(user_ids),
    )


def test_set_based_insert_honours_preferences(org: Org) -> None:
    services.set_preference(org.boris, BREACH, in_app=False, by_email=True)
    services.set_preference(org.sergey, BREACH, in_app=False, by_email=False)
    services.set_preference(org.dina, BREACH, in_app=True, by_email=False)
    org.kira.is_active = False
    org.kira.save()
    sql, params = _select_people(org.anna.pk, org.boris.pk, org.sergey.pk, org.dina.pk, org.kira.pk)

    unread_users = services.insert_selected(BREACH, sql, params)

    assert unread_users == sorted([org.anna.pk, org.dina.pk])
    rows = {n.user_id: n for n in Notification.objects.all()}
    assert set(rows) == {org.anna.pk, org.boris.pk, org.dina.pk}
    assert rows[org.anna.pk].params == {"clock": "answer"}
    assert rows[org.anna.pk].email_state == EmailState.PENDING and rows[org.anna.pk].read_at is None
    assert rows[org.boris.pk].email_state == EmailState.PENDING and rows[org.boris.pk].read_at is not None
    assert rows[org.dina.pk].email_state == EmailState.SKIPPED
    assert rows[org.anna.pk].email_attempts == 0 and rows[org.anna.pk].created_at is not None

    services.announce(unread_users)
    assert ({"unread": 1}, sorted([org.anna.pk, org.dina.pk]), True) in pushed()


def test_set_based_insert_of_a_default_off_kind_skips_e_mail(org: Org) -> None:
    sql, params = _select_people(org.anna.pk)
    assert services.insert_selected(REMINDER, sql, params) == [org.anna.pk]
    assert Notification.objects.get().email_state == EmailState.SKIPPED


def test_prune_deletes_only_old_read_and_decided_rows(org: Org) -> None:
    from datetime import timedelta

    from django.utils import timezone

    services.notify(BREACH, [org.anna.pk, org.boris.pk, org.sergey.pk])
    services.notify(REMINDER, [org.anna.pk])
    rows = {(n.user_id, n.kind): n.pk for n in Notification.objects.all()}
    old = timezone.now() - timedelta(days=91)
    Notification.objects.update(created_at=old)
    Notification.objects.filter(user=org.anna).update(read_at=old, email_state=EmailState.SENT)
    # Boris read his, but its e-mail is still to go: it stays until decided.
    Notification.objects.filter(user=org.boris).update(read_at=old)
    # Anna's reminder is recent: it stays.
    Notification.objects.filter(pk=rows[(org.anna.pk, REMINDER)]).update(created_at=timezone.now())

    assert services.prune(batch=1) == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        rows[(org.anna.pk, REMINDER)],
        rows[(org.boris.pk, BREACH)],
        rows[(org.sergey.pk, BREACH)],  # unread, however old
    }

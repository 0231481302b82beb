"""Notification pages: the bell in every page's layout, its dropdown, following a
notification, the full list and the settings table."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.testing import Org

BREACH = NotificationKind.BREACH
REMINDER = NotificationKind.REMINDER


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def bell_count(html: str) -> str | None:
    """The badge's number, or None when it is hidden."""
    match = re.search(r'<span [^>]*id="okno-bell-count"([^>]*)>([^<]*)</span>', html)
    assert match, "no bell on the page"
    return None if "hidden" in match.group(1) else match.group(2)


def test_every_page_has_the_bell_with_my_unread_count(client: Client, org: Org) -> None:
    logged_in(client, org.anna)
    assert bell_count(client.get(reverse("appeals:inbox")).content.decode()) is None
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    services.notify(BREACH, [org.anna.pk])
    html = client.get(reverse("appeals:inbox")).content.decode()
    assert bell_count(html) == "2"
    assert 'hx-trigger="sse:notifications, okno:refresh"' in html
    assert bell_count(client.get(reverse("notifications:bell")).content.decode()) == "2"


def test_the_badge_stops_at_99(client: Client, org: Org) -> None:
    Notification.objects.bulk_create(Notification(user=org.anna, kind=REMINDER) for _ in range(120))
    assert bell_count(logged_in(client, org.anna).get(reverse("notifications:bell")).content.decode()) == "99+"


def test_the_dropdown_lists_my_latest_ten(client: Client, org: Org) -> None:
    appeal = org.appeal()
    for _ in range(12):
        services.notify(REMINDER, [org.anna.pk], appeal_id=appeal.pk, params={"clock": "answer", "percent": 75})
    services.notify(BREACH, [org.boris.pk])
    html = logged_in(client, org.anna).get(reverse("notifications:menu")).content.decode()
    opened = re.findall(r'href="/notifications/(\d+)/open/"', html)
    assert len(opened) == 10
    assert {int(pk) for pk in opened} <= set(Notification.objects.filter(user=org.anna).values_list("pk", flat=True))
    assert appeal.number in html and appeal.subject in html


def test_following_a_notification_opens_the_appeal_and_reads_it(client: Client, org: Org) -> None:
    appeal = org.appeal()
    services.notify(BREACH, [org.anna.pk], appeal_id=appeal.pk)
    row = Notification.objects.get()
    response = logged_in(client, org.anna).get(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:detail", args=[appeal.number])
    assert services.unread_count(org.anna) == 0


def test_someone_elses_notification_is_not_found(client: Client, org: Org) -> None:
    services.notify(BREACH, [org.boris.pk])
    row = Notification.objects.get()
    assert logged_in(client, org.anna).get(reverse("notifications:open", args=[row.pk])).status_code == 404
    client.post(reverse("notifications:read", args=[row.pk]))
    assert services.unread_count(org.boris) == 1


def test_a_notification_without_an_appeal_leads_to_the_list(client: Client, org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk])
    row = Notification.objects.get()
    response = logged_in(client, org.anna).get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_from_the_dropdown_returns_a_quiet_bell(client: Client, org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk])
    response = logged_in(client, org.anna).post(reverse("notifications:read_all"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert bell_count(response.content.decode()) is None
    assert services.unread_count(org.anna) == 0


def test_the_list_filters_unread_and_pages(client: Client, org: Org) -> None:
    for _ in range(53):
        services.notify(REMINDER, [org.anna.pk])
    services.notify(BREACH, [org.boris.pk])
    logged_in(client, org.anna)

    first = client.get(reverse("notifications:list")).content.decode()
    shown = re.findall(r'data-notification="(\d+)"', first)
    assert len(shown) == 50
    older = re.search(r'id="older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    rest = re.findall(r'data-notification="(\d+)"', client.get(older).content.decode())
    assert len(rest) == 3 and not set(rest) & set(shown)

    client.post(reverse("notifications:read", args=[int(shown[0])]), {"next": "/notifications/?unread=1"})
    unread = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert shown[0] not in re.findall(r'data-notification="(\d+)"', unread)

    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")
    assert services.unread_count(org.anna) == 0


def test_a_foreign_cursor_is_ignored(client: Client, org: Org) -> None:
    services.notify(BREACH, [org.boris.pk])
    row = Notification.objects.get()
    response = logged_in(client, org.anna).get(reverse("notifications:list") + f"?before={row.pk}")
    assert response.status_code == 302


def test_settings_table_saves_every_kind(client: Client, org: Org) -> None:
    logged_in(client, org.anna)
    html = client.get(reverse("notifications:settings")).content.decode()
    assert 'name="deadline_breach:by_email" id="pref-deadline_breach-by_email"' in html
    assert re.search(r'name="deadline_breach:by_email"[^>]*checked', html)
    assert not re.search(r'name="deadline_reminder:by_email"[^>]*checked', html)

    response = client.post(
        reverse("notifications:settings"),
        {"deadline_reminder:in_app": "on", "deadline_reminder:by_email": "on", "deadline_breach:by_email": "on"},
    )

    assert response.status_code == 302
    prefs = services.preferences(org.anna)
    assert prefs[REMINDER] == (True, True)
    assert prefs[BREACH] == (False, True)
    assert prefs[NotificationKind.ASSIGNED] == (False, False)


def test_the_profile_links_to_the_settings(client: Client, org: Org) -> None:
    html = logged_in(client, org.anna).get(reverse("accounts:profile")).content.decode()
    assert 'id="notification-settings-link"' in html


@pytest.mark.parametrize("name", ["notifications:list", "notifications:bell", "notifications:settings"])
def test_signed_out_people_go_to_the_login(client: Client, db, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

"""The notifications API: each person reads and marks only their own."""

from __future__ import annotations

from okno.notifications import services
from okno.notifications.choices import NotificationKind
from okno.notifications.models import Notification
from okno.testing import Org
from okno.testing_api import ApiClient

BREACH = NotificationKind.BREACH
REMINDER = NotificationKind.REMINDER


def test_without_credentials_it_is_a_401(db) -> None:
    assert ApiClient().get("/notifications").status_code == 401
    assert ApiClient().get("/notifications/unread-count").status_code == 401


def test_i_see_only_my_own_notifications(org: Org) -> None:
    appeal = org.appeal()
    services.notify(BREACH, [org.anna.pk], appeal_id=appeal.pk, params={"clock": "answer"})
    services.notify(REMINDER, [org.boris.pk], params={"clock": "answer", "percent": 80})

    response = ApiClient(org.anna).get("/notifications")

    assert response.status_code == 200
    (item,) = response.json()
    assert item["kind"] == BREACH
    # No Accept-Language: Russian.
    assert item["title"] == "Срок нарушен"
    assert item["text"] == "Срок для ответа нарушен."
    assert item["appeal"] == {"id": appeal.pk, "number": appeal.number, "subject": appeal.subject}
    assert item["url"] == f"/appeals/{appeal.number}/"
    assert item["read_at"] is None
    assert ApiClient(org.anna).get("/notifications/unread-count").json() == {"unread": 1}
    assert [n["kind"] for n in ApiClient(org.boris).get("/notifications").json()] == [REMINDER]


def test_the_language_follows_the_request(org: Org) -> None:
    services.notify(BREACH, [org.anna.pk], params={"clock": "answer"})
    api = ApiClient(org.anna)
    assert api.get("/notifications", headers={"Accept-Language": "en"}).json()[0]["title"] == "Deadline missed"
    russian = api.get("/notifications", headers={"Accept-Language": "ru"}).json()[0]
    assert (russian["title"], russian["text"]) == ("Срок нарушен", "Срок для ответа нарушен.")


def test_an_appeal_i_no_longer_see_keeps_its_number_but_not_its_subject(org: Org) -> None:
    appeal = org.appeal(queue=org.support, actor=org.boris)
    services.notify(BREACH, [org.anna.pk], appeal_id=appeal.pk)

    (item,) = ApiClient(org.anna).get("/notifications").json()

    assert item["appeal"] == {"id": appeal.pk, "number": appeal.number, "subject": ""}
    assert item["url"] == ""


def test_paging_and_the_unread_filter(org: Org) -> None:
    for _ in range(5):
        services.notify(REMINDER, [org.anna.pk])
    api = ApiClient(org.anna)
    first = api.get("/notifications", {"limit": 2}).json()
    second = api.get("/notifications", {"limit": 2, "before": first[-1]["id"]}).json()
    assert len(first) == len(second) == 2
    assert first[-1]["id"] > second[0]["id"]

    assert api.post("/notifications/read", {"ids": [first[0]["id"], first[1]["id"]]}).json() == {
        "marked": 2,
        "unread": 3,
    }
    unread = api.get("/notifications", {"unread": "true"}).json()
    assert len(unread) == 3 and all(n["read_at"] is None for n in unread)


def test_bad_paging_input_is_a_4xx(org: Org) -> None:
    services.notify(REMINDER, [org.boris.pk])
    boris_row = Notification.objects.get(user=org.boris).pk
    api = ApiClient(org.anna)
    assert api.get("/notifications", {"limit": 0}).status_code == 422
    assert api.get("/notifications", {"limit": 10_000}).status_code == 422
    response = api.get("/notifications", {"before": boris_row})
    assert response.status_code == 400 and response.json()["field"] == "before"


def test_i_cannot_mark_someone_elses_notifications(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    boris_row = Notification.objects.get(user=org.boris).pk

    response = ApiClient(org.anna).post("/notifications/read", {"ids": [boris_row]})

    assert response.json() == {"marked": 0, "unread": 1}
    assert services.unread_count(org.boris) == 1


def test_read_all_is_mine_only(org: Org) -> None:
    services.notify(REMINDER, [org.anna.pk, org.boris.pk])
    services.notify(BREACH, [org.anna.pk])
    assert ApiClient(org.anna).post("/notifications/read-all").json() == {"marked": 2, "unread": 0}
    assert services.unread_count(org.boris) == 1


def test_mark_read_wants_ids(org: Org) -> None:
    api = ApiClient(org.anna)
    assert api.post("/notifications/read", {"ids": []}).status_code == 422
    assert api.post("/notifications/read", {"ids": ["x"]}).status_code == 422
    assert api.post("/notifications/read", {"ids": [1], "all": True}).status_code == 422


def test_preferences_read_and_change(org: Org) -> None:
    api = ApiClient(org.anna)
    prefs = {p["kind"]: p for p in api.get("/notifications/preferences").json()}
    assert set(prefs) == set(NotificationKind.values)
    assert (prefs[BREACH]["in_app"], prefs[BREACH]["by_email"]) == (True, True)
    assert prefs[BREACH]["label"] == "Срок нарушен"
    english = api.get("/notifications/preferences", headers={"Accept-Language": "en"}).json()
    assert {p["kind"]: p["label"] for p in english}[BREACH] == "Deadline missed"

    response = api.put("/notifications/preferences", [{"kind": REMINDER, "in_app": False, "by_email": True}])

    assert response.status_code == 200
    changed = {p["kind"]: (p["in_app"], p["by_email"]) for p in response.json()}
    assert changed[REMINDER] == (False, True)
    assert changed[BREACH] == (True, True)  # left out: unchanged
    assert services.preferences(org.anna)[REMINDER] == (False, True)
    assert services.preferences(org.boris)[REMINDER] == (True, False)


def test_unknown_kinds_in_preferences_are_refused(org: Org) -> None:
    api = ApiClient(org.anna)
    response = api.put("/notifications/preferences", [{"kind": "birthday", "in_app": True, "by_email": True}])
    assert response.status_code == 422
    assert api.put("/notifications/preferences", {"kind": REMINDER}).status_code == 422

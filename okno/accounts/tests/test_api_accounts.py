"""Me, the staff list, personal tokens and remembered list settings, through the API;
and the ``apitoken`` command integrators use."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from okno.accounts.models import ApiToken, ListSettings
from okno.testing_api import ApiClient


def test_me_tells_role_queues_and_what_i_may_do(org):
    me = ApiClient(org.sergey).get("/me").json()
    assert (me["username"], me["role"], me["name"]) == ("sergey", "supervisor", "Орлов С.")
    assert [q["id"] for q in me["queues"]] == [org.claims.pk]
    assert (me["can_register"], me["can_assign_anyone"], me["can_approve"], me["is_admin"]) == (True, True, True, False)
    kira = ApiClient(org.kira).get("/me").json()
    assert (kira["can_register"], kira["can_approve"]) == (False, False)
    assert ApiClient(org.adam).get("/me").json()["is_admin"] is True


def test_the_staff_list_filters_by_role_queue_and_text(org):
    api = ApiClient(org.anna)
    assert {u["username"] for u in api.get("/users").json()} >= {"anna", "boris", "adam"}
    assert [u["username"] for u in api.get("/users", {"role": "supervisor"}).json()] == ["sergey"]
    assert {u["username"] for u in api.get("/users", {"queue": org.support.pk}).json()} == {"boris", "spec"}
    assert [u["username"] for u in api.get("/users", {"q": "смирн"}).json()] == ["anna"]
    org.boris.is_active = False
    org.boris.save()
    assert "boris" not in {u["username"] for u in api.get("/users").json()}
    assert [u["username"] for u in api.get("/users", {"active": "false"}).json()] == ["boris"]
    assert api.get("/users", {"role": "king"}).status_code == 422


def test_a_token_is_shown_once_then_listed_by_prefix_and_revoked(org):
    api = ApiClient(org.anna)
    created = api.post("/me/tokens", {"name": "CRM"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("okno_") and created.json()["key_prefix"] == raw[:12]
    listed = {t["name"]: t for t in api.get("/me/tokens").json()}
    assert "token" not in listed["CRM"] and listed["CRM"]["is_usable"] is True
    assert ApiClient(token=raw).get("/me").json()["username"] == "anna"
    assert api.delete(f"/me/tokens/{created.json()['id']}").status_code == 204
    assert ApiClient(token=raw).get("/me").status_code == 401
    assert api.delete(f"/me/tokens/{created.json()['id']}").status_code == 204  # again: harmless


def test_tokens_of_others_are_not_mine_to_see_or_revoke(org):
    theirs, _raw = ApiToken.issue(org.boris, "boris-laptop")
    api = ApiClient(org.anna)
    assert "boris-laptop" not in [t["name"] for t in api.get("/me/tokens").json()]
    assert api.delete(f"/me/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"name": ""}, 422), ({"name": "   "}, 400), ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, 400)],
)
def test_a_token_needs_a_name_and_a_future_expiry(org, payload, status):
    assert ApiClient(org.anna).post("/me/tokens", payload).status_code == status


def test_list_settings_default_then_remembered(org):
    api = ApiClient(org.anna)
    blank = api.get("/me/list-settings/inbox").json()
    assert blank == {
        "list_name": "inbox",
        "columns": [],
        "filters": {},
        "sort": "",
        "page_size": 50,
        "updated_at": None,
    }
    saved = api.put(
        "/me/list-settings/inbox",
        {"columns": ["number", "subject"], "filters": {"status": ["open"]}, "sort": "-created", "page_size": 100},
    )
    assert saved.status_code == 200, saved.content
    again = api.get("/me/list-settings/inbox").json()
    assert (again["columns"], again["filters"], again["sort"], again["page_size"]) == (
        ["number", "subject"],
        {"status": ["open"]},
        "-created",
        100,
    )
    assert ApiClient(org.boris).get("/me/list-settings/inbox").json()["columns"] == []
    assert ListSettings.objects.get(user=org.anna).list_name == "inbox"


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("inbox", {"page_size": 0}),
        ("inbox", {"page_size": 500}),
        ("inbox", {"filters": {"text": "x" * 30_000}}),
        ("inbox", {"columns": "number"}),
        ("inbox", {"owner": 1}),
        ("Inbox!", {}),
        ("x" * 60, {}),
    ],
)
def test_list_settings_refuse_odd_values(org, name, payload):
    assert ApiClient(org.anna).put(f"/me/list-settings/{name}", payload).status_code == 422


def test_the_apitoken_command_prints_a_working_token(org):
    out = StringIO()
    call_command("apitoken", "anna", "--name", "bench", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("okno_") and "\n" not in raw
    assert ApiToken.objects.get(user=org.anna).name == "bench"
    assert ApiClient(token=raw).get("/me").json()["username"] == "anna"


def test_the_apitoken_command_refuses_unknown_and_inactive_users(org):
    with pytest.raises(CommandError):
        call_command("apitoken", "nobody", stdout=StringIO())
    org.anna.is_active = False
    org.anna.save()
    with pytest.raises(CommandError):
        call_command("apitoken", "anna", stdout=StringIO())

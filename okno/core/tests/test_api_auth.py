"""Who gets into /api/v1/: personal tokens, sessions with CSRF, and nobody else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okno.accounts.models import ApiToken
from okno.accounts.services import authenticate_token, issue_token
from okno.testing_api import API, ApiClient


def test_a_request_without_credentials_is_401_and_says_how_to_authenticate(org):
    response = Client().get(f"{API}/appeals")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


def test_a_personal_token_lets_its_owner_in(org):
    response = ApiClient(org.anna).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "anna"


def test_checking_a_token_is_one_query_once_it_was_used_this_minute(org):
    _token, raw = issue_token(org.anna, "bench")
    assert authenticate_token(raw) == org.anna  # first use records last_used_at
    with CaptureQueriesContext(connection) as ctx:
        assert authenticate_token(raw) == org.anna
    assert len(ctx.captured_queries) == 1
    assert "accounts_user" in ctx.captured_queries[0]["sql"]  # the user comes in the same query


def test_last_use_is_written_at_most_once_a_minute(org):
    token, raw = issue_token(org.anna, "bench")
    api = ApiClient(token=raw)
    api.get("/me")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_a_revoked_token_is_refused(org):
    token, raw = issue_token(org.anna, "old")
    token.revoked_at = timezone.now()
    token.save()
    assert ApiClient(token=raw).get("/me").status_code == 401


def test_an_expired_token_is_refused(org):
    token, raw = issue_token(org.anna, "old", expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(token=raw).get("/me").status_code == 401


def test_the_token_of_an_inactive_user_is_refused(org):
    _token, raw = issue_token(org.anna, "laptop")
    org.anna.is_active = False
    org.anna.save()
    assert ApiClient(token=raw).get("/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer okno_", "Bearer okno_nope", "Bearer x" * 300])
def test_a_malformed_or_unknown_token_is_refused(org, header):
    response = Client().get(f"{API}/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_bad_token_is_refused_even_alongside_a_valid_session(org):
    client = Client()
    client.force_login(org.anna)
    assert client.get(f"{API}/me").status_code == 200
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer okno_wrong"}).status_code == 401


def test_token_requests_need_no_csrf_token(org):
    api = ApiClient(org.anna)
    api.client = Client(enforce_csrf_checks=True)
    response = api.post("/appeals", {"subject": "Без CSRF", "queue": org.claims.pk})
    assert response.status_code == 201


def _session(user, csrf: bool = True) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_a_session_reads_without_a_csrf_token(org):
    client = _session(org.anna)
    assert client.get(f"{API}/appeals").status_code == 200


def test_a_session_needs_the_csrf_token_to_change_anything(org):
    client = _session(org.anna)
    body = json.dumps({"subject": "Сессия", "queue": org.claims.pk})
    refused = client.post(f"{API}/appeals", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get(f"{API}/docs")  # any page that renders the token sets the cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(f"{API}/appeals", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_a_session_of_a_deactivated_user_gets_nothing(org):
    client = _session(org.anna)
    org.anna.is_active = False
    org.anna.save()
    assert client.get(f"{API}/me").status_code == 401


def test_an_unauthenticated_post_is_401_not_a_csrf_failure(org):
    response = Client(enforce_csrf_checks=True).post(f"{API}/appeals", "{}", content_type="application/json")
    assert response.status_code == 401

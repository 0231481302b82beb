"""Signing in and out, the lock-out page, the profile: language and API tokens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okno.accounts.models import ApiToken
from okno.accounts.services import authenticate_token
from okno.testing import PASSWORD, Org


def test_login_page(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"sse-connect" not in response.content  # no live stream before signing in


def test_login_and_logout(client: Client, org: Org) -> None:
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:inbox")
    assert client.get(reverse("appeals:inbox")).status_code == 200
    # Already signed in: the login page sends you on.
    assert client.get(reverse("accounts:login")).status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("appeals:inbox")).status_code == 302


def test_login_brings_the_users_language(client: Client, org: Org) -> None:
    org.anna.language = "en"
    org.anna.save()
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_wrong_password_and_lock_out(client: Client, org: Org) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login"), {"username": "anna", "password": "wrong"})
        assert response.status_code == 200
        assert b"alert-danger" in response.content
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": "wrong"})
    assert response.status_code == 429
    assert b"okno-login" in response.content and b"bi-shield-lock" in response.content
    # Even the right password waits until the lock expires.
    response = client.post(reverse("accounts:login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize("persona", ["anna", "kira", "adam"])
def test_profile_shows_role_and_queues(client: Client, org: Org, persona: str) -> None:
    user = getattr(org, persona)
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert user.get_role_display() in html
    for queue in user.queues.all():
        assert queue.name in html


def test_language_is_remembered_on_the_account(client: Client, org: Org) -> None:
    client.force_login(org.anna)
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == "/clients/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    org.anna.refresh_from_db()
    assert org.anna.language == "en"
    assert b'lang="en"' in client.get(reverse("accounts:profile")).content
    response = client.post(reverse("accounts:language"), {"language": ""})
    org.anna.refresh_from_db()
    assert org.anna.language == ""
    response = client.post(reverse("accounts:language"), {"language": "de"})
    assert response.status_code == 302


def test_anonymous_language_switch(client: Client, db: None) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert b'lang="en"' in client.get(reverse("accounts:login")).content


def test_token_is_shown_once_and_works(client: Client, org: Org) -> None:
    client.force_login(org.anna)
    response = client.post(reverse("accounts:token_create"), {"name": "CRM"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    raw = html.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("okno_")
    assert authenticate_token(raw) == org.anna
    assert raw not in client.get(reverse("accounts:profile")).content.decode()
    token = ApiToken.objects.get(user=org.anna)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    assert authenticate_token(raw) is None


def test_token_errors_and_foreign_tokens(client: Client, org: Org) -> None:
    client.force_login(org.anna)
    assert client.post(reverse("accounts:token_create"), {"name": ""}).status_code == 400
    response = client.post(reverse("accounts:token_create"), {"name": "old", "expires_on": "2001-01-01"})
    assert response.status_code == 400
    other, _raw = ApiToken.issue(org.boris, "Boris's")
    assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None

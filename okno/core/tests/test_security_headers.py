"""The usual secure headers always; HSTS, secure cookies and the https redirect
when Okno is served over TLS (``OKNO_HTTPS=true``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from okno.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def test_every_page_sends_the_secure_headers(client, org):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response


def test_the_session_cookie_is_not_readable_by_scripts(client, org):
    response = client.post("/accounts/login/", {"username": "anna", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # plain http in tests; see the TLS case below


PROBE = """
import json, django
django.setup()
from django.test import Client
from django.conf import settings
secure = Client().get("/accounts/login/", secure=True)
plain = Client().get("/accounts/login/")
print(json.dumps({
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
}))
"""


def test_over_tls_hsts_secure_cookies_and_redirect(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "OKNO_HTTPS": "true",
        "OKNO_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # the probe touches no database
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["hsts"] == "max-age=31536000; includeSubDomains"
    assert result["plain_status"] == 301 and result["plain_location"].startswith("https://")
    assert result["session_secure"] and result["csrf_secure"]

"""Every page keeps to the CSP (no inline scripts without a nonce, no inline
styles or handlers) and loads nothing from outside (air-gapped installations)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from okno.appeals import services
from okno.appeals.services import IncomingFile
from okno.testing import Org

STATIC = Path(settings.BASE_DIR) / "static"


class Audit(HTMLParser):
    """Collects what the CSP would refuse and any address outside the app."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not names.get("nonce"):
                self.problems.append(f"script without nonce: {names}")
            if names.get("src") and not names["src"].startswith("/static/"):
                self.problems.append(f"script from elsewhere: {names['src']}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name.startswith("hx-on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "hx-get", "hx-post", "sse-connect") and value:
                if re.match(r"^(https?:)?//", value):
                    self.problems.append(f"external {name}: {value}")
                if value.lower().startswith("javascript:"):
                    self.problems.append(f"javascript: {name}")


def audit(html: str) -> list[str]:
    parser = Audit()
    parser.feed(html)
    problems = parser.problems
    problems += [f"address outside the app: {m}" for m in re.findall(r"https?://[^\s\"'<]+", html)]
    return problems


@pytest.fixture
def pages(org: Org) -> list[tuple[object, str]]:
    appeal = org.appeal(
        description="Описание",
        files=[IncomingFile(name="скан.txt", content="скан".encode())],
    )
    services.add_note(org.anna, appeal, body_text="Заметка")
    services.reply(org.anna, appeal, body_text="Ответ")
    return [
        (org.anna, reverse("appeals:inbox")),
        (org.anna, reverse("appeals:inbox_table")),
        (org.anna, reverse("appeals:inbox_sidebar")),
        (org.anna, reverse("appeals:detail", args=[appeal.number])),
        (org.sergey, reverse("appeals:detail", args=[appeal.number])),
        (org.kira, reverse("appeals:detail", args=[appeal.number])),
        (org.anna, reverse("appeals:new")),
        (org.anna, reverse("clients:list")),
        (org.anna, reverse("clients:detail", args=[org.ivan.pk])),
        (org.anna, reverse("clients:new")),
        (org.anna, reverse("clients:edit", args=[org.ivan.pk])),
        (org.anna, reverse("accounts:profile")),
        (None, reverse("accounts:login")),
        (org.anna, "/appeals/2000-000001/"),
    ]


def test_pages_keep_to_the_csp_and_stay_inside(client: Client, pages: list[tuple[object, str]]) -> None:
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self';" in csp, url
        assert "unsafe" not in csp, url
        problems = audit(response.content.decode())
        assert problems == [], (url, problems)


def test_nonce_matches_the_header(client: Client, org: Org) -> None:
    client.force_login(org.anna)
    response = client.get(reverse("appeals:inbox"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()


def test_htmx_is_configured_for_the_csp(client: Client, org: Org) -> None:
    client.force_login(org.anna)
    html = client.get(reverse("appeals:inbox")).content.decode()
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html
    assert 'hx-ext="sse"' in html


def _strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


# Addresses that appear in vendored code as data, never fetched: the SVG namespace
# and Popper's documentation link in an error message.
HARMLESS = ("http://www.w3.org/", "https://popper.js.org/docs/")


def test_static_files_load_nothing_from_outside() -> None:
    files = [p for p in STATIC.rglob("*") if p.suffix in (".css", ".js", ".html")]
    assert any(p.name == "okno.js" for p in files) and any(p.name == "okno.css" for p in files)
    for path in files:
        text = _strip_comments(path.read_text(encoding="utf-8", errors="replace"))
        if path.parent == STATIC:
            assert "http" not in text and "//cdn" not in text, path
            continue
        for url in re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"')]*", text):
            assert url.startswith(HARMLESS), (path, url)
        if path.suffix == ".css":
            for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
                assert target.startswith(("data:", "fonts/")) or not re.match(r"^(https?:)?//", target), (path, target)
            assert "@import" not in text, path


def test_static_assets_are_served_by_the_app(client: Client, db: None) -> None:
    for name in ("okno.js", "okno.css", "vendor/htmx/htmx.min.js", "vendor/htmx/htmx-ext-sse.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name

"""Tests in a real browser: Debian's Chromium, headless, driven by Playwright against
Okno running for real (the ``okno_server`` fixture in ``conftest.py``).

A browser test module says ``pytestmark = [pytest.mark.browser, needs_chromium]`` and
takes the ``browser_page`` fixture (the root ``conftest.py`` registers it): a fresh
page and the list of problems the browser reported, which the test asserts empty at
its end. A problem is an uncaught script error or any console error: a CSP
violation, a failed request, a broken script. Options go on the marker, for a module
or one test: ``pytest.mark.browser(viewport={"width": 1400, "height": 1000})``, and
``tolerate=r"regex"`` for console errors a test expects and does not count.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from okno.testing import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = os.environ.get("OKNO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
)

type BrowserPage = tuple[Page, list[str]]


@pytest.fixture
def browser_page(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, okno_server: str
) -> Iterator[BrowserPage]:
    """A page on ``okno_server`` (Russian browser, 1400×900) and the problems it reported."""
    from playwright.sync_api import sync_playwright

    marker = request.node.get_closest_marker("browser")
    options: dict[str, Any] = marker.kwargs if marker else {}
    tolerated = re.compile(options["tolerate"]) if "tolerate" in options else None
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls
    # the test makes between browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not (tolerated and tolerated.search(message.text)):
            url = message.location["url"]
            problems.append(f"console: {message.text}" + (f" at {url}" if url else ""))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=okno_server, locale="ru-RU", viewport=options.get("viewport", VIEWPORT))
        page = context.new_page()
        page.on(
            "pageerror",
            lambda error: problems.append(f"page error: {error} at {(error.stack or '').splitlines()[1:3]}"),
        )
        page.on("console", on_console)
        try:
            yield page, problems
        finally:
            context.close()
            browser.close()


def sign_in(page: Page, username: str) -> None:
    """Sign in through the login form as one of the ``org`` personas (okno.testing)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def wait_live(page: Page) -> None:
    """Until the page's server-push connection is open (and the hub has settled)."""
    page.wait_for_selector("body[data-live=open]", timeout=10_000)
    page.wait_for_timeout(400)


def watch_reloads(page: Page) -> None:
    """Mark the page's window: a reload or a navigation forgets the mark (``reloaded``)."""
    page.evaluate("window.__oknoNoReload = true")


def reloaded(page: Page) -> bool:
    """Whether the page was loaded anew since ``watch_reloads``."""
    return page.evaluate("window.__oknoNoReload") is not True


def follow_menu(page: Page, menu: str, href: str) -> None:
    """Open the navbar's ``menu`` dropdown ("reports", "settings") and follow its item to ``href``."""
    page.click(f"#nav-{menu}")
    page.click(f"ul[aria-labelledby='nav-{menu}'] a.dropdown-item[href='{href}']")

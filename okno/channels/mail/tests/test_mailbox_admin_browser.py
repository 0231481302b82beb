"""Adding a mailbox in a real browser (headless Chromium) against a real server: an
administrator fills in the form, presses "Test connection" and sees each step pass
against the test Dovecot and SMTP server, sees a wrong password named, and saves."""

from __future__ import annotations

import pytest

from okno.channels.mail.models import Mailbox
from okno.channels.mail.testing import ImapAccount, SmtpServer
from okno.core import secrets
from okno.testing import build_org
from okno.testing_browser import BrowserPage, follow_menu, needs_chromium, reloaded, sign_in, watch_reloads

pytestmark = [pytest.mark.browser, needs_chromium]


def test_an_administrator_adds_a_mailbox_and_tests_its_connection(
    browser_page: BrowserPage, imap_account: ImapAccount, smtp_server: SmtpServer
) -> None:
    from playwright.sync_api import expect

    tab, problems = browser_page
    org = build_org()
    sign_in(tab, "adam")

    follow_menu(tab, "settings", "/settings/mail/")
    tab.wait_for_url("**/settings/mail/")
    expect(tab.locator("#mailbox-none")).to_be_visible()
    tab.click("#mailbox-add")
    tab.wait_for_url("**/settings/mail/new/")

    tab.fill("#id_name", "Претензии")
    tab.fill("#id_address", "claims@bank.test")
    tab.fill("#id_imap_host", "127.0.0.1")
    tab.select_option("#id_imap_security", "plain")
    tab.fill("#id_imap_port", str(imap_account.server.imap_port))
    tab.fill("#id_imap_username", imap_account.username)
    tab.fill("#id_imap_password", "not-the-password")
    tab.fill("#id_smtp_host", "127.0.0.1")
    tab.select_option("#id_smtp_security", "plain")
    tab.fill("#id_smtp_port", str(smtp_server.port))
    tab.select_option("#id_queue", str(org.claims.pk))

    watch_reloads(tab)
    tab.click("#mailbox-test-button")
    imap = tab.locator("#mail-test-result .mail-check[data-protocol='imap']")
    expect(imap).to_have_attribute("data-ok", "false")
    expect(imap.locator(".mail-check-error")).to_have_attribute("data-step", "auth")
    expect(tab.locator("#mail-test-result .mail-check[data-protocol='smtp']")).to_have_attribute("data-ok", "true")

    tab.fill("#id_imap_password", imap_account.password)
    tab.click("#mailbox-test-button")
    expect(imap).to_have_attribute("data-ok", "true")
    expect(imap.locator(".mail-check-step[data-step='folder']")).to_be_visible()
    expect(tab.locator("#mail-test-result .mail-check[data-protocol='smtp']")).to_have_attribute("data-ok", "true")
    assert not reloaded(tab)
    assert not Mailbox.objects.exists()  # testing saves nothing

    tab.click("#mailbox-save")
    tab.wait_for_url("**/settings/mail/")
    mailbox = Mailbox.objects.get()
    row = tab.locator(f"#mailbox-table tr[data-mailbox='{mailbox.pk}']")
    expect(row).to_contain_text("Претензии")
    expect(row.locator(".mail-state")).to_have_attribute("data-state", "stopped")
    assert secrets.decrypt(mailbox.imap_password) == imap_account.password
    assert mailbox.queue == org.claims

    # The edit form never gets the password back.
    row.locator("a.mailbox-edit").click()
    tab.wait_for_url(f"**/settings/mail/{mailbox.pk}/edit/")
    expect(tab.locator("#id_imap_password")).to_have_value("")
    assert imap_account.password not in tab.content()
    assert problems == []

"""Reading a mailbox over IMAP, against a real Dovecot (``okno.channels.mail.testing``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from okno.channels.mail.testing import Dovecot, ImapAccount, free_port, make_mail, wait_for
from okno.channels.mail.transport.imap import (
    FetchedMail,
    ImapSession,
    ImapSettings,
    Security,
    check_imap,
    validate_settings,
)
from okno.channels.mail.transport.imap_loop import run_mailbox


@pytest.fixture(autouse=True)
def _english_in_every_thread(settings: Any) -> None:
    """The listener reports from its own thread, which speaks the installation's
    language: English here, so the tests read the reports by their English words."""
    settings.LANGUAGE_CODE = "en"


# --- test connection --------------------------------------------------------------------------


def test_check_connects_secures_logs_in_and_opens_the_folder(imap_account: ImapAccount) -> None:
    imap_account.append(make_mail())
    imap_account.append(make_mail())

    report = check_imap(imap_account.settings())

    assert report.ok, report.error
    assert [step.step for step in report.steps] == ["connect", "tls", "auth", "folder"]
    assert "certificate is valid" in report.steps[1].detail
    assert report.idle is True
    assert report.messages == 2
    assert "IDLE" in report.capabilities


def test_check_over_implicit_tls_and_the_processed_folder(imap_account: ImapAccount, dovecot: Dovecot) -> None:
    imap_account.create_folder("Done")

    report = check_imap(
        imap_account.settings(
            port=dovecot.imaps_port, security=Security.SSL, processed_action="move", processed_folder="Done"
        )
    )

    assert report.ok, report.error
    assert [step.step for step in report.steps] == ["connect", "tls", "auth", "folder", "folder"]
    assert "Done" in report.steps[-1].detail


def test_check_says_the_port_refused(imap_account: ImapAccount) -> None:
    report = check_imap(imap_account.settings(port=free_port()))

    assert report.error is not None
    assert report.error.step == "connect"
    assert "refused the connection" in report.error.message
    assert report.error.temporary
    assert report.steps == ()


def test_check_says_the_login_was_refused(imap_account: ImapAccount) -> None:
    report = check_imap(imap_account.settings(password="wrong"))

    assert report.error is not None
    assert report.error.step == "auth"
    assert "refused the user name or password" in report.error.message
    assert not report.error.temporary
    assert [step.step for step in report.steps] == ["connect", "tls"]


def test_check_says_the_folder_is_missing(imap_account: ImapAccount) -> None:
    missing = check_imap(imap_account.settings(folder="Nowhere"))
    processed_missing = check_imap(imap_account.settings(processed_action="move", processed_folder="Archive"))

    assert missing.error is not None and missing.error.step == "folder"
    assert "Nowhere" in missing.error.message
    assert processed_missing.error is not None and processed_missing.error.step == "folder"
    assert "Archive" in processed_missing.error.message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ca_file": ""}, "not trusted"),  # the system's authorities do not know the test CA
        ({"ca_file": "other"}, "not trusted"),  # an authority that signed something else
        ({"host": "localhost"}, "not valid for the name localhost"),
    ],
)
def test_check_refuses_a_certificate_it_cannot_trust(
    imap_account: ImapAccount, dovecot: Dovecot, changes: dict[str, str], expected: str
) -> None:
    if changes.get("ca_file") == "other":
        changes = {"ca_file": dovecot.tls.other_ca_file}
    for security, port in ((Security.STARTTLS, dovecot.imap_port), (Security.SSL, dovecot.imaps_port)):
        report = check_imap(imap_account.settings(security=security, port=port, **changes))

        assert report.error is not None, security
        assert report.error.step == "tls"
        assert expected in report.error.message
        assert "auth" not in [step.step for step in report.steps]  # no password was sent


def test_verification_can_be_switched_off_explicitly(imap_account: ImapAccount) -> None:
    report = check_imap(imap_account.settings(ca_file="", verify_tls=False))

    assert report.ok, report.error
    assert "NOT checked" in report.steps[1].detail


def test_implicit_tls_against_a_plain_port_says_so(imap_account: ImapAccount) -> None:
    report = check_imap(imap_account.settings(security=Security.SSL))

    assert report.error is not None and report.error.step == "tls"
    assert "did not answer with TLS" in report.error.message


def test_no_encryption_only_to_this_machine(imap_account: ImapAccount) -> None:
    started = time.monotonic()
    remote = check_imap(imap_account.settings(security=Security.PLAIN, host="192.0.2.1", ca_file=""))
    elapsed = time.monotonic() - started
    local = check_imap(imap_account.settings(security=Security.PLAIN, ca_file=""))

    assert remote.error is not None and remote.error.step == "settings"
    assert "only to this machine" in remote.error.message
    assert remote.steps == () and elapsed < 0.5  # refused without trying to connect
    assert local.ok, local.error
    assert [step.step for step in local.steps] == ["connect", "auth", "folder"]


def test_validate_settings_for_forms() -> None:
    good = ImapSettings("imap.bank.test", 993, Security.SSL, "support", "secret")
    assert validate_settings(good) == []
    problems = validate_settings(ImapSettings("mail.bank.test", 0, Security.PLAIN, "", "", processed_action="move"))
    assert any("only to this machine" in p for p in problems)
    assert any("port" in p for p in problems)
    assert any("user name" in p for p in problems)
    assert any("folder processed mail is moved to" in p for p in problems)
    assert validate_settings(ImapSettings("::1", 143, Security.PLAIN, "u", "p")) == []


# --- one session -----------------------------------------------------------------------------


def test_fetch_after_gives_new_mail_in_uid_order_in_batches_and_leaves_it_unseen(imap_account: ImapAccount) -> None:
    raws = [make_mail(subject=f"Letter {n}") for n in range(5)]
    uids = [imap_account.append(raw) for raw in raws]

    with ImapSession(imap_account.settings()) as session:
        position = session.select()
        batches = list(session.fetch_after(0, batch=2))
        later = [mail.uid for batch in session.fetch_after(uids[2]) for mail in batch]
        none = list(session.fetch_after(uids[-1]))

    assert position.exists == 5 and position.uidnext == uids[-1] + 1
    assert [[mail.uid for mail in batch] for batch in batches] == [uids[0:2], uids[2:4], uids[4:]]
    fetched = [mail for batch in batches for mail in batch]
    assert [mail.raw.replace(b"\r\n", b"\n") for mail in fetched] == [raw.replace(b"\r\n", b"\n") for raw in raws]
    assert all(mail.internal_date is not None and mail.internal_date.tzinfo for mail in fetched)
    assert later == uids[3:]
    assert none == []  # "UID n:*" matches the last message even when n is beyond it
    assert all("\\Seen" not in imap_account.flags(uid) for uid in uids)


def test_mark_processed_flags_exactly_those_messages_seen(imap_account: ImapAccount) -> None:
    uids = [imap_account.append(make_mail()) for _ in range(4)]

    with ImapSession(imap_account.settings()) as session:
        session.select()
        session.mark_processed(uids[:3])

    assert ["\\Seen" in imap_account.flags(uid) for uid in uids] == [True, True, True, False]
    assert imap_account.unseen() == [uids[3]]


@pytest.mark.parametrize("server_moves", [True, False])
def test_mark_processed_moves_to_the_processed_folder(imap_account: ImapAccount, server_moves: bool) -> None:
    imap_account.create_folder("Processed")
    uids = [imap_account.append(make_mail()) for _ in range(3)]

    with ImapSession(imap_account.settings(processed_action="move", processed_folder="Processed")) as session:
        session.select()
        if not server_moves:  # a server without MOVE: COPY, \Deleted, UID EXPUNGE
            session.capabilities = tuple(c for c in session.capabilities if c != "MOVE")
        session.mark_processed(uids[:2])

    assert imap_account.uids() == [uids[2]]
    assert len(imap_account.folder_uids("Processed")) == 2


def test_wait_for_news_wakes_up_when_mail_arrives(imap_account: ImapAccount) -> None:
    with ImapSession(imap_account.settings()) as session:
        session.select()
        assert session.new_uids(0) == []
        started = time.monotonic()
        assert session.wait_for_news(0.3) is False
        assert 0.25 < time.monotonic() - started < 2

        threading.Timer(0.2, imap_account.append, args=(make_mail(),)).start()
        started = time.monotonic()
        assert session.wait_for_news(10) is True
        assert time.monotonic() - started < 2
        assert len(session.new_uids(0)) == 1


# --- the listener ------------------------------------------------------------------------------


@dataclass
class Listener:
    """``run_mailbox`` in a thread, with an in-memory store and position."""

    settings: ImapSettings
    position: tuple[int | None, int] = (None, 0)
    stored: list[FetchedMail] = field(default_factory=list)
    validities: list[int] = field(default_factory=list)
    reports: list[tuple[str, str]] = field(default_factory=list)
    fail_stores: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def store(self, uidvalidity: int, mails: list[FetchedMail]) -> None:
        if self.fail_stores:
            self.fail_stores -= 1
            raise RuntimeError("database is locked")
        self.stored.extend(mails)
        self.validities.append(uidvalidity)
        self.position = (uidvalidity, mails[-1].uid)

    def start(self, **options: Any) -> Listener:
        options = {"backoff_initial": 0.1, "backoff_max": 0.5, **options}
        self.thread = threading.Thread(
            target=run_mailbox,
            args=(lambda: self.settings, lambda: self.position, self.store, self.report, self.stop),
            kwargs=options,
            daemon=True,
        )
        self.thread.start()
        return self

    def report(self, state: str, detail: str) -> None:
        self.reports.append((state, detail))

    def states(self) -> list[str]:
        return [state for state, _detail in self.reports]

    def halt(self) -> None:
        self.stop.set()
        assert self.thread is not None
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()

    def uids(self) -> list[int]:
        return [mail.uid for mail in self.stored]


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    started: list[Listener] = []
    yield started
    for listener in started:
        listener.stop.set()
    for listener in started:
        if listener.thread is not None:
            listener.thread.join(timeout=5)


def test_listener_takes_waiting_mail_then_new_mail_through_idle_within_a_second(
    imap_account: ImapAccount, listeners: list[Listener]
) -> None:
    waiting = [imap_account.append(make_mail()) for _ in range(3)]
    listener = Listener(imap_account.settings())
    listeners.append(listener.start())
    wait_for(lambda: listener.uids() == waiting)
    wait_for(lambda: listener.states()[-1:] == ["idle"])
    assert "IDLE" in listener.reports[-1][1]

    started = time.monotonic()
    new = imap_account.append(make_mail(subject="Urgent"))
    wait_for(lambda: new in listener.uids(), timeout=5, interval=0.01)

    assert time.monotonic() - started < 1.0
    assert listener.uids() == [*waiting, new]
    assert wait_for(lambda: all("\\Seen" in imap_account.flags(uid) for uid in listener.uids()))
    assert listener.states()[:3] == ["connecting", "fetching", "idle"]
    listener.halt()
    assert listener.states()[-1] == "stopped"


def test_listener_polls_a_server_without_idle(dovecot_without_idle: Dovecot, listeners: list[Listener]) -> None:
    account = dovecot_without_idle.new_account("polled")
    assert check_imap(account.settings()).idle is False
    listener = Listener(account.settings())
    listeners.append(listener.start(poll_interval=0.3))
    wait_for(lambda: listener.states()[-1:] == ["idle"])
    assert "every 0.3 s" in listener.reports[-1][1]

    uid = account.append(make_mail())

    wait_for(lambda: listener.uids() == [uid], timeout=3)
    assert wait_for(lambda: "\\Seen" in account.flags(uid))


def test_listener_backfills_what_arrived_while_okno_was_down(
    imap_account: ImapAccount, listeners: list[Listener]
) -> None:
    first = imap_account.append(make_mail())
    listener = Listener(imap_account.settings())
    listeners.append(listener.start())
    wait_for(lambda: listener.uids() == [first])
    listener.halt()

    while_down = [imap_account.append(make_mail()) for _ in range(3)]
    again = Listener(imap_account.settings(), position=listener.position, stored=list(listener.stored))
    listeners.append(again.start())

    wait_for(lambda: again.uids() == [first, *while_down])


def test_listener_survives_a_server_restart_without_missing_mail(
    imap_account: ImapAccount, dovecot: Dovecot, listeners: list[Listener]
) -> None:
    first = imap_account.append(make_mail())
    listener = Listener(imap_account.settings())
    listeners.append(listener.start(backoff_initial=0.5, backoff_max=1.0))
    wait_for(lambda: listener.uids() == [first])
    wait_for(lambda: listener.states()[-1:] == ["idle"])

    dovecot.stop()
    try:
        wait_for(lambda: "error" in listener.states())
        error = next(detail for state, detail in listener.reports if state == "error")
        assert "closed the connection" in error or "refused the connection" in error
    finally:
        dovecot.start()
    # Mail arriving right after the restart, before the listener is back.
    after = [imap_account.append(make_mail()) for _ in range(2)]

    wait_for(lambda: listener.uids() == [first, *after], timeout=10)
    wait_for(lambda: listener.states()[-1:] == ["idle"], timeout=5)
    time.sleep(0.3)
    assert listener.uids() == [first, *after]  # nothing twice


def test_listener_takes_everything_again_when_uidvalidity_changes(
    imap_account: ImapAccount, listeners: list[Listener]
) -> None:
    imap_account.create_folder("Support")
    imap_account.append(make_mail(), folder="Support")
    old_validity = imap_account.uidvalidity("Support")
    listener = Listener(imap_account.settings(folder="Support"))
    # A session in IDLE is not told its folder was replaced: the listener looks each
    # time a wait ends without news (every 29 minutes by default).
    listeners.append(listener.start(idle_timeout=0.3))
    wait_for(lambda: len(listener.stored) == 1)
    wait_for(lambda: listener.states()[-1:] == ["idle"])

    imap_account.delete_folder("Support")
    imap_account.create_folder("Support")
    raws = [make_mail(subject="restored"), make_mail(subject="new")]
    for raw in raws:
        imap_account.append(raw, folder="Support")
    new_validity = imap_account.uidvalidity("Support")
    assert new_validity != old_validity

    wait_for(lambda: len(listener.stored) == 3, timeout=10, message=lambda: (listener.reports, listener.uids()))
    assert listener.validities[0] == old_validity and listener.validities[-1] == new_validity
    assert [mail.uid for mail in listener.stored[1:]] == [1, 2]  # from the start of the new folder
    assert listener.position == (new_validity, 2)


def test_a_failing_store_marks_nothing_and_the_mail_is_taken_later(
    imap_account: ImapAccount, listeners: list[Listener]
) -> None:
    uid = imap_account.append(make_mail())
    listener = Listener(imap_account.settings(), fail_stores=1)
    listeners.append(listener.start(backoff_initial=0.5, backoff_max=0.5))

    wait_for(lambda: "error" in listener.states())
    assert "\\Seen" not in imap_account.flags(uid)
    assert listener.stored == []
    assert "RuntimeError" in next(detail for state, detail in listener.reports if state == "error")

    wait_for(lambda: listener.uids() == [uid], timeout=5)
    assert wait_for(lambda: "\\Seen" in imap_account.flags(uid))


def test_failing_to_mark_processed_is_not_fatal(imap_account: ImapAccount, listeners: list[Listener]) -> None:
    # Moving to a folder that does not exist fails on the server every time.
    first = imap_account.append(make_mail())
    listener = Listener(imap_account.settings(processed_action="move", processed_folder="Gone"))
    listeners.append(listener.start())
    wait_for(lambda: listener.uids() == [first])
    wait_for(lambda: listener.states()[-1:] == ["idle"])

    second = imap_account.append(make_mail())

    wait_for(lambda: listener.uids() == [first, second])
    wait_for(lambda: listener.states()[-1:] == ["idle"])
    time.sleep(0.3)
    assert listener.uids() == [first, second]  # the position keeps them from coming twice
    assert imap_account.uids() == [first, second]
    assert "error" not in listener.states()


def test_wrong_settings_are_reported_and_retried_without_busy_looping(
    imap_account: ImapAccount, listeners: list[Listener]
) -> None:
    listener = Listener(imap_account.settings(password="wrong"))
    listeners.append(listener.start(backoff_initial=0.2, backoff_max=0.4))
    time.sleep(1.0)
    listener.halt()

    errors = [detail for state, detail in listener.reports if state == "error"]
    assert errors and "refused the user name or password" in errors[0]
    connects = listener.states().count("connecting")
    assert 1 <= connects <= 8  # a pause between attempts, not a loop
    assert listener.states()[-1] == "stopped"


def test_settings_that_cannot_be_read_are_reported_with_their_reason(listeners: list[Listener]) -> None:
    class SecretUnreadable(Exception):
        message = "The stored IMAP password cannot be decrypted: enter it again."

    def unreadable() -> ImapSettings:
        raise SecretUnreadable

    stop = threading.Event()
    reports: list[tuple[str, str]] = []
    thread = threading.Thread(
        target=run_mailbox,
        args=(unreadable, lambda: (None, 0), lambda v, m: None, lambda s, d: reports.append((s, d)), stop),
        kwargs={"backoff_initial": 0.1, "backoff_max": 0.2},
        daemon=True,
    )
    thread.start()
    wait_for(lambda: reports)
    stop.set()
    thread.join(timeout=5)

    assert reports[0] == ("error", SecretUnreadable.message)
    assert reports[-1] == ("stopped", "")

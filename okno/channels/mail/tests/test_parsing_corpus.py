"""Every message of the shared corpus (331 real test messages from public parser
suites, ``$OKNO_MAIL_CORPUS``) parses or is refused with a reason, and agrees with
the corpus manifest except where the manifest is wrong, listed below with why."""

from __future__ import annotations

import contextlib
import csv
import os
import re
from functools import cache
from pathlib import Path

import pytest

from okno.channels.mail.parsing import ParsedMail, UnparseableMail, parse
from okno.channels.mail.tests.bench_parsing import LOADER, bench_mix, garbled

CORPUS = Path(os.environ.get("OKNO_MAIL_CORPUS", "/work/shared/data/emails"))
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
MESSAGE_TYPES = ("message/rfc822", "message/global", "message/news", "message/partial")
INVENTED = re.compile(r"^(?:attachment|message)-\d+\.")

UNPARSEABLE = {
    "cpython/msg_19.txt.eml": "no header block: a digest body cut out of its message",
    "mailparser/mail_outlook_1.eml": "binary data: an Outlook .msg file, not MIME",
    "rubymail/.gitattributes.eml": "no header block: a git attributes file",
}
NOT_BOUNCES = {
    "flanker/complaints__aol.eml": "an ARF abuse report, not delivery status: auto_reply",
    "flanker/complaints__yahoo.eml": "an ARF abuse report (report-type=feedback-report): auto_reply",
    "flanker/disposition-notification.eml": "a read receipt (report-type=disposition-notification): auto_reply",
    "sisimai/bsd__arf-01.eml": "an ARF abuse report (report-type=feedback-report): auto_reply",
    "sisimai/bsd__arf-11.eml": "an ARF abuse report (report-type=feedback-report): auto_reply",
}
# The manifest flags only RFC 3464 delivery-status parts; these are MTA bounces in free text.
MTA_BOUNCES = {
    "flanker/bounce__broken-mime.eml": "postmaster, 'Undeliverable Mail', its report part unreadable",
    "flanker/bounce__gmail-invalid-address.eml": "Gmail's mailer-daemon, free-text DSN",
    "flanker/bounce__gmail-no-dns.eml": "Gmail's mailer-daemon, free-text DSN",
    "sisimai/bsd__lhost-dragonfly-01.eml": "MAILER-DAEMON, 'Mail delivery failed'",
    "sisimai/bsd__lhost-exchange2003-01.eml": "Exchange 2003 postmaster, 'Undeliverable:'",
    "sisimai/bsd__lhost-exim-01.eml": "Exim's text bounce",
    "sisimai/mac__lhost-exim-01.eml": "Exim's text bounce (CR line ends)",
    "sisimai/bsd__lhost-gmx-01.eml": "GMX's Exim-style bounce",
    "sisimai/bsd__lhost-mailmarshal-02.eml": "MailMarshal postmaster, 'Undeliverable Mail'",
    "sisimai/bsd__lhost-mailru-02.eml": "Mail.ru's Russian/English Exim bounce",
    "sisimai/bsd__lhost-mailru-04.eml": "Mail.ru's Russian/English Exim bounce",
    "sisimai/bsd__lhost-mailru-06.eml": "Mail.ru's Russian/English Exim bounce",
    "sisimai/bsd__lhost-mailru-08.eml": "Mail.ru's Russian/English Exim bounce",
    "sisimai/bsd__lhost-mailru-10.eml": "Mail.ru's Russian/English Exim bounce",
    "sisimai/bsd__lhost-mimecast-01.eml": "Mimecast postmaster, 'Email Delivery Failure'",
    "sisimai/bsd__lhost-notes-01.eml": "Lotus Notes postmaster, 'Undeliverable message'",
    "sisimai/bsd__lhost-opensmtpd-01.eml": "OpenSMTPD's MAILER-DAEMON text report",
    "sisimai/bsd__lhost-qmail-01.eml": "qmail 'failure notice'",
    "sisimai/bsd__lhost-v5sendmail-01.eml": "Sendmail V5 'Returned mail'",
    "sisimai/bsd__lhost-x1-01.eml": "MAILER-DAEMON, 'Returned Mail: User unknown'",
    "sisimai/bsd__lhost-yahoo-01.eml": "Yahoo's MAILER-DAEMON 'Failure Notice'",
    "sisimai/bsd__lhost-zoho-01.eml": "Zoho's mailer-daemon text bounce",
}
# Automatic by our rules (RFC 3834 and practice), not hinted in the manifest.
EXTRA_AUTO_REPLIES = {
    "cpython/msg_32.txt.eml": "Precedence: bulk (a mailing list)",
    "cpython/msg_33.txt.eml": "Precedence: bulk (a mailing list)",
    "cpython/msg_42.txt.eml": "from 'Mail Delivery Subsystem': mailer-daemon",
    "flanker/apache-message-news-mime.eml": "Precedence: bulk (a mailing list)",
    "flanker/from-encoding.eml": "Precedence: bulk (a mailing list)",
    "flanker/message-external-body.eml": "Precedence: bulk (IETF announcement)",
    "flanker/complaints__aol.eml": "Precedence: bulk (an abuse report)",
    "flanker/complaints__yahoo.eml": "an ARF abuse report",
    "flanker/disposition-notification.eml": "a read receipt",
    "sisimai/bsd__arf-01.eml": "an ARF abuse report",
    "sisimai/bsd__arf-11.eml": "an ARF abuse report",
    "mailparser/mail_test_5.eml": "Precedence: bulk (a newsletter)",
    "mailparser/mail_test_13.eml": "List-Unsubscribe (a newsletter)",
    "mailparser/mail_test_16.eml": "Precedence: junk (GTUBE spam test)",
    "mailparser/mail_test_6.eml": "List-Id (a newsletter)",
    "phpmime/m0015.eml": "List-Unsubscribe (a newsletter)",
    "rubymail/error_emails__bad_date_header.eml": "Precedence: junk (spam)",
    "rubymail/error_emails__empty_in_reply_to.eml": "List-Unsubscribe (spam)",
}
CYRILLIC_NOT_IN_MANIFEST = {
    "phpmime/issue230.eml": "declares x-mac-cyrillic for UTF-8 bytes: read as declared (mojibake by design)",
    "phpmime/issue116.eml": "Russian in ISO-2022-JP with a NEC '№' (CP50220) that strict decoders reject",
}
EXTRA_EMBEDDED = {
    "flanker/apache-message-news-mime.eml": "a forwarded message/news (RFC 5537: read as message/rfc822)",
    "flanker/enclosed-global.eml": "message/global (RFC 6532) is an embedded message too",
    "sisimai/bsd__lhost-bigfoot-02.eml": "a bounce returning the message as message/partial",
}
ATTACHMENT_COUNT = {
    "rubymail/attachment_emails__attachment_message_rfc822.eml": "the manifest counts the named .eml; we count it as an embedded message",
}


@cache
def manifest() -> list[dict[str, str]]:
    path = CORPUS / "manifest.csv"
    if not path.exists():
        pytest.fail(f"mail corpus not found at {CORPUS} (set OKNO_MAIL_CORPUS)")
    with path.open(newline="", encoding="utf-8") as fp:
        return list(csv.DictReader(fp))


@cache
def parsed(name: str) -> ParsedMail | str:
    try:
        return parse((CORPUS / name).read_bytes())
    except UnparseableMail as exc:
        return exc.reason


def corpus_names() -> list[str]:
    return [row["file"] for row in manifest()]


def row(name: str) -> dict[str, str]:
    return next(r for r in manifest() if r["file"] == name)


def flag(name: str, column: str) -> bool:
    return row(name)[column] == "True"


def texts(mail: ParsedMail) -> str:
    """Everything readable in a mail, embedded messages included."""
    people = [mail.sender, *mail.to, *mail.cc, *mail.reply_to]
    parts = [mail.subject, mail.body_text, *(p.name for p in people if p), *(a.filename for a in mail.attachments)]
    for attachment in mail.attachments:
        if attachment.content_type.startswith("message/"):
            with contextlib.suppress(UnparseableMail):
                parts.append(texts(parse(attachment.data)))
    return "\n".join(parts)


def test_the_corpus_is_all_there():
    names = corpus_names()
    assert len(names) == 331
    assert all((CORPUS / n).exists() for n in names)


@pytest.mark.parametrize("name", corpus_names())
def test_every_message_parses_or_is_refused_with_a_reason(name):
    result = parsed(name)
    if name in UNPARSEABLE:
        assert isinstance(result, str) and result
        return
    assert isinstance(result, ParsedMail), result
    assert not (result.bounce and result.auto_reply), "a bounce is not an auto-reply"
    if result.date is not None:
        assert result.date.tzinfo is not None
    assert all(a.filename and "/" not in a.filename and "\\" not in a.filename for a in result.attachments)
    assert all(a.filename.isprintable() for a in result.attachments)


def corpus_results() -> dict[str, ParsedMail]:
    return {n: r for n in corpus_names() if isinstance(r := parsed(n), ParsedMail)}


def test_only_the_listed_messages_are_unparseable():
    assert {n for n in corpus_names() if isinstance(parsed(n), str)} == set(UNPARSEABLE)


def test_delivery_reports_are_bounces_and_nothing_else_is_unless_listed():
    results = corpus_results()
    missed = {n for n, m in results.items() if flag(n, "delivery_status") and m.bounce is None}
    assert missed == set(NOT_BOUNCES)
    extra = {n for n, m in results.items() if not flag(n, "delivery_status") and m.bounce is not None}
    assert extra == set(MTA_BOUNCES)


def test_auto_reply_hints_are_auto_replies_or_bounces():
    results = corpus_results()
    missed = {n for n, m in results.items() if flag(n, "auto_reply_hint") and not (m.auto_reply or m.bounce)}
    assert missed == set()
    extra = {n for n, m in results.items() if not flag(n, "auto_reply_hint") and m.auto_reply}
    assert extra == set(EXTRA_AUTO_REPLIES)


def test_cyrillic_text_is_read_and_never_replaced():
    results = corpus_results()
    for name, mail in results.items():
        text = texts(mail)
        if flag(name, "cyrillic_text"):
            assert CYRILLIC.search(text), name
        elif name not in CYRILLIC_NOT_IN_MANIFEST:
            assert not CYRILLIC.search(text), name
        # U+FFFD only where the sender's bytes already carried it.
        if "\ufffd" in text:
            assert "\ufffd".encode() in (CORPUS / name).read_bytes(), name


def test_embedded_messages_are_kept_as_readable_eml_attachments():
    results = corpus_results()
    for name, mail in results.items():
        embedded = [a for a in mail.attachments if a.content_type in MESSAGE_TYPES]
        assert bool(embedded) == (flag(name, "embedded_rfc822") or name in EXTRA_EMBEDDED), name
        for attachment in embedded:
            if not attachment.data:
                continue  # the MTA returned an empty message/rfc822 part
            assert re.match(rb"[!-9;-~]+:", attachment.data), name  # starts with its headers
            assert isinstance(parse(attachment.data), ParsedMail), name


def test_named_attachments_match_the_manifest_count():
    """The manifest counts named parts other than embedded messages; so do we here
    (inline images without a name are attachments too, as ``inline``)."""
    for name, mail in corpus_results().items():
        named = [
            a for a in mail.attachments if not a.content_type.startswith("message/") and not INVENTED.match(a.filename)
        ]
        if name not in ATTACHMENT_COUNT:
            assert len(named) == int(row(name)["n_attachments"]), (name, [a.filename for a in mail.attachments])


def test_counts():
    """The figures reported for the corpus (and a guard against silent drift)."""
    results = corpus_results()
    assert len(results) == 328
    assert sum(1 for m in results.values() if m.bounce) == 67
    assert sum(1 for m in results.values() if m.auto_reply) == 22
    assert sum(1 for m in results.values() if CYRILLIC.search(texts(m))) == 27


def test_the_benchmark_mix_is_read_exactly_and_none_is_garbled():
    """The plain/HTML/windows-1251 8-bit/UTF-8 mix the peer benchmark loads
    (``bench_parsing``): every body and subject as the sender wrote it, nothing
    classified as automatic, nothing wrong."""
    if not LOADER.exists():
        pytest.fail(f"benchmark loader not found at {LOADER} (set OKNO_BENCH_PEER)")
    mix = bench_mix(300)
    assert {kind.split("+")[0] for kind, _ in mix} == {"en_plain", "ru_utf8", "ru_cp1251", "html_alt", "html_only"}
    for kind, raw in mix:
        mail = parse(raw)
        assert not garbled(raw), kind
        assert not mail.defects and not mail.auto_reply and mail.bounce is None, kind
        assert mail.reply_text == mail.body_text, kind
        if kind.startswith("ru"):
            assert CYRILLIC.search(mail.subject) and CYRILLIC.search(mail.body_text), kind

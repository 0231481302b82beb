"""Parsing messages built here byte by byte: the Russian cases real mailers produce
(Outlook replies, undeclared windows-1251, KOI8-R, mislabelled charsets), odd
attachment names, classification, and input that is not mail at all."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okno.channels.mail.parsing import ParsedMail, UnparseableMail, parse


def mail(headers: str, body: bytes = b"") -> bytes:
    """A message from header lines (written as UTF-8) and a body."""
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def test_russian_outlook_reply_keeps_the_answer_and_drops_the_quote():
    text = (
        "Добрый день!\r\n\r\nСпасибо, всё заработало.\r\n\r\nС уважением,\r\nИван Петров\r\n\r\n"
        "От: Служба поддержки <support@example.test>\r\n"
        "Отправлено: 15 марта 2024 г. 10:00\r\n"
        "Кому: Иван Петров <ivan@example.org>\r\n"
        "Тема: RE: [#2026-000123] Не могу войти\r\n\r\n"
        "Здравствуйте, Иван!\r\nПопробуйте войти ещё раз.\r\n"
    )
    html = (
        "<html><head><meta http-equiv=Content-Type content='text/html; charset=windows-1251'>"
        "<style><!-- p.MsoNormal {margin:0} --></style></head><body lang=RU>"
        "<div class=WordSection1><p class=MsoNormal>Добрый день!<o:p></o:p></p>"
        "<p class=MsoNormal>Спасибо, всё заработало.</p>"
        "<div id=divRplyFwdMsg><p class=MsoNormal><b>От:</b> Служба поддержки<br><b>Отправлено:</b> 15 марта</p></div>"
        "<p>Здравствуйте, Иван!</p></div></body></html>"
    )
    raw = mail(
        """
From: =?windows-1251?B?yOLg7SDP5fLw7uI=?= <ivan@example.org>
To: support@example.test
Subject: =?windows-1251?Q?RE=3A_=5B=232026-000123=5D_=CD=E5_=EC=EE=E3=F3_=E2=EE=E9=F2=E8?=
Date: Fri, 15 Mar 2024 10:30:00 +0300
Message-ID: <reply-1@example.org>
In-Reply-To: <okno-1@example.test>
References: <okno-0@example.test>
 <okno-1@example.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"
""",
        b"--b1\r\nContent-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + text.encode("cp1251")
        + b"\r\n--b1\r\nContent-Type: text/html; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + html.encode("cp1251")
        + b"\r\n--b1--\r\n",
    )
    parsed = parse(raw)
    assert parsed.subject == "RE: [#2026-000123] Не могу войти"
    assert parsed.sender is not None and parsed.sender.name == "Иван Петров"
    assert parsed.in_reply_to == ["okno-1@example.test"]
    assert parsed.references == ["okno-0@example.test", "okno-1@example.test"]
    assert parsed.reply_text == "Добрый день!\n\nСпасибо, всё заработало.\n\nС уважением,\nИван Петров"
    assert "Попробуйте войти ещё раз." in parsed.body_text  # the whole text is kept
    assert "divRplyFwdMsg" in parsed.body_html
    assert not parsed.defects


def test_html_only_outlook_reply_is_cut_at_the_quote_container():
    html = (
        "<div>Ответ клиента</div><div id=appendonsend></div><hr>"
        "<div id=divRplyFwdMsg><b>From:</b> Support<br><b>Sent:</b> Friday</div><div>старое</div>"
    )
    raw = mail(
        "From: a@example.org\nSubject: Re: x\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        html.encode(),
    )
    parsed = parse(raw)
    assert parsed.reply_text == "Ответ клиента"
    assert "старое" in parsed.body_text


def test_undeclared_8bit_windows_1251_body_and_headers_are_detected():
    """What Outlook Express and many web forms send: raw 8-bit, no charset at all.
    django-helpdesk turns every such body into U+FFFD."""
    body = "Здравствуйте!\r\nПрошу вернуть деньги за заказ 123.\r\nС уважением,\r\nМария Смирнова\r\n"
    raw = (
        b"From: " + "Мария Смирнова".encode("cp1251") + b" <maria@example.org>\r\n"
        b"Subject: " + "Жалоба на работу оператора".encode("cp1251") + b"\r\n"
        b"Date: Fri, 1 Mar 2024 10:00:00 +0300\r\nMessage-ID: <cp1251@example.org>\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("cp1251")
    )
    parsed = parse(raw)
    assert parsed.subject == "Жалоба на работу оператора"
    assert parsed.sender is not None and parsed.sender.name == "Мария Смирнова"
    assert parsed.body_text == body.replace("\r\n", "\n").strip()
    assert "charset-undeclared:text/plain" in parsed.defects
    assert "charset-undeclared:header" in parsed.defects


def test_undeclared_8bit_utf8_is_read_as_utf8():
    raw = b"From: a@example.org\r\nSubject: " + "Ошибка в счёте".encode() + b"\r\n\r\n" + "Текст".encode()
    parsed = parse(raw)
    assert (parsed.subject, parsed.body_text) == ("Ошибка в счёте", "Текст")


@pytest.mark.parametrize("declared", ["koi8-r", None])
def test_koi8_r_declared_or_not(declared):
    body = "Здравствуйте! Не приходит SMS-код, прошу разобраться.\nИван"
    content_type = f"Content-Type: text/plain; charset={declared}\r\n".encode() if declared else b""
    raw = b"From: a@example.org\r\nSubject: test\r\n" + content_type + b"\r\n" + body.encode("koi8_r")
    assert parse(raw).body_text == body


def test_windows_1251_labelled_latin1_is_read_as_cyrillic():
    body = "Прошу разобраться как можно скорее. Обращаюсь уже в третий раз."
    raw = mail("From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1", body.encode("cp1251"))
    parsed = parse(raw)
    assert parsed.body_text == body
    assert "charset-mismatch:text/plain" in parsed.defects


def test_real_latin1_is_not_taken_for_mislabelled_cyrillic():
    for text in ("Été à Paris", "Réponse à votre demande: déjà envoyé, où est le problème? Très bien."):
        raw = mail("From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1", text.encode("latin-1"))
        parsed = parse(raw)
        assert parsed.body_text == text
        assert not [d for d in parsed.defects if "charset" in d]


def test_windows_1251_labelled_utf8_is_read_as_cyrillic():
    body = "Мой номер договора 12345. Прошу разобраться."
    raw = mail("From: a@example.org\nContent-Type: text/plain; charset=utf-8", body.encode("cp1251"))
    assert parse(raw).body_text == body


def test_encoded_words_split_inside_a_character_and_broken_ones():
    whole = "Заявка".encode()
    first, second = base64.b64encode(whole[:3]).decode(), base64.b64encode(whole[3:]).decode()
    raw = mail(
        f"From: =?utf-8?B?{first}?= =?utf-8?B?{second}?= <a@example.org>\n"
        "Subject: =?utf-8?Q?=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82 world?= =?NONE?B?VEVTVA=?= =?utf-8*ru?B?0JzQuNGA?=\n"
        "To: undisclosed-recipients:;"
    )
    parsed = parse(raw)
    assert parsed.sender is not None and parsed.sender.name == "Заявка"
    assert parsed.subject == "Привет worldTESTМир"
    assert parsed.to == []
    assert "malformed-address-header" not in parsed.defects


def test_attachment_names_are_decoded_and_made_safe():
    parts = [
        ("attachment; filename*=windows-1251''%D1%EA%E0%ED.pdf", b"%PDF-1"),
        ('attachment; filename="=?utf-8?B?0KHRh9C10YIucGRm?="', b"%PDF-2"),
        ('attachment; filename="..\\..\\Windows\\evil.exe"', b"MZ"),
        ('attachment; filename="invoice\u202efdp.exe"', b"MZ"),
        ("attachment", b"no name"),
        ('attachment; filename="' + "Отчёт.txt".encode("cp1251").decode("latin-1") + '"', b"8-bit name"),
    ]
    body = b""
    for disposition, data in parts:
        body += (
            b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            + b"Content-Disposition: "
            + disposition.encode("utf-8" if "\u202e" in disposition else "latin-1")
            + b"\r\n\r\n"
            + base64.b64encode(data)
            + b"\r\n"
        )
    raw = mail('From: a@example.org\nContent-Type: multipart/mixed; boundary="b"', body + b"--b--\r\n")
    parsed = parse(raw)
    assert [a.filename for a in parsed.attachments] == [
        "Скан.pdf",
        "Счет.pdf",
        "evil.exe",
        "invoicefdp.exe",
        "attachment-5.bin",
        "Отчёт.txt",
    ]
    assert [a.data for a in parsed.attachments] == [data for _, data in parts]
    assert parsed.body_text == ""


def test_inline_image_in_related_html_keeps_its_content_id():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n-image-").decode()
    raw = mail(
        'From: a@example.org\nContent-Type: multipart/related; boundary="r"',
        (
            '--r\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n'
            '<p>Скриншот:</p><img src="cid:shot@x">\r\n'
            "--r\r\nContent-Type: image/png\r\nContent-ID: <shot@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"{png}\r\n--r--\r\n"
        ).encode(),
    )
    parsed = parse(raw)
    assert parsed.body_text == "Скриншот:"
    (image,) = parsed.attachments
    assert (image.filename, image.content_id, image.inline) == ("attachment-1.png", "shot@x", True)
    assert image.data == b"\x89PNG\r\n\x1a\n-image-"


def test_format_flowed_lines_are_joined():
    raw = mail(
        "From: a@example.org\nContent-Type: text/plain; charset=utf-8; format=flowed",
        "Это длинная строка, \r\nперенесённая почтовым клиентом.\r\n\r\n-- \r\nИван\r\n".encode(),
    )
    assert parse(raw).body_text == "Это длинная строка, перенесённая почтовым клиентом.\n\n-- \nИван"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied", "auto-submitted"),
        ("Auto-Submitted: auto-generated", "auto-submitted"),
        ("X-Autoreply: yes", "x-autoreply"),
        ("X-Autorespond: Out of office", "x-autoreply"),
        ("X-Auto-Response-Suppress: OOF", "x-auto-response-suppress"),
        ("Precedence: bulk", "precedence"),
        ("Precedence: junk", "precedence"),
        ("Subject: Автоответ: Re: заявка", "out-of-office"),
        ("Subject: Автоматический ответ: Не могу войти", "out-of-office"),
        ("Subject: Нет на месте до 15 марта", "out-of-office"),
        ("Subject: Out of Office: Invoice", "out-of-office"),
        ("List-Id: <news.example.org>", "list"),
        ("List-Unsubscribe: <mailto:leave@example.org>", "list"),
        ("Return-Path: <>", "null-sender"),
    ],
)
def test_automatic_mail_is_recognised(headers, reason):
    subject = "" if headers.startswith("Subject:") else "Subject: Re: hello\n"
    parsed = parse(mail(f"From: Ivan <ivan@example.org>\n{subject}{headers}", b"text"))
    assert parsed.auto_reply == reason
    assert parsed.bounce is None


def test_people_are_not_auto_replies():
    for headers in ("Auto-Submitted: no", "Precedence: first-class", "Subject: Office hours question"):
        raw = mail(f"From: ivan@example.org\n{headers}", "Не могу войти".encode())
        assert parse(raw).auto_reply == "", headers


def test_a_read_receipt_is_automatic_not_a_bounce():
    raw = mail(
        'From: ivan@example.org\nSubject: Read: x\nContent-Type: multipart/report; report-type=disposition-notification; boundary="m"',
        b"--m\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        b"--m\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Final-Recipient: rfc822; ivan@example.org\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
        b"--m--\r\n",
    )
    parsed = parse(raw)
    assert parsed.auto_reply == "disposition-notification"
    assert parsed.bounce is None


def test_delayed_dsn_with_returned_headers():
    raw = mail(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.test>\nSubject: Delayed Mail (still being retried)\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\nAuto-Submitted: auto-replied',
        b"--d\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n"
        b"--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"
        b"Final-Recipient: rfc822; <ivan@example.org>\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        b"Diagnostic-Code: smtp; 421 4.4.1 Connection timed\r\n  out\r\n"
        b"--d\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"From: support@example.test\r\nMessage-ID: <okno-42@example.test>\r\nSubject: Your appeal\r\n"
        b"--d--\r\n",
    )
    bounce = parse(raw).bounce
    assert bounce is not None
    assert (bounce.action, bounce.status, bounce.is_failure) == ("delayed", "4.4.1", False)
    assert bounce.recipients == ["ivan@example.org"]
    assert bounce.diagnostic == "421 4.4.1 Connection timed out"
    assert bounce.original_message_id == "okno-42@example.test"


def test_dates():
    assert parse(mail("From: a@b.c\nDate: Fri, 1 Mar 2024 10:00:00 -0000")).date == datetime(2024, 3, 1, 10, tzinfo=UTC)
    broken = parse(mail("From: a@b.c\nDate: the day before yesterday"))
    assert broken.date is None and "bad-date" in broken.defects
    missing = parse(mail("From: a@b.c"))
    assert missing.date is None and "no-date" in missing.defects


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b"  \r\n\r\n", "empty message"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00binary", "binary data, not a message"),
        (b"Just some text without any headers\nat all.\n", "no header block"),
    ],
)
def test_nothing_usable_is_refused_with_a_reason(raw, reason):
    with pytest.raises(UnparseableMail) as caught:
        parse(raw)
    assert caught.value.reason == reason


def test_deep_nesting_does_not_crash():
    depth = 120
    body = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1) for i in range(depth)
    )
    body += b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" % depth
    body += b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    raw = mail('From: a@example.org\nContent-Type: multipart/mixed; boundary="b0"', body)
    try:
        parsed = parse(raw)
    except UnparseableMail as exc:
        assert exc.reason
    else:
        assert "nesting-too-deep" in parsed.defects


_VALID = mail(
    "From: =?utf-8?B?0JjQstCw0L0=?= <ivan@example.org>\nSubject: =?koi8-r?Q?=F4=C5=D3=D4?=\nDate: Fri, 1 Mar 2024 10:00:00 +0300\n"
    'Content-Type: multipart/mixed; boundary="x"',
    b"--x\r\nContent-Type: text/plain; charset=windows-1251\r\n\r\n\xcf\xf0\xe8\xe2\xe5\xf2\r\n"
    b"--x\r\nContent-Type: application/pdf; name*=utf-8''%D0%90.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n"
    b"--x--\r\n",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_bytes_parse_or_are_refused(data):
    """Fuzz: random bytes, and a valid message with random damage, never raise
    anything but UnparseableMail."""
    if data.draw(st.booleans()):
        raw = data.draw(st.binary(max_size=2000))
    else:
        raw = bytearray(_VALID)
        for _ in range(data.draw(st.integers(1, 20))):
            pos = data.draw(st.integers(0, len(raw) - 1))
            raw[pos : pos + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
        raw = bytes(raw)
    try:
        result = parse(raw)
    except UnparseableMail as exc:
        assert exc.reason
    else:
        assert isinstance(result, ParsedMail)

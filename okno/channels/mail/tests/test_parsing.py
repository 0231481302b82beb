"""Parsing real messages from public test suites (``data/``, see ``data/NOTICE.md``):
what an agent would see for each of the hard cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from okno.channels.mail.parsing import ParsedMail, parse

DATA = Path(__file__).parent / "data"


def sample(name: str) -> ParsedMail:
    return parse((DATA / name).read_bytes())


def test_windows_1251_8bit_body_and_encoded_headers_read_as_russian():
    mail = sample("cp1251-8bit-with-forward.eml")
    assert mail.sender is not None and mail.sender.name == "Каукин Владимир"
    assert mail.sender.address == "k1@yandex.ru"
    assert [a.name for a in mail.to] == ["ТЮМЕНЬ"]
    assert [c.address for c in mail.cc] == ["aa@com.ru", "mm@com.ru"]
    assert "отдел расписания\nтел. (343) 072-00-00 (вн.18-59)" in mail.body_text
    assert "\ufffd" not in mail.body_text + mail.body_html
    assert "<p>SCR<br>" in mail.body_html
    assert mail.in_reply_to == ["1333139463.20190207083243@com.ru"]
    assert mail.references == ["1333139463.20190207083243@com.ru"]
    assert mail.date == datetime(2019, 2, 7, 13, 18, 20, tzinfo=timezone(timedelta(hours=5)))
    assert not mail.defects and not mail.auto_reply and mail.bounce is None


def test_a_forwarded_message_is_an_eml_attachment_that_parses_again():
    (forwarded,) = sample("cp1251-8bit-with-forward.eml").attachments
    assert (forwarded.filename, forwarded.content_type) == ("Message01.eml", "message/rfc822")
    inner = parse(forwarded.data)
    assert inner.message_id == "09ccd226-f9e9-77e0-e456-3490e024d16e@com.ru"
    assert inner.sender is not None and inner.sender.name == "Каукин Владимир"
    assert "-------- Перенаправленное сообщение --------" in inner.body_text
    assert "Ввод рейсов ТЮМ, ЧЛБ, ОМС на Лето 2019" in inner.body_text
    # The timeline shows what the forwarder wrote, not the forwarded message.
    assert inner.reply_text.replace("\xa0", " ") == "Добрый день, уважаемые коллеги!"


def test_embedded_message_keeps_its_own_russian_text():
    mail = sample("embedded-message.eml")
    assert mail.body_text == "Hello"
    (enclosed,) = mail.attachments
    assert (enclosed.filename, enclosed.content_type, enclosed.inline) == ("thanks.eml", "message/rfc822", False)
    inner = parse(enclosed.data)
    assert inner.subject == "Thanks!"
    assert "чтобы я без вас делал, дорогие мои!!!" in inner.body_text
    assert "\ufffd" not in inner.body_text


def test_iso_2022_jp_headers_and_body():
    mail = sample("iso-2022-jp.eml")
    assert mail.subject == "まみむめも"
    assert mail.body_text == "すみません。"
    assert mail.to[0].name == "みける"


def test_iso_2022_jp_with_windows_extensions_is_not_garbled():
    """Russian written in ISO-2022-JP (JIS X 0208 has Cyrillic) with a NEC "№" that
    Python's strict codecs reject: read as Windows does (CP50220)."""
    mail = sample("iso-2022-jp-cp50220-russian.eml")
    assert mail.subject == "ЖД№41 от 28.09.2016"
    assert "no-from" in mail.defects and mail.sender is None


def test_rfc2231_filename_in_sections_is_joined_and_decoded():
    mail = sample("rfc2231-continued-filename.eml")
    (attachment,) = mail.attachments
    assert attachment.filename == "かきくけこ" * 5 + ".txt"
    assert attachment.data.strip() == b"this is the data"
    assert mail.body_text == ""


def test_html_only_mail_gets_text_and_keeps_its_inline_image():
    mail = sample("html-only-inline-image.eml")
    assert mail.body_text.startswith("Здравствуйте!\n\nЕсли у Вас уже есть почтовые ящики")
    assert "<" not in mail.body_text  # no markup leaks into the text
    assert "<html" in mail.body_html.lower() or "<div" in mail.body_html.lower()
    (image,) = mail.attachments
    assert (image.filename, image.content_type, image.inline) == ("collector.jpg", "image/jpeg", True)
    assert image.content_id == "collector.jpg@parts.yandex.ru"
    assert f"cid:{image.content_id}" in mail.body_html
    assert image.data[:3] == b"\xff\xd8\xff"  # a JPEG, transfer-decoded


def test_delivery_status_notification_names_the_bounced_message():
    mail = sample("dsn-yandex.eml")
    assert mail.subject == "Недоставленное сообщение"
    bounce = mail.bounce
    assert bounce is not None and bounce.is_failure
    assert bounce.original_message_id == "28011417886669@web21h.yandex.ru"
    assert bounce.recipients == ["mikeneko@example.jp", "sabineko@example.jp"]
    assert (bounce.action, bounce.status) == ("failed", "5.2.1")
    assert bounce.diagnostic.startswith("550 5.2.1")
    assert mail.auto_reply == ""  # a bounce is not an auto-reply
    assert [a.content_type for a in mail.attachments] == ["message/rfc822"]


def test_free_text_mta_bounce_is_recognised_with_the_returned_message_id():
    mail = sample("bounce-mailru-exim.eml")
    bounce = mail.bounce
    assert bounce is not None and bounce.is_failure
    assert bounce.original_message_id == "13452610-064D-4EF7-BAB5-FF1B6CAC1385@mail.example.ru"
    assert bounce.recipients == ["kijitora@example.jp"]
    assert bounce.status == "5.2.2"
    assert "Mailbox Full" in bounce.diagnostic
    assert mail.auto_reply == ""


def test_outlook_automatic_reply_is_an_auto_reply():
    mail = sample("auto-reply-outlook.eml")
    assert mail.auto_reply
    assert mail.bounce is None
    assert mail.headers["x-auto-response-suppress"] == "All"
    assert mail.sender is not None and mail.sender.name == "Neko, Nyaan"


def test_latin1_bytes_in_a_utf8_part_are_read_not_replaced():
    mail = sample("latin1-bytes-in-utf8-part.eml")
    assert "Det här är ett flerdelat meddelande" in mail.body_text
    assert "\ufffd" not in mail.body_text
    assert "charset-mismatch:text/plain" in mail.defects


def test_raw_8bit_latin_subject_is_not_mistaken_for_cyrillic():
    mail = sample("raw-8bit-latin-subject.eml")
    assert mail.subject == "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro"
    assert mail.sender is not None and mail.sender.name == "Formação Frenetikpolis"


def test_base64_encoded_embedded_messages_are_decoded_back():
    mail = sample("base64-encoded-eml-attachments.eml")
    assert [a.filename for a in mail.attachments] == ["yandex_email.eml", "yandex_email.eml"]
    for attachment in mail.attachments:
        inner = parse(attachment.data)
        assert inner.sender is not None and inner.subject


def test_a_broken_header_line_does_not_lose_the_headers_after_it():
    mail = sample("broken-header-line.eml")
    assert mail.subject == "Stop adware/spyware once and for all."
    assert mail.sender is not None and mail.sender.address == "xxx@xxx.xxx"
    assert mail.date == datetime(2005, 2, 23, 22, 20, 17, tzinfo=UTC)
    assert mail.body_text.startswith("You are infected with:")
    assert "repaired-header-block" in mail.defects

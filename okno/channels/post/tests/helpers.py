"""Building paper letters for the tests through the real services, and reading PDFs."""

from __future__ import annotations

import re
import zlib

from okno.appeals.models import Message
from okno.channels.post.models import PaperLetter, PostSettings
from okno.channels.post.services.letters import Address, reply_by_post
from okno.channels.post.services.settings import update_settings
from okno.testing import Org

ADDRESS = Address(
    addressee="Иванов Иван Иванович",
    address="ул. Ленина, д. 5, кв. 12",
    postcode="620014",
    locality="Свердловская обл., г. Екатеринбург",
    phone="+7 912 345-67-89",
)


def configure(org: Org, **changes: object) -> PostSettings:
    values = {
        "org_name": "АО «Банк Окно»",
        "org_address": "125009, г. Москва, ул. Тверская, д. 1",
        "org_requisites": "ИНН 7700000000, ОГРН 1027700000000",
        "office_postcode": "125009",
        "office_name": "ОПС Москва 125009",
        **changes,
    }
    return update_settings(org.adam, values)


def paper_reply(org: Org, text: str = "Уважаемый Иван Иванович! Комиссия возвращена.", **fields: object) -> PaperLetter:
    appeal = org.appeal()
    message: Message = reply_by_post(org.anna, appeal, ADDRESS, body_text=text, **fields)  # type: ignore[arg-type]
    return PaperLetter.objects.get(message=message)


def letters(org: Org, n: int) -> list[PaperLetter]:
    return [paper_reply(org, f"Ответ № {i}") for i in range(n)]


def pdf_unicode_text(pdf: bytes) -> set[str]:
    """The characters the PDF's fonts map to Unicode (its ToUnicode CMaps): what a
    reader can copy out of it; a glyph shown as a box maps to nothing."""
    chars: set[str] = set()
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        try:
            data = zlib.decompress(raw)
        except zlib.error:
            continue
        if b"begincmap" not in data:
            continue
        for src_lo, src_hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", data):
            start = int(dst, 16)
            for k in range(int(src_hi, 16) - int(src_lo, 16) + 1):
                if start + k < 0x110000:
                    chars.add(chr(start + k))
        for _src, dst in re.findall(rb"<([0-9A-Fa-f]{2,4})>\s*<([0-9A-Fa-f]{4,8})>\s*\n", data):
            value = int(dst, 16)
            if value < 0x110000:
                chars.add(chr(value))
    return chars


def pdf_pages(pdf: bytes) -> int:
    """How many pages the PDF has (page objects, also inside compressed object streams)."""
    chunks = [pdf]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", chunk)) for chunk in chunks)


def pdf_text(pdf: bytes) -> list[list[str]]:
    """The strings each page shows, in the order they are drawn, decoded through the
    fonts' ToUnicode maps: what a reader copies out of the document. For the PDFs
    ReportLab writes (one object per ``obj``, Flate-compressed streams, one-byte
    codes per font subset)."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\r?\n(.*?)endobj", pdf, re.S)}

    def stream(n: int) -> bytes:
        body = objects[n]
        data = re.search(rb"stream\r?\n(.*?)\r?\n?endstream", body, re.S)
        assert data is not None
        return zlib.decompress(data.group(1)) if b"/FlateDecode" in body else data.group(1)

    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        name, cmap = re.search(rb"/Name /(\S+)", body), re.search(rb"/ToUnicode (\d+) 0 R", body)
        if name and cmap:
            pairs = re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,8})>", stream(int(cmap.group(1))))
            fonts[name.group(1)] = {int(code, 16): chr(int(char, 16)) for code, char in pairs}
    kids = next(re.search(rb"/Kids \[(.*?)\]", body, re.S) for body in objects.values() if b"/Type /Pages" in body)
    assert kids is not None
    pages = []
    for page in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(page)])
        assert contents is not None
        shown, font = [], b""
        for name, literal in re.findall(
            rb"/(\S+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\) Tj", stream(int(contents.group(1))), re.S
        ):
            if name:
                font = name
            else:
                codes = _unescape(literal)
                shown.append("".join(fonts[font].get(code, "\ufffd") for code in codes))
        pages.append(shown)
    return pages


def _unescape(literal: bytes) -> bytes:
    """A PDF string literal's bytes: backslash escapes and octal codes resolved."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return simple.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)

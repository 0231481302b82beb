"""Bytes and header values from real mail to clean text.

Mail in the wild declares the wrong charset, none at all, or one Python does not
know; headers arrive as raw 8-bit or with broken encoded words. Everything here
decodes without raising and without U+FFFD where a sensible decoder can read the
bytes: the declared charset first, then UTF-8, then a Cyrillic check (short
windows-1251/KOI8-R strings defeat statistical detectors), then charset-normalizer
for longer text, then windows-1252. What went wrong is appended to ``defects``.
"""

from __future__ import annotations

import binascii
import codecs
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache

__all__ = [
    "decode_bytes",
    "decode_header",
    "decode_params",
    "message_ids",
    "parse_addresses",
    "parse_date",
    "safe_filename",
    "unfold",
]

# Names seen in mail mapped to the codec that reads them best: WHATWG-style
# supersets (a message labelled ISO-8859-1 is nearly always windows-1252, GB2312 is
# GB18030 in practice), labels Python does not know, and labels that mean "unknown".
_ALIASES: dict[str, str | None] = {
    "us-ascii": "ascii", "ascii": "ascii", "ansi_x3.4-1968": "ascii", "iso646-us": "ascii", "us": "ascii",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "l1": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252", "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "windows-874": "cp874", "x-mac-cyrillic": "mac_cyrillic", "x-mac-ukrainian": "mac_cyrillic",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "euc-kr": "cp949", "x-windows-949": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cn-gb": "gb18030",
    "chinese": "gb18030", "big5": "big5hkscs", "x-x-big5": "big5hkscs", "shift_jis": "cp932",
    "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932", "windows-31j": "cp932",
    "iso-8859-8-i": "iso8859_8", "iso-8859-8-e": "iso8859_8", "iso-8859-6-i": "iso8859_6",
    "iso-8859-6-e": "iso8859_6", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "unknown-8bit": None, "x-unknown": None, "unknown": None, "none": None, "8bit": None, "7bit": None,
    "default": None, "charset": None, "x-user-defined": None, "binary": None, "ansi": None, "dos": None,
    "us-ascii-8bit": None, "": None,
}  # fmt: skip
# Where a strict decode with the declared codec fails, its more liberal relatives.
_RELATIVES = {
    "cp1252": ("latin-1",),
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3"),
    "cp932": ("shift_jis_2004",),
    "euc_jp": ("euc_jis_2004",),
}
_WESTERN = {"cp1252", "latin_1", "iso8859_15"}  # labels misconfigured Russian mailers put on anything


_JIS_ESCAPE = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI])")


def _iso2022jp_as_cp932(data: bytes) -> str:
    """ISO-2022-JP as Windows writes it (CP50220: NEC row 13 "①", "№", "㈱" and IBM
    extensions, which Python's iso2022_jp codecs reject): re-encoded as Shift_JIS
    and read with cp932."""
    out = bytearray()
    mode = b"(B"
    pos = 0
    for match in [*_JIS_ESCAPE.finditer(data), None]:
        chunk = data[pos : match.start() if match else len(data)]
        if mode.startswith(b"$"):
            for i in range(0, len(chunk) - 1, 2):
                j1, j2 = chunk[i], chunk[i + 1]
                s1 = ((j1 + 1) >> 1) + 0x70
                s1 += 0x40 if s1 >= 0xA0 else 0
                if j1 % 2:
                    s2 = j2 + 0x1F
                    s2 += 1 if s2 >= 0x7F else 0
                else:
                    s2 = j2 + 0x7E
                out += bytes((s1 & 0xFF, s2 & 0xFF))
        elif mode == b"(I":
            out += bytes((b | 0x80) for b in chunk)
        else:
            out += chunk
        if match:
            mode = match.group(1)
            pos = match.end()
    return out.decode("cp932", errors="replace").replace("\ufffd", "?")


@lru_cache(maxsize=256)
def _codec(label: str) -> tuple[str | None, bool]:
    """(codec name or None for "unknown", whether the label was recognised)."""
    key = label.strip().strip("\"'").lower()
    if key in _ALIASES:
        return _ALIASES[key], True
    if not key.isascii():
        return None, False
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError):
        pass
    else:
        # "quopri", "base64", "zlib" are codecs too, but not for text.
        return (info.name, True) if getattr(info, "_is_text_encoding", True) else (None, False)
    # "utf-8*ru" (RFC 2231 language) and "windows-1251;" (stray punctuation)
    trimmed = re.split(r"[*;,\s]", key, maxsplit=1)[0]
    if trimmed != key:
        return _codec(trimmed)
    return None, False


# --- undeclared 8-bit text ------------------------------------------------------------------

# Russian letter frequencies (per cent), for telling windows-1251 from KOI8-R and others.
_RU_FREQ = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (10.97, 8.45, 8.01, 7.35, 6.7, 6.26, 5.47, 4.73, 4.54, 4.4, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.9,
         1.74, 1.7, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04),
        strict=True,
    )
)  # fmt: skip
_CYRILLIC_CODECS = (("cp1251", 0.3), ("koi8_r", 0.0))  # (codec, prior): the two that mail uses
_HIGH = re.compile(rb"[\x80-\xff]")
_ASCII_LETTERS = re.compile(rb"[A-Za-z]")
_WORD = re.compile(rb"[A-Za-z\x80-\xff]+")
_CAMEL = re.compile(r"[а-яё][А-ЯЁ]")


def _cyrillic_guess(data: bytes, *, overriding: bool = False) -> str | None:
    """Which of "cp1251" and "koi8_r" ``data`` reads as Russian text in, or None.

    Western accents are sparse among ASCII letters, Russian words are runs of high
    bytes. Between the two tables: letter frequencies, and case — a wrong table
    swaps upper and lower case, so real text has few capitals and none inside words.
    ``overriding`` a declared charset asks for more evidence: French "Été à Paris"
    is all high bytes too.
    """
    high = len(_HIGH.findall(data))
    if not high or (overriding and high < 12):
        return None
    # Only words with high bytes count: addresses and English words around them do not.
    words = [w for w in _WORD.findall(data) if _HIGH.search(w)]
    if high < 0.6 * sum(len(w) for w in words):
        return None
    best, best_score = None, 3.5 if overriding else 2.5
    for codec, prior in _CYRILLIC_CODECS:
        text = data.decode(codec, errors="replace")
        letters = upper = 0
        freq = 0.0
        for ch in text:
            if "Ѐ" <= ch <= "ӿ":
                letters += 1
                low = ch.lower()
                upper += low != ch
                freq += _RU_FREQ.get(low, 0.1)
        if letters < 0.8 * high:
            continue
        score = freq / letters - upper / letters - 10.0 * len(_CAMEL.findall(text)) / letters + prior
        if score > best_score:
            best, best_score = codec, score
    return best


def _undeclared(data: bytes, hints: tuple[str, ...] = ()) -> tuple[str, str]:
    """(text, codec) for 8-bit bytes without a usable declaration."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    cyrillic = _cyrillic_guess(data)
    if cyrillic:
        return _lossy(data, cyrillic), cyrillic
    for hint in hints:
        codec = _codec(hint)[0]
        if codec and codec not in ("ascii", "utf-8", *_WESTERN):
            try:
                return data.decode(codec), codec
            except (UnicodeDecodeError, LookupError):
                continue
    high = len(_HIGH.findall(data))
    if len(data) >= 64 and high >= 0.3 * (high + len(_ASCII_LETTERS.findall(data))):
        # Mostly non-Latin and not Cyrillic (Greek, CJK, Hebrew …): ask the detector. A
        # few high bytes among Latin letters are Western accents, which it misreads.
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
        if match is not None and match.encoding not in ("ascii", "utf_8"):
            try:
                return data.decode(match.encoding), match.encoding
            except (UnicodeDecodeError, LookupError):
                pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _lossy(data: bytes, codec: str) -> str:
    """For single-byte Cyrillic tables, whose few unassigned bytes (0x98 in
    windows-1251) are stray: "?" rather than U+FFFD."""
    return data.decode(codec, errors="replace").replace("\ufffd", "?")


def _mixed_handler(codec: str) -> Callable[[UnicodeError], tuple[str, int]]:
    def handler(error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeDecodeError)
        chunk = bytes(error.object[error.start : error.end])
        return chunk.decode(codec, errors="replace").replace("\ufffd", "?"), error.end

    return handler


# Bytes that are not UTF-8 inside UTF-8 text (a footer in windows-1251 or -1252 glued
# to a UTF-8 body) are read in that single-byte charset rather than lost.
for _codec_name in ("cp1251", "koi8_r", "cp1252"):
    codecs.register_error(f"okno-mail-utf8-{_codec_name}", _mixed_handler(_codec_name))
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_mixed(data: bytes) -> str:
    rest = _UTF8_SEQUENCE.sub(b"", data)
    codec = _cyrillic_guess(rest) or "cp1252"
    return data.decode("utf-8", errors=f"okno-mail-utf8-{codec}")


def decode_bytes(
    data: bytes, declared: str | None, defects: list[str], where: str = "body", hints: tuple[str, ...] = ()
) -> str:
    """Text from ``data`` written in the ``declared`` charset (or none)."""
    if not data:
        return ""
    codec = None
    if declared:
        codec, known = _codec(declared)
        if not known:
            defects.append(f"unknown-charset:{where}:{declared.strip()[:40]}")
    if data.isascii():
        if codec and codec.startswith(("utf_16", "utf_32", "utf-16", "utf-32", "utf_7", "utf-7", "iso2022", "hz")):
            for candidate in (codec, *_RELATIVES.get(codec, ())):
                try:
                    return data.decode(candidate)
                except UnicodeDecodeError:
                    continue
            if codec.startswith("iso2022_jp"):
                return _iso2022jp_as_cp932(data)
            defects.append(f"charset-mismatch:{where}")
        return data.decode("ascii")
    if codec and codec != "ascii":
        if codec in _WESTERN:
            # windows-1251 labelled Latin-1 (or UTF-8 labelled so) is a classic; Latin
            # text is never mostly high bytes, nor valid multi-byte UTF-8 by accident.
            cyrillic = _cyrillic_guess(data, overriding=True)
            if cyrillic:
                defects.append(f"charset-mismatch:{where}")
                return _lossy(data, cyrillic)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                defects.append(f"charset-mismatch:{where}")
                return text
        for candidate in (codec, *_RELATIVES.get(codec, ())):
            try:
                return data.decode(candidate)
            except UnicodeDecodeError:
                continue
        defects.append(f"charset-mismatch:{where}")
        if codec == "utf-8":
            if _cyrillic_guess(data) is None:
                return _utf8_mixed(data)
        elif codec in ("cp1251", "koi8_r"):
            return _lossy(data, codec)
    elif codec is None and declared is None:
        defects.append(f"charset-undeclared:{where}")
    elif codec == "ascii":
        defects.append(f"charset-mismatch:{where}")
    return _undeclared(data, hints)[0]


# --- header values --------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n(?=[ \t])|\r\n?|\n")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"\s*")
_Q_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def unfold(value: str) -> str:
    return _FOLD.sub("", value) if "\n" in value or "\r" in value else value


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _b_decode(text: str) -> bytes:
    data = re.sub(r"[^A-Za-z0-9+/]", "", text)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data + "=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""


def _q_decode(text: str) -> bytes:
    raw = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return _Q_HEX.sub(lambda m: bytes((int(m.group(1), 16),)), raw)


def _decode_words(value: str, defects: list[str], hints: tuple[str, ...]) -> str:
    """Decode RFC 2047 encoded words anywhere in ``value`` (also inside quotes, where
    they are not allowed but common). Adjacent words in one charset are joined
    before decoding, so a character split across two words survives."""
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending:
            label = pending_charset.split("*", 1)[0] if pending_charset else None
            out.append(decode_bytes(b"".join(pending), label, defects, "header", hints))
            pending.clear()
        pending_charset = None

    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if gap and (not pending or _BETWEEN_WORDS.fullmatch(gap) is None):
            flush()
            out.append(gap)
        charset, kind, text = match.groups()
        data = _b_decode(text) if kind in "bB" else _q_decode(text)
        if pending and charset.lower() != (pending_charset or "").lower():
            flush()
        pending_charset = charset
        pending.append(data)
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def decode_header(raw: str | None, defects: list[str], hints: tuple[str, ...] = ()) -> str:
    """A header value as text: unfolded, raw 8-bit and encoded words decoded."""
    if not raw:
        return ""
    value = unfold(raw)
    if _has_surrogates(value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"), None, defects, "header", hints)
    if "=?" in value:
        value = _decode_words(value, defects, hints)
    return _clean(value).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: str) -> str:
    return _CONTROL.sub("", value) if not value.isprintable() else value


# --- addresses, ids, dates --------------------------------------------------------------------

_ADDR_FALLBACK = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+")
_EMPTY_GROUP = re.compile(r"^[^:<>@]*:[\s;]*$")  # undisclosed-recipients:;
_ADDR_SPEC = r"[^<>()\s,;:\"\\\[\]]+@[^<>()\s,;:\"\\\[\]]+"
# "Name" <a@b>, Name <a@b>, =?utf-8?b?…?= <a@b>, a@b: what nearly every header holds.
_SIMPLE_ADDRESS = re.compile(
    rf"""\s*(?:(?:"((?:[^"\\]|\\.)*)"|([^",<>()\\;:@\[\]]*?))\s*<({_ADDR_SPEC})>|({_ADDR_SPEC}))\s*(?:,|$)"""
)


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """The pairs in ``value`` if it is a plain list, else None (for getaddresses)."""
    pairs = []
    pos, end = 0, len(value.rstrip())
    while pos < end:
        match = _SIMPLE_ADDRESS.match(value, pos)
        if match is None or match.end() == pos:
            return None
        quoted, bare, angle, lone = match.groups()
        if lone:
            pairs.append(("", lone))
        else:
            name = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else (bare or "").strip()
            pairs.append((name, angle))
        pos = match.end()
    return pairs


def parse_addresses(raw: str | None, defects: list[str], hints: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(display name, address) pairs; the name decoded, the address as given, stripped of <>."""
    if not raw:
        return []
    value = unfold(raw)
    if _has_surrogates(value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"), None, defects, "header", hints)
    simple = _simple_addresses(value)
    pairs = simple if simple is not None else [p for p in getaddresses([value]) if p != ("", "")]
    if not pairs and value.strip() and not _EMPTY_GROUP.match(value):
        pairs = [p for p in getaddresses([value], strict=False) if any(p)]
        if not pairs:
            pairs = [("", a) for a in _ADDR_FALLBACK.findall(value)]
        defects.append("malformed-address-header")
    result = []
    for name, address in pairs:
        name = decode_header(name, defects, hints) if name else ""
        address = address.strip().strip("<>").strip()
        if "=?" in address:
            address = decode_header(address, defects, hints)
        if address or name:
            result.append((name, address))
    return result


_ID = re.compile(r"<([^<>]*)>")
_WS = re.compile(r"\s+")


def message_ids(raw: str | None) -> list[str]:
    """Message-IDs without <>, in order, duplicates dropped (References, In-Reply-To)."""
    if not raw:
        return []
    value = unfold(raw)
    found = _ID.findall(value)
    if not found:
        found = [v for v in re.split(r"[\s,]+", value) if "@" in v]
    ids: dict[str, None] = {}
    for item in found:
        item = _WS.sub("", item)
        if item and _has_surrogates(item) is False:
            ids.setdefault(item, None)
    return list(ids)


def parse_date(raw: str | None, defects: list[str]) -> datetime | None:
    if not raw:
        defects.append("no-date")
        return None
    value = unfold(raw).strip()
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("bad-date")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# --- MIME parameters and file names ------------------------------------------------------------

_PARAM = re.compile(
    r"""\s*([^\s=;"]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"?|[^;]*))?\s*(?:;|$)""",
)
_SECTION = re.compile(r"^(.+?)(?:\*(\d+))?(\*)?$")


def decode_params(raw: str | None, defects: list[str], hints: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    """The value and the decoded parameters of Content-Type or Content-Disposition:
    RFC 2231 sections and charsets, encoded words and raw 8-bit in quoted values."""
    if not raw:
        return "", {}
    value, params, found = _params(raw, hints)
    defects.extend(found)
    return value, dict(params)


@lru_cache(maxsize=1024)  # the same few Content-Type values recur in every message
def _params(raw: str, hints: tuple[str, ...]) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    defects: list[str] = []
    value = unfold(raw)
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for match in _PARAM.finditer(rest):
        if not match.group(0).strip():
            continue
        key = match.group(1).lower()
        val = (match.group(2) or "").strip()
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            # Only \\ and \": Outlook writes Windows paths unescaped in quoted names.
            val = val.replace("\\\\", "\\").replace('\\"', '"')
        star = _SECTION.match(key)
        if star and (star.group(2) is not None or star.group(3)):
            name = star.group(1)
            index = int(star.group(2) or 0)
            sections.setdefault(name, {})[index] = (val, bool(star.group(3)))
        elif key not in params:
            params[key] = val
    for name, parts in sections.items():
        charset = ""
        data = b""
        for index in sorted(parts):
            val, encoded = parts[index]
            if encoded:
                if index == sorted(parts)[0] and val.count("'") >= 2:
                    charset, _lang, val = val.split("'", 2)
                data += re.sub(
                    rb"%([0-9A-Fa-f]{2})",
                    lambda m: bytes((int(m.group(1), 16),)),
                    val.encode("utf-8", "surrogateescape"),
                )
            else:
                data += val.encode("utf-8", "surrogateescape")
        params[name] = decode_bytes(data, charset or None, defects, "parameter", hints)
    for key, val in params.items():
        if key not in sections:
            params[key] = decode_header(val, defects, hints) if val else ""
    return _clean(head).strip().lower(), tuple(params.items()), tuple(defects)


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*]')


def safe_filename(name: str) -> str:
    """The last path part of ``name`` without control, format (bidi override) or
    Windows-reserved characters; at most 200 characters, the extension kept."""
    if not name:
        return ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = _UNSAFE_NAME.sub("_", name)
    name = _WS.sub(" ", name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 16 else name[:200]
    return name

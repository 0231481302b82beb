"""Cutting the quoted earlier correspondence off a reply, for the timeline.

Own code rather than mail-parser-reply: that library knows no Russian clients
(«… пишет:», «-------- Исходное сообщение --------», Outlook's «От:/Отправлено:»,
Yandex's and Mail.ru's attribution lines), and what is needed fits in a page of
line rules. The full text is always kept elsewhere; this only decides what the
timeline shows, so when in doubt it keeps text rather than drops it: a reply that
would come out empty (a bare forward, an answer written below the quote) keeps
its unquoted lines, or everything.
"""

from __future__ import annotations

import re

__all__ = ["cut_html_quote", "strip_quotes"]

_QUOTED = re.compile(r"^[ \t]*>")
# Lines that start the earlier correspondence wherever they appear.
_SEPARATOR = re.compile(
    r"^[ \t]*(?:"
    r"-{2,}[ \t]*(?:original message|forwarded message|message d'origine|ursprüngliche nachricht|"
    r"исходное сообщение|пересылаемое сообщение|пересланное сообщение|перенаправленное сообщение|"
    r"оригинальное сообщение|конец пересылаемого сообщения)[ \t]*-{2,}"
    r"|(?:begin forwarded message|начало пересылаемого сообщения|начало переадресованного сообщения)[ \t]*:"
    r")",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[ \t]*_{20,}[ \t]*$")
# Outlook's header block: «From:» then, within a few lines, «Sent:»/«To:»/«Subject:».
_FROM_LABEL = re.compile(r"^[ \t]*\*?(?:from|от|отправитель|von|de|från)\*?[ \t]*:", re.IGNORECASE)
_HEADER_LABEL = re.compile(
    r"^[ \t]*\*?(?:sent|date|to|cc|subject|отправлено|дата|кому|копия|тема|gesendet|an|betreff|envoyé|objet|à)"
    r"\*?[ \t]*:",
    re.IGNORECASE,
)
# Attribution lines: «On … wrote:», «… пишет:», and the date-time-address lines of
# Gmail («пт, 15 мар. 2024 г. в 10:00, Имя <a@b>:»), Yandex and Mail.ru.
_WROTE = re.compile(
    r"(?:wrote|writes|a écrit|schrieb|escribió|пишет|писал|писала|написал|написала|написал\(а\)|"
    r"написали|пишут|писал\(а\))[ \t]*:[ \t]*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^[ \t]*(?:on|le|am|el|в|\d{1,4}[./ -]|"
    r"(?:mon|tue|wed|thu|fri|sat|sun|пн|вт|ср|чт|пт|сб|вс|понедельник|вторник|среда|четверг|пятница|"
    r"суббота|воскресенье)\w*\.?,)",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b(?:19|20)\d{2}\b")
_MAX_ATTRIBUTION = 300
# Anything any rule below could start from; text without it has no quote.
_ANY_MARKER = re.compile(
    r"^[ \t]*(?:>|-{2,}|_{20,}|\*?(?:from|от|отправитель|von|de|från)\*?[ \t]*:|begin forwarded|начало пере)"
    r"|:[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def _is_quoted(line: str) -> bool:
    return bool(_QUOTED.match(line))


def _next_content(lines: list[str], start: int) -> str:
    for line in lines[start:]:
        if line.strip():
            return line
    return ""


def _attribution_start(lines: list[str], i: int) -> int | None:
    """Where the attribution ending on line ``i`` starts, if line ``i`` ends one."""
    line = lines[i].rstrip()
    if not line.endswith(":") or _is_quoted(line):
        return None
    single = False
    if len(line) <= _MAX_ATTRIBUTION:
        wrote = _WROTE.search(line)
        dated = "@" in line and _TIME.search(line)
        single = bool(dated or (wrote and (_TIME.search(line) or _is_quoted(_next_content(lines, i + 1)))))
    if single and _ATTRIBUTION_START.match(line):
        return i
    # Wrapped over two or three lines: only when it reads as one from its start.
    for back in (1, 2):
        first = i - back
        if first < 0 or not lines[first].strip() or _is_quoted(lines[first]):
            break
        joined = " ".join(part.strip() for part in lines[first : i + 1])
        if (
            len(joined) <= _MAX_ATTRIBUTION
            and _ATTRIBUTION_START.match(lines[first])
            and (_WROTE.search(joined) or ("@" in joined and _TIME.search(joined)))
        ):
            return first
    return i if single else None


def _outlook_block(lines: list[str], i: int) -> bool:
    if not _FROM_LABEL.match(lines[i]):
        return False
    labels = sum(1 for line in lines[i + 1 : i + 6] if _HEADER_LABEL.match(line))
    return labels >= 2 or (labels == 1 and bool(_HEADER_LABEL.match(lines[i + 1] if i + 1 < len(lines) else "")))


def _first_marker(lines: list[str]) -> int:
    """The index of the line where the earlier correspondence starts, or len(lines)."""
    for i, line in enumerate(lines):
        if not line or _is_quoted(line):
            continue
        if _SEPARATOR.match(line) or _outlook_block(lines, i):
            return i
        if _RULE.match(line) and _FROM_LABEL.match(_next_content(lines, i + 1)):
            return i
        if line.rstrip().endswith(":"):
            start = _attribution_start(lines, i)
            if start is not None:
                return start
    return len(lines)


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quotes(text: str) -> str:
    """``text`` without the quoted earlier correspondence; never empty when ``text`` is
    not. When the quote follows the answer (top-posting, the usual case) the result is
    a prefix of ``text``."""
    if not text:
        return ""
    if not _ANY_MARKER.search(text):
        return text.strip()  # most mail: one regex pass and done
    lines = text.split("\n")
    cut = _first_marker(lines)
    if cut == len(lines) and not any(_QUOTED.match(line) for line in lines):
        return text.strip()
    if not any(_is_quoted(line) for line in lines[:cut]):
        # Cut, nothing removed above: a prefix of ``text``, so the rest is the quote.
        head = "\n".join(lines[:cut]).rstrip()
    else:
        head = _tidy([line for line in lines[:cut] if not _is_quoted(line)])
    if head.strip():
        return head
    # Nothing above the quote: an answer written below it or between its lines, or a
    # bare forward. Keep every unquoted line except the attributions of the quotes.
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _is_quoted(line):
            continue
        start = _attribution_start(lines, i) if line.rstrip().endswith(":") else None
        if start is not None and _is_quoted(_next_content(lines, i + 1)):
            del kept[len(kept) - (i - start) :]
            continue
        kept.append(line)
    return _tidy(kept) or text.strip()


_HTML_QUOTE = re.compile(
    r"<blockquote\b(?![^>]*border:\s*none)"  # Gmail's "indent more" is a borderless blockquote
    r"|<div\b[^>]*\bclass=[\"']?[^\"'>]*\b(?:gmail_quote|moz-cite-prefix|yahoo_quoted|OutlookMessageHeader)"
    r"|<div\b[^>]*\bid=[\"']?(?:divRplyFwdMsg|appendonsend|mail-app-auto-quote|isForwardContent)"
    r"|<hr\b[^>]*\bid=[\"']?stopSpelling",
    re.IGNORECASE,
)


def cut_html_quote(html: str) -> str:
    """The HTML before the first quoting container (blockquote, Gmail's, Thunderbird's,
    Outlook on the web's), or all of it."""
    match = _HTML_QUOTE.search(html)
    return html[: match.start()] if match else html

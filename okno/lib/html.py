"""Sanitising HTML from clients' mail and deriving plain text from it."""

from __future__ import annotations

import html as html_lib
import re

import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s",
    "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}


def sanitize_html(value: str) -> str:
    """Keep structure and text; drop scripts, styles, event handlers, and any
    remote image (air-gapped installations, and no tracking pixels)."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_drop_remote_images,
        strip_comments=True,
    )


def _drop_remote_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.startswith(("cid:", "data:image/")):
        return None
    return value


_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|blockquote|pre|table)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(value: str) -> str:
    """Readable plain text from HTML: line breaks where blocks end, entities decoded."""
    text = _SCRIPT_STYLE.sub("", value)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    text = html_lib.unescape(text)
    lines = [line.strip() for line in text.splitlines()]
    collapsed = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return collapsed.strip()


def text_to_html(value: str) -> str:
    """Plain text as safe HTML paragraphs, for showing a text-only message."""
    paragraphs = re.split(r"\n{2,}", value.strip())
    return "".join("<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip())

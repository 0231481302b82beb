"""Template helpers every page uses."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from okno.lib.html import sanitize_html, text_to_html

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes, rounded up (a lock-out of 14.5 minutes reads as 15)."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))


@register.filter
def sanitized(value: str | None) -> SafeString:
    """HTML a client sent, safe to show: marked safe only because
    ``okno.lib.html.sanitize_html`` produced it here, whatever was stored."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - nh3 output


@register.filter
def paragraphs(value: str | None) -> SafeString:
    """Plain text as escaped paragraphs with line breaks."""
    return mark_safe(text_to_html(value or ""))  # noqa: S308 - text_to_html escapes


@register.filter
def is_in(value: Any, choices: Iterable[Any] | None) -> bool:
    """``value`` among ``choices``, compared as text (ids from a query string are text)."""
    if choices is None:
        return False
    return str(value) in {str(choice) for choice in choices}


@register.filter
def is_one_of(value: Any, words: str) -> bool:
    """``value`` is one of the space-separated ``words`` (a menu's sections)."""
    return value is not None and str(value) in words.split()

from __future__ import annotations

from typing import Any

from django import template

from okno.notifications import services

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """The signed-in user's unread count, for the bell in the layout (one query)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return services.unread_count(user)


@register.filter
def badge_count(value: int) -> str:
    return "99+" if value > 99 else str(value)

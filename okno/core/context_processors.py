from django.conf import settings
from django.http import HttpRequest

from okno.accounts.choices import Role


def okno(request: HttpRequest) -> dict[str, object]:
    """What every page's layout needs: the languages, and which menu items the
    signed-in user gets (role checks only, no queries)."""
    from okno.appeals.access import can_assign_anyone, can_register
    from okno.channels.post.services.access import can_use_post
    from okno.deadlines.services.performance import can_view as can_see_performance

    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_active)
    return {
        "OKNO_LIVE_ENABLED": True,
        "LANGUAGES": settings.LANGUAGES,
        "nav_is_admin": staff and (user.is_superuser or user.role == Role.ADMIN),  # type: ignore[union-attr]
        "nav_can_register": staff and can_register(user),  # type: ignore[arg-type]
        "nav_can_see_performance": staff and can_see_performance(user),
        "nav_can_dispatch": staff and can_assign_anyone(user),  # type: ignore[arg-type]
        "nav_can_use_post": staff and can_use_post(user),  # type: ignore[arg-type]
    }

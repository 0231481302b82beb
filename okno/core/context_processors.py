from django.conf import settings
from django.http import HttpRequest


def okno(request: HttpRequest) -> dict[str, object]:
    return {"OKNO_LIVE_ENABLED": True, "LANGUAGES": settings.LANGUAGES}

"""Request log with no personal data: method, path without query, status, time, user id."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware

logger = logging.getLogger("okno.request")


class RequestLogMiddleware:
    """Log one line per request. Query strings are left out: searches carry names."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._log(request, response, started)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        self._log(request, response, started)
        return response

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
        if not logger.isEnabledFor(logging.INFO) or request.path.startswith("/static/"):
            return
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "-"
        logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            user_id,
        )


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]  # WhiteNoise is untyped
    """WhiteNoise, answering with the file's bytes instead of a file stream.

    Under ASGI Django can only stream a synchronous file iterator by warning and
    reading it in a thread. Okno's static files are small (the largest is under
    300 KB) and browsers keep them for long, so a plain response is simpler and
    quicker; headers (type, compression, caching, ETag, ranges) stay WhiteNoise's.
    """

    @staticmethod
    def serve(static_file: Any, request: HttpRequest) -> HttpResponseBase:
        served = static_file.get_response(request.method, request.META)
        body = b""
        if served.file is not None:
            with served.file as handle:
                body = handle.read()
        response = HttpResponse(body, status=int(served.status))
        del response["Content-Type"]
        for key, value in served.headers:
            response[key] = value
        return response


class LanguageMiddleware(LocaleMiddleware):
    """The interface language: the person's choice (the language cookie, set at login
    from their profile or by the switcher), otherwise Russian.

    Django's own would next follow the browser's Accept-Language, so an English
    browser in a Russian bank would quietly get English pages; here English is
    always chosen. The API still follows Accept-Language, as integrators expect.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

"""Request log with no personal data: method, path without query, status, time, user id."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

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

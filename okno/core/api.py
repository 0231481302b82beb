"""The REST API root, /api/v1/. Each app contributes a router from its api.py.

Two ways in, tried in order on every endpoint:

- ``Authorization: Bearer okno_…``: a personal API token (integrations, scripts).
  A token that is presented but not usable is a 401 at once, even if the request
  also carries a session.
- The Django session of a signed-in user (the UI's own scripts, Swagger UI), with
  the CSRF check on every unsafe method.

Errors are JSON: ``{"detail": …, "field": …}``. Bad input is always a 4xx.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from okno.accounts.services import authenticate_token
from okno.core.errors import OknoError

# Swagger UI's settings. The validator badge would call validator.swagger.io: off.
SWAGGER_SETTINGS: dict[str, Any] = {"validatorUrl": None, "persistAuthorization": False, "tryItOutEnabled": False}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer okno_…``: one query (token with its user)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token.strip())
        if user is None:
            raise AuthenticationError(401, _("The API token is invalid, expired or revoked."))
        # The request log and anything else reading request.user see who it is.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in user's session. Unsafe methods need the CSRF token, exactly as
    Django forms do; a request without a session falls through to a 401."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."))
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # __call__ does the work


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class OknoParser(Parser):
    """ninja's JSON parser, refusing NUL characters: PostgreSQL cannot store them,
    and a 400 now beats a 500 at the database."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if _has_nul(data):
            raise ValueError("NUL character in the request body")
        return cast(dict[str, Any], data)

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        if _has_nul(result):
            raise HttpError(400, _("Parameters must not contain NUL characters."))
        return result


class OknoAPI(NinjaAPI):
    """Builds the OpenAPI schema once per mount point: it changes only with the code,
    and building it takes longer than any endpoint."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._schemas: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._schemas:
            self._schemas[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return self._schemas[path_prefix]


api = OknoAPI(
    title="Okno API",
    version="1",
    description=(
        "Appeals, clients and reference data of Okno. Authenticate with a personal token "
        "(`Authorization: Bearer okno_…`, see `manage.py apitoken` or /api/v1/me/tokens) "
        "or, from a browser, with your session plus the CSRF token."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    parser=OknoParser(),
    docs=Swagger(settings=SWAGGER_SETTINGS),
)


def _error(request: HttpRequest, status: int, detail: Any, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "field": field}, status=status)


@api.exception_handler(OknoError)
def _okno_error(request: HttpRequest, exc: OknoError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message, exc.field)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, exc.errors)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        return _error(request, 400, " ".join(errors), None if field == "__all__" else field)
    return _error(request, 400, " ".join(exc.messages))


@api.exception_handler(IntegrityError)
def _integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Services check what they can; a race (two people adding the same code) ends here.
    return _error(request, 409, _("This conflicts with data that already exists."))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, _("The request is too large."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, 400, _("The request was refused."))


_NINJA_MESSAGES = {
    "Cannot parse request body": lambda: _("The request body must be JSON (UTF-8, no NUL characters)."),
    "Unauthorized": lambda: _("Authentication required: an API token or a session."),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = _NINJA_MESSAGES.get(exc.message)
    response = _error(request, exc.status_code, message() if message else exc.message)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="okno"'
    return response


api.add_router("", "okno.accounts.api.router")
api.add_router("", "okno.appeals.api.router")
api.add_router("", "okno.clients.api.router")
api.add_router("", "okno.queues.api.router")
api.add_router("", "okno.catalog.api.router")
api.add_router("", "okno.background.api.router")
api.add_router("", "okno.deadlines.api_calendar.router")
api.add_router("", "okno.deadlines.api_policies.router")
api.add_router("", "okno.deadlines.api_clocks.router")
api.add_router("", "okno.deadlines.api_performance.router")
api.add_router("", "okno.notifications.api.router")
api.add_router("", "okno.channels.mail.api.router")
api.add_router("", "okno.channels.post.api.router")
api.add_router("", "okno.routing.api_dispatch.router")
api.add_router("", "okno.routing.classifier.api.router")
api.add_router("", "okno.routing.api.router")
api.add_router("", "okno.routing.agents.api.router")
api.add_router("", "okno.reports.regulator.api.router")
api.add_router("", "okno.reports.api.router")

# Last: anything else under /api/v1/ is a JSON 404, not the site's HTML page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(request, 404, _("There is no such endpoint."))


api.add_router("", fallback)

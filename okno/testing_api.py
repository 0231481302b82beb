"""Calling the REST API in tests as one of the ``org`` personas, through the whole
middleware stack (CSP, CSRF, sessions) like a real client."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from okno.accounts.models import User
from okno.accounts.services import issue_token

API = "/api/v1"


class ApiClient:
    """JSON in, response out; authenticated with a fresh personal token."""

    def __init__(self, user: User | None = None, *, token: str | None = None) -> None:
        self.client = Client()
        if token is None and user is not None:
            _token, token = issue_token(user, "tests")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if "content_type" in kwargs:
            kwargs["data"] = data
        else:  # no data: an empty body, as curl -X POST sends
            kwargs["data"] = "" if data is None else json.dumps(data)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(API + path, **kwargs)

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(API + path, params or {}, headers={**self.headers, **extra.pop("headers", {})}, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._send("post", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._send("patch", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._send("put", path, data, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._send("delete", path, **extra)

    def upload(self, path: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(API + path, {"file": SimpleUploadedFile(name, content)}, headers=self.headers)

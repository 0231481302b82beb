"""Bad input is a 4xx, never a 500: every endpoint in the schema gets wrong types,
unknown ids, out-of-range numbers and dates, broken bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from okno.appeals.services import add_message
from okno.testing_api import API, ApiClient

GARBAGE_VALUES: list[Any] = [
    None,
    "",
    "x" * 3000,
    -1,
    0,
    2**63,
    2**70,
    1.5,
    True,
    [],
    {},
    ["x", 2**70],
    {"email": 5},
    "\u0000",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-12:00",
    "not a date",
    "²",
]
GARBAGE_QUERY = ["", "x", "-1", "0", "99999999999999999999999", "1.5", "none", "me", "2026-13-45", "0001-01-01"]
GARBAGE_QUERY += ["9999-12-31T23:59:59-12:00", "²", "9" * 30, "true", "open", "\u0000"]
GARBAGE_PATH = ["0", "-1", "abc", "99999999999999999999", "1.5", "%00", "²", "9" * 30]
BROKEN_BODIES = [b"not json", b"\xff\xfe\x00", b"[]", b'"text"', b"null", b"[" * 5000, b'{"a": "\\u0000"}', b"{}"]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _resolve(options[0], components)
    return schema


def _example(schema: dict[str, Any], components: dict[str, Any], ids: dict[str, int]) -> Any:
    """A value of the right shape, so mutating one field at a time reaches the service."""
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _example(props[name], components, ids) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return ids["appeal"]
    if kind == "boolean":
        return False
    return "Проверка"


@pytest.fixture
def world(org) -> dict[str, int]:
    appeal = org.appeal(org.anna)
    other = org.appeal(org.anna, subject="Второе обращение")
    message = add_message(org.anna, appeal, body_text="Где мои деньги?")
    return {
        "appeal": appeal.pk,
        "other": other.pk,
        "message": message.pk,
        "client": org.ivan.pk,
        "contact": org.ivan.contacts.first().pk,
        "kind": org.complaint.pk,
        "category": org.cards.pk,
        "tag": 1,
        "product": org.debit_card.pk,
        "queue": org.claims.pk,
        "token": 1,
        "attachment": 1,
    }


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _path(path: str, ids: dict[str, int], override: str | None = None) -> str:
    for name, value in ids.items():
        for param in (f"{{{name}_id}}", "{other_id}" if name == "other" else None):
            if param and param in path:
                path = path.replace(param, override if override is not None else str(value))
    path = path.replace("{number}", override or "2026-000001").replace("{list_name}", override or "inbox")
    return path[len(API) :]


def _call(api: ApiClient, method: str, path: str, body: bytes | None = None, params: Any = None) -> int:
    client: Client = api.client
    url = API + path
    try:
        if method == "get":
            response = client.get(url, params or {}, headers=api.headers)
        else:
            response = client.generic(
                method.upper(), url, body or b"", content_type="application/json", headers=api.headers
            )
    except Exception as exc:  # a 500 surfaces as the exception in the test client
        raise AssertionError(
            f"{method.upper()} {path} params={params!r} body={body[:200] if body else body!r}"
        ) from exc
    assert response.status_code < 500, (method, path, params, body, response.content[:300])
    return response.status_code


def test_no_endpoint_answers_garbage_with_a_server_error(org, world):
    api = ApiClient(org.adam)
    schema = api.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for method, path, op in _operations(schema):
        for value in GARBAGE_PATH:
            if "_id}" in path:
                assert _call(api, method, _path(path, world, value)) >= 400
        target = _path(path, world)
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            for value in GARBAGE_QUERY:
                _call(api, method, target, params={param["name"]: value})
            _call(api, method, target, params={param["name"]: GARBAGE_QUERY})
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        body_schema = _resolve(content["application/json"]["schema"], components)
        base = _example(body_schema, components, world)
        for raw in BROKEN_BODIES:
            _call(api, method, target, body=raw)
        for name in body_schema.get("properties", {}):
            for value in GARBAGE_VALUES:
                _call(api, method, target, body=json.dumps({**base, name: value}).encode())
            _call(api, method, target, body=json.dumps({**base, "unknown_field": 1}).encode())


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\xfa", 400),
        (b'{"subject": "a\\u0000b"}', 400),
        (b"[" * 10000 + b"]" * 10000, 400),
        (b"[1, 2]", 422),
        (b"{}", 422),
        (b'{"subject": 5}', 422),
        (b'{"subject": "x", "channel": "pigeon"}', 422),
        (b'{"subject": "x", "created_at": "yesterday"}', 422),
        (b'{"subject": "x", "created_at": "0001-01-01T00:00:00+03:00"}', 422),
        (b'{"subject": "x", "queue": 99999999999999999999999}', 422),
        (b'{"subject": "x", "queue": 999999}', 400),
        (b'{"subject": "x", "surprise": true}', 422),
    ],
)
def test_broken_create_bodies_get_the_right_4xx(org, body, status):
    api = ApiClient(org.anna)
    response = api.client.post(f"{API}/appeals", body, content_type="application/json", headers=api.headers)
    assert response.status_code == status, response.content
    assert "detail" in response.json()


def test_a_form_encoded_body_is_refused_as_not_json(org):
    api = ApiClient(org.anna)
    response = api.client.post(f"{API}/appeals", {"subject": "x"}, headers=api.headers)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_unknown_service_value_is_400_with_the_field_named(org):
    response = ApiClient(org.anna).post("/appeals", {"subject": "x", "category": 424242})
    assert response.status_code == 400
    assert response.json() == {"detail": response.json()["detail"], "field": "category"}


def test_validation_errors_are_422_with_ninjas_details(org):
    response = ApiClient(org.anna).get("/appeals", {"page_size": 1000})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "page_size"


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_unknown_paths_under_the_api_are_a_json_404(org, method):
    response = getattr(ApiClient(org.anna), method)("/appeals/1/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert Client().get(f"{API}/no/such/thing").status_code == 404

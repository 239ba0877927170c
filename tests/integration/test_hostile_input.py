"""Hostile values in every input field of every operation, generated from the functions' own OpenAPI documents:
NUL and other control characters in text, integers beyond any column type, timestamps outside any sane window.
Each must be a 422 problem naming the field — never a 500, and never a write."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import HANDLERS, call, problem

FUNCTIONS = ("bookings", "matching", "payments")
HOSTILE_TEXT = "a\x00b"
HOSTILE_INT = 2**70
HOSTILE_TIMES = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1970-01-01T00:00:00Z")


def _spec(function: str) -> dict[str, Any]:
    spec: dict[str, Any] = importlib.import_module(HANDLERS[function]).app.openapi()
    return spec


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and unwrap `X | None` (anyOf with null)."""
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = spec["components"]["schemas"][name]
        elif "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            if len(options) != 1:
                return schema
            schema = options[0]
        else:
            return schema


def _hostile_values(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "string" and fmt == "date-time":
        for value in HOSTILE_TIMES:
            yield f"time {value}", value
    elif kind == "string" and fmt != "uuid":
        yield "NUL in text", HOSTILE_TEXT
        if "enum" not in schema and "pattern" not in schema:
            yield "escape in text", "a\x1bb"
    elif kind == "integer":
        yield "huge int", HOSTILE_INT
        yield "huge negative int", -HOSTILE_INT
    elif kind == "array":
        for label, value in _hostile_values(schema.get("items", {})):
            yield f"{label} in a list", [value]


def cases() -> Iterator[Any]:
    for function in FUNCTIONS:
        spec = _spec(function)
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                where: list[tuple[str, str, dict[str, Any]]] = []
                for param in operation.get("parameters", []):
                    if param["in"] == "query":
                        where.append(("query", param["name"], _resolve(param["schema"], spec)))
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if body:
                    model = _resolve(body["schema"], spec)
                    for name, prop in model.get("properties", {}).items():
                        where.append(("body", name, _resolve(prop, spec)))
                for place, name, schema in where:
                    for label, value in _hostile_values(schema):
                        yield pytest.param(
                            function,
                            method.upper(),
                            path,
                            place,
                            name,
                            value,
                            id=f"{function} {method} {path} {name}: {label}",
                        )


@pytest.mark.parametrize(("function", "method", "path", "place", "name", "value"), list(cases()))
def test_hostile_values_are_a_422_naming_the_field_and_write_nothing(
    function: str, method: str, path: str, place: str, name: str, value: Any, make_user: Any, admin_conn: Any
) -> None:
    user = make_user()
    concrete = path
    while "{" in concrete:
        start, end = concrete.index("{"), concrete.index("}")
        concrete = concrete[:start] + str(uuid.uuid4()) + concrete[end + 1 :]
    before = admin_conn.execute(
        "select (select count(*) from public.sessions) + (select count(*) from public.bookings)"
    )
    counted = before.fetchone()
    if place == "query":
        reply = call(method, concrete, user, query={name: str(value)}, function=function)
    else:
        reply = call(method, concrete, user, body={name: value}, function=function)
    body = problem(reply, 422)
    assert any(e["field"] == name or e["field"].startswith(f"{name}.") for e in body["errors"]), body
    after = admin_conn.execute("select (select count(*) from public.sessions) + (select count(*) from public.bookings)")
    assert after.fetchone() == counted


def test_every_text_field_of_every_request_model_is_covered() -> None:
    """The generated cases reach every string field the API accepts (a new field is covered without a new test)."""
    generated = {(c.values[0], c.values[2], c.values[4]) for c in cases()}
    for function in FUNCTIONS:
        spec = _spec(function)
        for path, item in spec["paths"].items():
            for operation in item.values():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if not body:
                    continue
                for name, prop in _resolve(body["schema"], spec).get("properties", {}).items():
                    if _resolve(prop, spec).get("type") == "string" and _resolve(prop, spec).get("format") != "uuid":
                        assert (function, path, name) in generated


def test_multi_line_text_keeps_newlines_and_tabs_but_single_line_text_does_not(make_user: Any) -> None:
    from datetime import UTC, datetime, timedelta

    user = make_user()
    starts = datetime.now(UTC) + timedelta(days=3)
    body = {
        "format": "workshop",
        "title": "Tabs\tin a title",
        "description": "Line one\nLine two\twith a tab",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": 3,
    }
    problem(call("POST", "/sessions", user, body), 422, "title")
    body["title"] = "A clean title"
    created = call("POST", "/sessions", user, body)
    assert created.status == 201, created.text
    assert created.json()["description"] == "Line one\nLine two\twith a tab"


@pytest.mark.parametrize("currency", ["xyz", "eek", "USDX", "u$d", "hrk"])
def test_currencies_are_iso_4217_codes_stripe_supports(currency: str, make_user: Any) -> None:
    from datetime import UTC, datetime, timedelta

    starts = datetime.now(UTC) + timedelta(days=3)
    body = {
        "format": "workshop",
        "title": "Priced in something odd",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": 3,
        "currency": currency,
    }
    problem(call("POST", "/sessions", make_user(), body), 422, "currency")

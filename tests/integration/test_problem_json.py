"""Errors leave every function as RFC 9457 problem+json naming the field, never a 500 with a stack trace."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from infra.lambda_events import function_url_event, invoke
from shared import db
from shared.app import create_app, lambda_entry
from shared.errors import Conflict
from tests.helpers import problem


class Thing(BaseModel):
    name: str = Field(min_length=1)
    capacity: int = Field(ge=1)


@pytest.fixture
def handler() -> Any:
    router = APIRouter()

    @router.post("/things")
    def create_thing(thing: Thing) -> Thing:
        return thing

    @router.get("/conflict")
    def conflict() -> None:
        raise Conflict("that seat is taken", field="session_id")

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    @router.get("/db-check")
    def db_check() -> None:
        with db.transaction() as conn:
            conn.execute("select 'x'::int")

    return lambda_entry(create_app(title="errors-test", routers=[router]))


def test_invalid_field_is_422_naming_the_field(handler: Any) -> None:
    reply = invoke(handler, function_url_event("POST", "/things", body={"name": "x", "capacity": 0}))
    assert reply.status == 422
    body = problem(reply)
    assert [e["field"] for e in body["errors"]] == ["capacity"]


def test_missing_field_is_422_naming_it(handler: Any) -> None:
    reply = invoke(handler, function_url_event("POST", "/things", body={"capacity": 2}))
    assert reply.status == 422
    assert [e["field"] for e in problem(reply)["errors"]] == ["name"]


def test_malformed_json_is_400(handler: Any) -> None:
    event = function_url_event("POST", "/things", raw_body="{not json", headers={"content-type": "application/json"})
    reply = invoke(handler, event)
    assert reply.status == 400
    assert problem(reply)["type"].endswith("malformed-body")


def test_domain_error_maps_by_type(handler: Any) -> None:
    reply = invoke(handler, function_url_event("GET", "/conflict"))
    assert reply.status == 409
    assert problem(reply)["errors"] == [{"field": "session_id", "message": "that seat is taken"}]


def test_unknown_route_is_404_problem(handler: Any) -> None:
    reply = invoke(handler, function_url_event("GET", "/nope"))
    assert reply.status == 404
    problem(reply)


def test_wrong_method_is_405_problem(handler: Any) -> None:
    reply = invoke(handler, function_url_event("DELETE", "/things"))
    assert reply.status == 405
    problem(reply)


def test_unexpected_error_is_500_problem_without_details(handler: Any) -> None:
    reply = invoke(handler, function_url_event("GET", "/boom"))
    assert reply.status == 500
    problem(reply)
    assert "secret internal detail" not in reply.text
    assert "Traceback" not in reply.text


def test_database_type_error_is_422_not_500(handler: Any, database_url: str) -> None:
    reply = invoke(handler, function_url_event("GET", "/db-check"))
    assert reply.status == 422
    problem(reply)

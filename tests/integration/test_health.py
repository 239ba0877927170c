"""Every HTTP function answers GET /health through its real Lambda handler, reporting the database."""

from __future__ import annotations

import importlib

import pytest

from infra.lambda_events import function_url_event, invoke

HTTP_HANDLERS = ["bookings.handler", "matching.handler", "webhooks.handler"]


@pytest.mark.parametrize("module_name", HTTP_HANDLERS)
def test_health_reports_database_reachable(module_name: str, database_url: str) -> None:
    handler = importlib.import_module(module_name).lambda_handler
    reply = invoke(handler, function_url_event("GET", "/health"))
    assert reply.status == 200
    assert reply.json() == {"status": "ok", "database": "reachable"}


@pytest.mark.parametrize("module_name", HTTP_HANDLERS)
def test_health_reports_database_unreachable_as_503_problem(module_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared import db
    from shared.settings import get_settings

    db.reset_connection()
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    get_settings.cache_clear()
    handler = importlib.import_module(module_name).lambda_handler
    reply = invoke(handler, function_url_event("GET", "/health"))
    assert reply.status == 503
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["database"] == "unreachable"
    db.reset_connection()


@pytest.mark.parametrize("function", ["bookings", "matching", "payments", "webhooks"])
def test_docs_are_served_locally_and_switched_off_by_a_setting(function: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.settings import get_settings
    from tests.helpers import call, problem

    document = call("GET", "/openapi.json", function=function)
    assert document.status == 200
    assert document.json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert call("GET", "/docs", function=function).status == 200
    monkeypatch.setenv("API_DOCS_ENABLED", "false")
    get_settings.cache_clear()
    problem(call("GET", "/openapi.json", function=function), 404)
    problem(call("GET", "/docs", function=function), 404)

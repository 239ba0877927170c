"""Truthful OpenAPI documents: what each route answers, derived from the route itself.

FastAPI documents the success answer and (by default) its own validation error, which we never send. Here every
route also declares the problem+json answers it can give, derived from what it depends on: a signed-in user
(401, 403; the bearer scheme), an optional user (401 for a bad token), path parameters (404), parameters or a
body (422; 400 for a body that is not JSON), writes (409, 429 with Retry-After), the payment routes (502), and
every route 500 and 503 (with Retry-After). The document is built once, on first request, like FastAPI's own.

`python -m infra.openapi` writes each function's document to `openapi/<function>.json`; a test fails when the
committed document differs from the app's.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.errors import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `errors` names each field at fault.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": ["https://skillswap.dev/problems/validation-error"]},
        "title": {"type": "string", "examples": ["Validation failed"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "examples": [422]},
        "detail": {"type": "string", "examples": ["title: String should have at least 3 characters"]},
        "instance": {"type": "string", "examples": ["/sessions"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "retry_after": {"type": "integer", "description": "seconds to wait (429)"},
    },
    "additionalProperties": True,
}

# A route's `openapi_extra` key for problem statuses the route answers beyond the derived ones.
EXTRA_STATUSES = "x-problem-statuses"

_DESCRIPTIONS = {
    400: "Malformed request (a body that is not JSON, a bad header)",
    401: "No valid bearer token (WWW-Authenticate: Bearer)",
    403: "Signed in, but not allowed",
    404: "No such resource (or not visible to the caller)",
    409: "Conflicts with the current state",
    422: "A field is invalid; `errors` names it",
    429: "Too many writes; try again after Retry-After seconds",
    500: "Unexpected error on our side (logged, never detailed)",
    502: "The payment provider refused or failed; nothing of ours was left half-written",
    503: "The database is unavailable; a retry after Retry-After seconds is safe",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}


def _dependency_names(route: APIRoute) -> set[str]:
    names: set[str] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            names.add(getattr(dependant.call, "__name__", ""))
        stack.extend(dependant.dependencies)
    return names


def error_statuses(route: APIRoute, dependencies: set[str]) -> set[int]:
    """The problem+json statuses a route can answer, from what it depends on (`_dependency_names`) and what it
    does."""
    statuses = {500, 503}
    if "current_user" in dependencies:
        statuses |= {401, 403}
    if "optional_user" in dependencies:
        statuses |= {401}
    if route.dependant.path_params:
        statuses |= {404, 422}
    if route.dependant.query_params or route.dependant.header_params or route.body_field is not None:
        statuses |= {422}
    if route.body_field is not None or route.dependant.header_params:
        statuses |= {400}
    if (route.methods or set()) & {"POST", "PATCH", "PUT", "DELETE"} and "current_user" in dependencies:
        statuses |= {404, 409, 429}  # 404: what the body names (a plan, a mentor) may not exist
    if "payments" in (route.tags or []):
        statuses |= {502}
    statuses |= set((route.openapi_extra or {}).get(EXTRA_STATUSES, ()))
    return statuses


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS.get(status, "Problem"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def build_openapi(app: FastAPI) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi  # only when a document is asked for (not on a cold start)

    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = spec.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own validation-error schemas describe an answer we never send.
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Supabase Auth access token (ES256/RS256 through the project's JWKS, or HS256)",
        }
    }
    from fastapi import routing

    for context in routing.iter_route_contexts(app.routes):  # included routers' routes, with their prefixes
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema or context.path_format is None:
            continue
        dependencies = _dependency_names(route)
        for method in route.methods or ():
            operation = spec["paths"][context.path_format][method.lower()]
            operation.pop(EXTRA_STATUSES, None)
            responses = operation["responses"]
            for status in sorted(error_statuses(route, dependencies)):
                responses[str(status)] = _problem_response(status)
            if "current_user" in dependencies:
                operation["security"] = [{"bearer": []}]
            elif "optional_user" in dependencies:
                operation["security"] = [{}, {"bearer": []}]
    return spec


def install(app: FastAPI) -> None:
    """Replace the app's document builder (built once, on first use, as FastAPI's is)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

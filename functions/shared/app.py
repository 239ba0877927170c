"""The FastAPI app factory every HTTP function uses, and the Lambda entry point that wraps it with Mangum.

Each function's `handler.py` builds its app once at module level; `make dev` mounts the very same app objects
in one local ASGI server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import db, openapi
from shared.errors import (
    PROBLEM_BASE,
    PROBLEM_JSON,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unprocessable,
    from_postgrest_raise,
    from_sqlstate,
)
from shared.observability import logger, metrics, traced
from shared.schema import Model
from shared.settings import get_settings


class HealthPublic(Model):
    status: str
    database: str


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


# Database errors that reach the top are still the caller's fault or a passing outage, never a 500.
_DB_ERRORS: tuple[tuple[type[psycopg.Error], type[DomainError], str], ...] = (
    (psycopg.errors.UniqueViolation, Conflict, "this would duplicate an existing record"),
    (psycopg.errors.ExclusionViolation, Conflict, "this conflicts with an existing record"),
    (psycopg.errors.CheckViolation, Unprocessable, "a value is out of its allowed range"),
    (psycopg.errors.ForeignKeyViolation, Unprocessable, "a referenced record does not exist"),
    (psycopg.errors.NotNullViolation, Unprocessable, "a required value is missing"),
    (psycopg.errors.InvalidTextRepresentation, Unprocessable, "a value has the wrong format"),
    # Class 22 (data exception: out-of-range numbers and dates, NUL bytes, bad encodings, …) that slipped past the
    # request models: still the input's fault.
    (psycopg.errors.DataException, Unprocessable, "a value is not acceptable"),
    (psycopg.errors.InsufficientPrivilege, Forbidden, "not allowed"),
    (psycopg.errors.QueryCanceled, ServiceUnavailable, "the database took too long; try again"),
    (psycopg.errors.SerializationFailure, Conflict, "a concurrent change interfered; try again"),
    (psycopg.errors.DeadlockDetected, Conflict, "a concurrent change interfered; try again"),
    (psycopg.OperationalError, ServiceUnavailable, "the database is not reachable"),
)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return _problem_response(exc.problem(request.url.path), exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_name(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
            for err in exc.errors()
        ]
        malformed = any(err.get("type") == "json_invalid" for err in exc.errors())
        body = {
            "type": PROBLEM_BASE + ("malformed-body" if malformed else "validation-error"),
            "title": "Malformed request body" if malformed else "Validation failed",
            "status": 400 if malformed else 422,
            "detail": "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            "instance": request.url.path,
            "errors": errors,
        }
        return _problem_response(body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        body = {
            "type": PROBLEM_BASE + ("not-found" if exc.status_code == 404 else f"http-{exc.status_code}"),
            "title": "Not found" if exc.status_code == 404 else "Request not accepted",
            "status": exc.status_code,
            "detail": str(exc.detail),
            "instance": request.url.path,
        }
        return _problem_response(body, headers or None)

    @app.exception_handler(psycopg.Error)
    async def _database(request: Request, exc: psycopg.Error) -> JSONResponse:
        raised = from_sqlstate(exc.sqlstate, exc.diag.message_primary, exc.diag.column_name)
        if raised is None and exc.sqlstate == "PGRST":
            raised = from_postgrest_raise(exc.diag.message_primary, exc.diag.message_detail)
        if raised is not None:
            return await _domain(request, raised)
        for exc_type, domain_type, detail in _DB_ERRORS:
            if isinstance(exc, exc_type):
                logger.warning("database error mapped", extra={"sqlstate": exc.sqlstate, "as": domain_type.slug})
                return await _domain(request, domain_type(detail))
        logger.exception("unmapped database error", extra={"sqlstate": exc.sqlstate})
        return _problem_response(_internal_problem(request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return _problem_response(_internal_problem(request))


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route accepts at this path (Starlette's 405 names only the first route it matched)."""
    from fastapi import routing
    from starlette.routing import Match

    scope = {**request.scope, "method": "__probe__"}
    methods: set[str] = set()
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, routing.APIRoute) and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


def _internal_problem(request: Request) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + "internal",
        "title": "Internal error",
        "status": 500,
        "detail": "something went wrong on our side; it has been logged",
        "instance": request.url.path,
    }


def create_app(*, title: str, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """A function's FastAPI app: its routers, problem+json errors and `GET /health`.

    Routes are `async def` and call the (blocking) logic directly. A Lambda container serves one request at
    a time, so a worker thread gains nothing, and it costs: Mangum runs each invocation in its own event-loop
    run, AnyIO then hands a sync route a new worker thread each time, and a per-thread connection would be
    reopened on every request. On the invoking thread the container's connection is reused.
    """
    # The document and the docs page are served by routes of ours that ask the settings at request time
    # (API_DOCS_ENABLED: on locally, off in the cloud), so nothing is read from the environment at import.
    app = FastAPI(
        title=f"SkillSwap {title}",
        version="0.1.0",
        redirect_slashes=False,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    openapi.install(app)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        _docs_enabled()
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs_page(request: Request) -> HTMLResponse:
        _docs_enabled()
        from fastapi.openapi.docs import get_swagger_ui_html

        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title=app.title)

    @app.get("/health", response_model=HealthPublic, tags=["health"], summary="Database reachability")
    async def health() -> HealthPublic:
        if not db.ping():
            raise ServiceUnavailable("the database is not reachable", database="unreachable")
        return HealthPublic(status="ok", database="reachable")

    # The routers' routes become the app's own, rather than an included router (`include_router`): FastAPI matches
    # an included router's routes twice per request (once to pick the router, once inside it), which cost about
    # 30 µs of CPU a booking (the bench/bookings.py breakdown's stubbed path). Nothing the routes need is lost: an
    # APIRouter applies its prefix, tags, dependencies and responses to each route as it is declared. (Only
    # `app.dependency_overrides` would not reach them; nothing here uses it, tests call the real dependencies.)
    for router in routers:
        app.router.routes.extend(router.routes)
    return app


def _docs_enabled() -> None:
    if not get_settings().api_docs_enabled:
        raise NotFound("not found")


def lambda_entry(app: FastAPI) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler for a Function URL: powertools context, tracing and metrics around Mangum."""
    from mangum import Mangum

    asgi = Mangum(app, lifespan="off")

    @logger.inject_lambda_context(clear_state=True)
    @traced
    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result: dict[str, Any] = asgi(event, context)
        return result

    return lambda_handler

"""One local ASGI server for every HTTP function: each function's own FastAPI app (the same object Mangum
wraps in Lambda) mounted at its own prefix."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

# prefix -> module whose `app` is that function's FastAPI app
HTTP_FUNCTIONS: dict[str, str] = {
    "bookings": "bookings.handler",
    "matching": "matching.handler",
    "payments": "payments.handler",
    "webhooks": "webhooks.handler",
}


def build_app(web_origins: list[str] | None = None) -> Starlette:
    """`web_origins`: the web client's origins, the only ones CORS lets call the functions from a browser (as
    `WebClientOrigin` in template.yaml; `SKILLSWAP_WEB_ORIGINS` when built by uvicorn's factory)."""
    import importlib
    import os

    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware

    mounts = []
    for prefix, module_name in HTTP_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        mounts.append(Mount(f"/{prefix}", app=module.app))

    async def index(request: Request) -> JSONResponse:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({name: f"{base}/{name}" for name in HTTP_FUNCTIONS})

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        """What no function serves (a path outside every mount, or one the mounts' patterns cannot take, such as
        an encoded newline) gets the functions' own problem+json, as a function URL would answer it."""
        from shared.errors import PROBLEM_JSON, NotFound

        return JSONResponse(NotFound("not found").problem(request.url.path), status_code=404, media_type=PROBLEM_JSON)

    origins = web_origins if web_origins is not None else os.environ.get("SKILLSWAP_WEB_ORIGINS", "").split()
    cors = Middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["authorization", "content-type", "idempotency-key"],
        expose_headers=["idempotent-replayed"],
        max_age=600,
    )
    return Starlette(routes=[Route("/", index), *mounts], exception_handlers={404: not_found}, middleware=[cors])

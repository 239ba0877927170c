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
    "webhooks": "webhooks.handler",
}


def build_app() -> Starlette:
    import importlib

    mounts = []
    for prefix, module_name in HTTP_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        mounts.append(Mount(f"/{prefix}", app=module.app))

    async def index(request: Request) -> JSONResponse:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({name: f"{base}/{name}" for name in HTTP_FUNCTIONS})

    return Starlette(routes=[Route("/", index), *mounts])

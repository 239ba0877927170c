"""Routes built when first used: every router of the functions is `APIRouter(route_class=LazyRoute)`.

FastAPI builds a route when it is declared: the dependency tree of the endpoint, a pydantic TypeAdapter (and its
validator) for every parameter and for the response, about 0.8 ms a route here. The bookings function declares
19 routes, and its cold start paid for all of them (16 ms, 5 % of the cold start against the hello world's) before
serving a first request that needs one. A LazyRoute keeps what matching a request needs (path pattern, methods,
name, endpoint) and builds the rest, as FastAPI's own APIRoute, the first time a request reaches its path or
anything reads an attribute it does not have yet (the OpenAPI document builds them all; tests/unit holds the
committed documents equal to the built ones, so a route that cannot be built fails there, not in production).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Match, compile_path, get_name
from starlette.types import Scope

# One build at a time (a local server may serve requests on several threads; a Lambda container serves one).
_BUILDING = threading.RLock()


class LazyRoute(APIRoute):
    """An APIRoute whose FastAPI state is built on first use (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        # What Starlette's Route.matches reads, set as APIRoute itself would set it.
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if options.get("name") is None else options["name"]
        self.methods = {method.upper() for method in options.get("methods") or ["GET"]}
        self.include_in_schema = options.get("include_in_schema", True)
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self._in_build = False
        self._pending: dict[str, Any] | None = options  # cleared once built

    def build(self) -> None:
        """FastAPI's own route initialisation, once."""
        if self.__dict__.get("_pending") is None:
            return
        with _BUILDING:
            options = self._pending
            if options is None or self._in_build:
                return
            self._in_build = True
            try:
                super().__init__(self.path, self.endpoint, **options)
            finally:
                self._in_build = False
            self._pending = None

    def __getattr__(self, name: str) -> Any:
        """Called only for an attribute not set yet: build, then look again. (Within the build, on its own thread,
        a missing attribute is simply missing; another thread waits for the build.)"""
        if name.startswith("__") or self.__dict__.get("_pending") is None:
            raise AttributeError(name)
        self.build()
        return object.__getattribute__(self, name)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            self.build()
        return match, child_scope

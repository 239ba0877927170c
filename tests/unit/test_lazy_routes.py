"""shared.routing.LazyRoute: routes are built on first use, and once built behave as FastAPI's own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, FastAPI, Header
from mangum import Mangum

from infra.lambda_events import Reply, function_url_event, invoke
from infra.localenv import ROOT
from shared.routing import LazyRoute
from shared.schema import Model


class Echo(Model):
    id: UUID
    key: str | None


def _app() -> tuple[FastAPI, list[LazyRoute]]:
    router = APIRouter(route_class=LazyRoute, prefix="/things", tags=["things"])

    @router.get("/{thing_id}", response_model=Echo)
    async def get_thing(thing_id: UUID, key: Annotated[str | None, Header(max_length=3)] = None) -> Echo:
        return Echo(id=thing_id, key=key)

    @router.delete("/{thing_id}", status_code=204)
    async def delete_thing(thing_id: UUID) -> None:
        return None

    @router.post("/", status_code=201, response_model=Echo)
    async def create_thing() -> Echo:
        return Echo(id=uuid4(), key=None)

    app = FastAPI()
    app.router.routes.extend(router.routes)
    return app, [r for r in app.router.routes if isinstance(r, LazyRoute)]


def built(route: LazyRoute) -> bool:
    return route.__dict__.get("_pending") is None


def call(app: FastAPI, method: str, path: str, headers: dict[str, str] | None = None) -> Reply:
    return invoke(Mangum(app, lifespan="off"), function_url_event(method, path, headers=headers))


def test_declared_routes_are_not_built_until_a_request_reaches_their_path() -> None:
    app, routes = _app()
    assert len(routes) == 3
    assert not any(built(r) for r in routes)
    assert {(r.path, frozenset(r.methods or ())) for r in routes} == {
        ("/things/{thing_id}", frozenset({"GET"})),
        ("/things/{thing_id}", frozenset({"DELETE"})),
        ("/things/", frozenset({"POST"})),
    }
    thing = uuid4()
    reply = call(app, "GET", f"/things/{thing}", {"key": "abc"})
    assert reply.status == 200
    assert reply.json() == {"id": str(thing), "key": "abc"}
    # Matching stops at the first full match: only the GET route was built.
    assert [built(r) for r in routes] == [True, False, False]
    assert call(app, "DELETE", f"/things/{thing}").status == 204
    assert [built(r) for r in routes] == [True, True, False]


def test_a_built_lazy_route_validates_and_answers_as_an_api_route() -> None:
    app, _ = _app()
    assert call(app, "GET", "/things/not-a-uuid").status == 422
    assert call(app, "GET", f"/things/{uuid4()}", {"key": "toolong"}).status == 422
    assert call(app, "PUT", f"/things/{uuid4()}").status == 405
    assert call(app, "POST", "/things/").status == 201


def test_the_openapi_document_builds_every_route_and_equals_fastapis_own() -> None:
    lazy_app, routes = _app()
    document = lazy_app.openapi()
    assert all(built(r) for r in routes)
    eager_router = APIRouter(prefix="/things", tags=["things"])
    for route in routes:  # the same endpoints declared on FastAPI's own route class
        eager_router.add_api_route(
            "/" + route.path.removeprefix("/things/"),
            route.endpoint,
            methods=sorted(route.methods or ()),
            response_model=route.response_model,
            status_code=route.status_code,
        )
    eager_app = FastAPI()
    eager_app.router.routes.extend(eager_router.routes)
    assert document == eager_app.openapi()


def test_concurrent_first_requests_build_once_and_all_succeed() -> None:
    app, routes = _app()
    start = threading.Barrier(8)
    codes: list[int] = []

    def first_request() -> None:  # each thread a container of its own (invoke gives it its own event loop)
        start.wait()
        codes.append(call(app, "GET", f"/things/{uuid4()}").status)
        asyncio.get_event_loop().close()

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 8
    assert built(routes[0])


def test_no_function_builds_its_routes_at_import() -> None:
    """The cold-start saving holds only while nothing at import reads a route's built state: each HTTP function's
    handler module, imported in a fresh interpreter, leaves every router route unbuilt."""
    probe = (
        "import importlib, sys\n"
        "from shared.routing import LazyRoute\n"
        "for name in sys.argv[1:]:\n"
        "    app = importlib.import_module(name).app\n"
        "    lazy = [r for r in app.router.routes if isinstance(r, LazyRoute)]\n"
        "    built = [r.path for r in lazy if r.__dict__.get('_pending') is None]\n"
        "    print(name, len(lazy), built)\n"
    )
    modules = ["bookings.handler", "matching.handler", "payments.handler", "webhooks.handler"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT)])}
    out = subprocess.run([sys.executable, "-c", probe, *modules], env=env, capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(modules), out.stderr
    for line in lines:
        _, count, built = line.split(" ", 2)
        assert int(count) > 0, line
        assert built == "[]", line

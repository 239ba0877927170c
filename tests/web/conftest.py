"""The web client's browser tests: the functions served over HTTP with CORS for the client's origin (as `make dev`
serves them), the client's devstack bundle on an origin of its own, the local Stripe sending signed webhooks to the
webhook function, and Debian's Chromium driven by Playwright (no browser download: FACTS.md)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from infra.dev import wait_for_port
from infra.localenv import LOCAL_DIR, LOCAL_WEBHOOK_SECRET
from tests.conftest import free_port
from tests.factories import User, create_user
from tests.helpers import function_server
from tests.integration.conftest import _truncate_all

CHROMIUM = os.environ.get("SKILLSWAP_CHROMIUM", "/usr/bin/chromium")
SHOTS = LOCAL_DIR / "web-screenshots"


@pytest.fixture(scope="session")
def web_admin(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(autouse=True)
def _clean_database(web_admin: psycopg.Connection[Any]) -> Iterator[None]:
    """Each test leaves the database as it found it (pgTAP runs on the same database afterwards)."""
    yield
    _truncate_all(web_admin)


@pytest.fixture
def make_person(web_admin: psycopg.Connection[Any]) -> Callable[..., User]:
    def make(name: str, **kwargs: Any) -> User:
        return create_user(web_admin, name=name, **kwargs)

    return make


@pytest.fixture(scope="session")
def web_stack(database_url: str, stripe_peer: str) -> Iterator[dict[str, str]]:
    """Ports first (the API's CORS names the client's origin), then the API server, the webhook bridge registered
    with the local Stripe, and the client."""
    import uvicorn

    from infra.url_bridge import FunctionUrlBridge
    from infra.webhost import build_web_app
    from webhooks.handler import lambda_handler

    web_port = free_port()
    web_origin = f"http://127.0.0.1:{web_port}"
    with (
        function_server(
            database_url=database_url, stripe_peer=stripe_peer, log_name="web-api-server.log", web_origins=web_origin
        ) as api,
        FunctionUrlBridge(lambda_handler) as bridge,
    ):
        registered = httpx.post(
            f"{stripe_peer}/_config/webhooks/skillswap-web-tests",
            data={"url": f"{bridge.url}/stripe", "secret": LOCAL_WEBHOOK_SECRET},
            timeout=10,
        )
        assert registered.status_code == 200, registered.text
        app = build_web_app(api_base=api, stripe_base=stripe_peer, dsn=database_url)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=web_port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        wait_for_port(web_port, timeout=30)
        yield {"web": web_origin, "api": api}
        server.should_exit = True


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make install` installs Debian's chromium package")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, web_stack: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=web_stack["web"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"

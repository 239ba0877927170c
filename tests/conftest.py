"""Test-wide set-up: the functions read the local test stack's settings; the database is started on demand.

`make test` (infra.testrun) starts a throwaway cluster and passes TEST_DATABASE_URL. Run alone, pytest starts
that same cluster itself the first time a test asks for the database, and stops it at the end.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from infra.localdb import Cluster, prepare
from infra.localenv import LOCAL_DIR, TEST_DATA_DIR, TEST_DATABASE, TEST_DB_PORT, function_env
from tests.helpers import StripeRecorder

_CLUSTER = Cluster(TEST_DATA_DIR, TEST_DB_PORT, TEST_DATABASE)
_GIVEN_URL = os.environ.get("TEST_DATABASE_URL")
os.environ.update(function_env(database_url=_GIVEN_URL or _CLUSTER.dsn))


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    from shared.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated test database (never the dev one)."""
    if _GIVEN_URL:
        yield _GIVEN_URL
        return
    started = not _CLUSTER.is_running()
    _CLUSTER.start()
    _CLUSTER.recreate_database()
    prepare(_CLUSTER, seed=False, with_pgtap=True)
    yield _CLUSTER.dsn
    if started:
        _CLUSTER.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stripe_peer() -> Iterator[str]:
    """localstripe (a stateful Stripe fake that signs and sends webhooks), answering as the pinned API version
    does (`infra.stripe_standin`), on a free loopback port; the functions' Stripe client points at it for the
    whole test session."""
    from infra.dev import start_localstripe

    port = free_port()
    LOCAL_DIR.mkdir(exist_ok=True)
    proc = start_localstripe(port, LOCAL_DIR / "localstripe-tests.log")
    try:
        url = f"http://127.0.0.1:{port}"
        os.environ["STRIPE_API_BASE"] = url
        from shared.stripe_client import get_stripe

        get_stripe.cache_clear()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def stripe_recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeRecorder]:
    """get_stripe() built as in production, but its HTTP client records every request instead of sending it
    (and remembers the timeout it was built with)."""
    import stripe

    from shared.stripe_client import get_stripe

    recorder = StripeRecorder()

    def build(timeout: Any = None, **_: Any) -> StripeRecorder:
        recorder.timeout = timeout
        return recorder

    monkeypatch.setattr(stripe, "RequestsClient", build)
    get_stripe.cache_clear()
    yield recorder
    get_stripe.cache_clear()

"""Test-wide set-up: the functions read the local test stack's settings; the database is started on demand.

`make test` (infra.testrun) starts a throwaway cluster and passes TEST_DATABASE_URL. Run alone, pytest starts
that same cluster itself the first time a test asks for the database, and stops it at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.localdb import Cluster, prepare
from infra.localenv import TEST_DATA_DIR, TEST_DATABASE, TEST_DB_PORT, function_env

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
    """localstripe (a stateful Stripe fake that signs and sends webhooks) on a free loopback port; the
    functions' Stripe client points at it for the whole test session."""
    from infra.dev import wait_for_port

    port = free_port()
    exe = Path(sys.executable).parent / "localstripe"
    proc = subprocess.Popen(
        [str(exe), "--port", str(port), "--from-scratch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        os.environ["STRIPE_API_BASE"] = url
        from shared.stripe_client import get_stripe

        get_stripe.cache_clear()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)

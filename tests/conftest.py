"""Test-wide set-up: the functions read the local test stack's settings; the database is started on demand.

`make test` (infra.testrun) starts a throwaway cluster and passes TEST_DATABASE_URL. Run alone, pytest starts
that same cluster itself the first time a test asks for the database, and stops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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

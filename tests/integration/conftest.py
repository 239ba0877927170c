"""Integration tests: real handlers against the real test database; each test starts from empty tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tests.factories import User, create_user


@pytest.fixture(scope="session")
def admin_conn(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


def _truncate_all(conn: psycopg.Connection[Any]) -> None:
    tables = conn.execute(
        "select string_agg(format('%I.%I', schemaname, tablename), ', ') from pg_tables"
        " where schemaname in ('public', 'auth', 'realtime')"
        " and tablename not in ('platform_settings', 'notification_kinds')"  # what the migrations seed
    ).fetchone()
    if tables and tables[0]:
        conn.execute(f"truncate {tables[0]} restart identity cascade")


@pytest.fixture(autouse=True)
def _clean_database(admin_conn: psycopg.Connection[Any], stripe_peer: str) -> Iterator[None]:
    yield
    from shared import db

    db.reset_connection()
    _truncate_all(admin_conn)


@pytest.fixture
def make_user(admin_conn: psycopg.Connection[Any]) -> Callable[..., User]:
    def _make(**kwargs: Any) -> User:
        return create_user(admin_conn, **kwargs)

    return _make

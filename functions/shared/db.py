"""psycopg 3 access: one lazily opened connection per container (per thread), reused and reopened on failure.

Production goes through Supabase's transaction pooler, so: no prepared statements (`prepare_threshold=None`),
no session-level SET — everything per request is `set_config(..., is_local => true)` inside a transaction.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from shared.errors import ServiceUnavailable
from shared.settings import get_settings

_local = threading.local()

# Roles a user-initiated transaction may take; anything else (e.g. service_role) is refused.
USER_ROLES = frozenset({"authenticated", "anon"})


def _open() -> psycopg.Connection[dict[str, Any]]:
    settings = get_settings()
    return psycopg.connect(
        settings.database_url,
        autocommit=True,
        prepare_threshold=None,
        connect_timeout=5,
        row_factory=dict_row,
        application_name="skillswap",
    )


def get_connection() -> psycopg.Connection[dict[str, Any]]:
    """This container's connection, opened on first use and reopened if it was closed or broke."""
    conn: psycopg.Connection[dict[str, Any]] | None = getattr(_local, "conn", None)
    if conn is None or conn.closed or conn.broken:
        try:
            conn = _open()
        except psycopg.OperationalError as exc:
            raise ServiceUnavailable("the database is not reachable") from exc
        _local.conn = conn
    return conn


def reset_connection() -> None:
    conn: psycopg.Connection[Any] | None = getattr(_local, "conn", None)
    _local.conn = None
    if conn is not None and not conn.closed:
        conn.close()


def _begin() -> psycopg.Connection[dict[str, Any]]:
    """BEGIN on this container's connection; a connection found dead here is reopened once."""
    for attempt in (1, 2):
        conn = get_connection()
        try:
            conn.execute("begin")
            conn.execute(
                "select set_config('statement_timeout', %s, true)",
                (str(get_settings().db_statement_timeout_ms),),
            )
            return conn
        except psycopg.OperationalError as exc:
            reset_connection()
            if attempt == 2:
                raise ServiceUnavailable("the database is not reachable") from exc
    raise AssertionError("unreachable")


@contextmanager
def transaction() -> Iterator[psycopg.Connection[dict[str, Any]]]:
    """A transaction: committed when the block ends normally, rolled back on any exception.

    Only the BEGIN is retried (on a dead connection); the block itself is never re-run here.
    """
    conn = _begin()
    try:
        yield conn
    except BaseException:
        try:
            conn.execute("rollback")
        except psycopg.Error:
            reset_connection()
        raise
    try:
        conn.execute("commit")
    except psycopg.OperationalError:
        reset_connection()
        raise


@contextmanager
def user_transaction(claims: dict[str, Any]) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    """A transaction run as the calling user: `role` and `request.jwt.claims` set LOCAL, so RLS applies."""
    role = claims.get("role")
    if role not in USER_ROLES:
        raise ValueError(f"user transactions cannot take role {role!r}")
    with transaction() as conn:
        conn.execute(
            "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
            (role, json.dumps(claims)),
        )
        yield conn


def ping() -> bool:
    """True if the database answers a trivial query."""
    try:
        with transaction() as conn:
            conn.execute("select 1")
        return True
    except (ServiceUnavailable, psycopg.Error):
        return False

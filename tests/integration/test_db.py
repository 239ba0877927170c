"""The shared db helpers: transactions commit or leave nothing, user transactions are under RLS, and a dead
connection is reopened."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from shared import db


def test_transaction_rolls_back_everything_on_error(admin_conn: psycopg.Connection[Any], make_user: Any) -> None:
    user = make_user(name="Before")

    def write_then_fail() -> None:
        with db.transaction() as conn:
            conn.execute("update public.profiles set display_name = 'During' where id = %s", (user.id,))
            raise RuntimeError("fail after the write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    row = admin_conn.execute("select display_name from public.profiles where id = %s", (user.id,)).fetchone()
    assert row == ("Before",)


def test_transaction_commits_on_success(admin_conn: psycopg.Connection[Any], make_user: Any) -> None:
    user = make_user(name="Before")
    with db.transaction() as conn:
        conn.execute("update public.profiles set display_name = 'After' where id = %s", (user.id,))
    row = admin_conn.execute("select display_name from public.profiles where id = %s", (user.id,)).fetchone()
    assert row == ("After",)


def test_user_transaction_runs_under_rls_as_the_caller(make_user: Any) -> None:
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    with db.user_transaction(alice.claims) as conn:
        contacts = conn.execute("select id from public.profile_contacts").fetchall()
        role = conn.execute("select current_user as role, auth.uid() as uid").fetchone()
        updated = conn.execute("update public.profiles set display_name = 'Hacked' where id = %s", (bob.id,)).rowcount
    assert [row["id"] for row in contacts] == [alice.id]
    assert role == {"role": "authenticated", "uid": alice.id}
    assert updated == 0


def test_user_transaction_settings_do_not_leak_to_the_next_transaction(make_user: Any) -> None:
    alice = make_user()
    with db.user_transaction(alice.claims):
        pass
    with db.transaction() as conn:
        row = conn.execute(
            "select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims"
        ).fetchone()
    assert row == {"role": "postgres", "claims": None}


def test_user_transaction_refuses_service_role_claims() -> None:
    with (
        pytest.raises(ValueError, match="service_role"),
        db.user_transaction({"role": "service_role", "sub": "x"}),
    ):
        pass


def test_dead_connection_is_reopened(admin_conn: psycopg.Connection[Any]) -> None:
    with db.transaction() as conn:
        pid = conn.execute("select pg_backend_pid() as pid").fetchone()["pid"]  # type: ignore[index]
    admin_conn.execute("select pg_terminate_backend(%s)", (pid,))
    with db.transaction() as conn:
        new_pid = conn.execute("select pg_backend_pid() as pid").fetchone()["pid"]  # type: ignore[index]
    assert new_pid != pid


def test_connection_uses_no_prepared_statements() -> None:
    conn = db.get_connection()
    assert conn.prepare_threshold is None

"""The local Supabase stack: migrations recorded as the Supabase CLI records them, applied once, seed loaded
once; the bootstrap provides what the migrations expect of a Supabase project."""

from __future__ import annotations

from typing import Any

import psycopg

from infra.localdb import apply_bootstrap, apply_migrations, apply_seed, migration_files


def test_every_migration_is_recorded_with_its_statements(admin_conn: psycopg.Connection[Any]) -> None:
    rows = admin_conn.execute(
        "select version, name, statements from supabase_migrations.schema_migrations order by version"
    ).fetchall()
    expected = [(version, name, [path.read_text()]) for version, name, path in migration_files()]
    assert rows == expected


def test_reapplying_bootstrap_and_migrations_changes_nothing(database_url: str) -> None:
    apply_bootstrap(database_url)
    assert apply_migrations(database_url) == []


def test_seed_loads_once_and_is_recorded(admin_conn: psycopg.Connection[Any], database_url: str) -> None:
    try:
        assert apply_seed(database_url) is True
        assert apply_seed(database_url) is False
        profiles = admin_conn.execute("select count(*) from public.profiles").fetchone()
        skills = admin_conn.execute("select count(*) from public.profile_skills").fetchone()
        assert profiles == (5,)
        assert skills is not None
        assert skills[0] >= 5
    finally:
        admin_conn.execute("delete from supabase_migrations.seed_files")


def test_sign_up_creates_profile_and_private_contact(admin_conn: psycopg.Connection[Any], make_user: Any) -> None:
    user = make_user(name="Nia", timezone="Africa/Lagos")
    profile = admin_conn.execute("select display_name, timezone from public.profiles where id = %s", (user.id,))
    contact = admin_conn.execute("select contact_email from public.profile_contacts where id = %s", (user.id,))
    assert profile.fetchone() == ("Nia", "Africa/Lagos")
    assert contact.fetchone() == (user.email,)


def test_sign_up_with_an_unknown_timezone_falls_back_to_utc(
    admin_conn: psycopg.Connection[Any], make_user: Any
) -> None:
    user = make_user(timezone="Mars/Olympus_Mons")
    row = admin_conn.execute("select timezone from public.profiles where id = %s", (user.id,)).fetchone()
    assert row == ("UTC",)


def test_auth_helpers_read_request_jwt_claims(admin_conn: psycopg.Connection[Any]) -> None:
    with admin_conn.transaction():
        admin_conn.execute(
            "select set_config('request.jwt.claims', %s, true)",
            ('{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated", "email": "a@b.co"}',),
        )
        row = admin_conn.execute("select auth.uid()::text, auth.role(), auth.email(), auth.jwt() ->> 'sub'").fetchone()
    assert row == (
        "11111111-1111-4111-8111-111111111111",
        "authenticated",
        "a@b.co",
        "11111111-1111-4111-8111-111111111111",
    )


def test_realtime_send_writes_a_private_broadcast(admin_conn: psycopg.Connection[Any]) -> None:
    admin_conn.execute("select realtime.send('{\"seats_left\": 3}'::jsonb, 'seats', 'session:abc', true)")
    row = admin_conn.execute("select topic, event, private, extension, payload from realtime.messages").fetchone()
    assert row == ("session:abc", "seats", True, "broadcast", {"seats_left": 3})

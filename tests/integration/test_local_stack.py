"""The local Supabase stack: migrations recorded as the Supabase CLI records them, applied once, seed loaded
once; the bootstrap provides what the migrations expect of a Supabase project."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from infra.localauth import INSTANCE_ID, TOKEN_COLUMNS
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


def test_realtime_send_writes_a_private_broadcast_with_its_id_in_the_payload(
    admin_conn: psycopg.Connection[Any],
) -> None:
    # As supabase/realtime's send(): the message id goes into the payload unless it has one, the topic is set.
    with admin_conn.transaction():
        admin_conn.execute("select realtime.send('{\"seats_left\": 3}'::jsonb, 'seats', 'session:abc', true)")
        topic = admin_conn.execute("select realtime.topic()").fetchone()
    row = admin_conn.execute(
        "select topic, event, private, extension, payload, id::text from realtime.messages where topic = 'session:abc'"
    ).fetchone()
    assert row is not None
    assert row[:4] == ("session:abc", "seats", True, "broadcast")
    assert row[4] == {"seats_left": 3, "id": row[5]}
    assert topic == ("session:abc",)
    admin_conn.execute("select realtime.send('{\"id\": \"mine\"}'::jsonb, 'x', 'session:own-id', true)")
    kept = admin_conn.execute("select payload from realtime.messages where topic = 'session:own-id'").fetchone()
    assert kept == ({"id": "mine"},)


def test_realtime_send_runs_as_its_caller_and_anon_cannot_call_it(admin_conn: psycopg.Connection[Any]) -> None:
    row = admin_conn.execute(
        "select p.prosecdef, pg_get_userbyid(p.proowner),"
        " has_function_privilege('anon', p.oid, 'execute'), has_function_privilege('authenticated', p.oid, 'execute')"
        " from pg_proc p where p.oid = 'realtime.send(jsonb,text,text,boolean)'::regprocedure"
    ).fetchone()
    assert row == (False, "supabase_realtime_admin", False, True)
    with admin_conn.transaction(force_rollback=True):
        admin_conn.execute("set local role anon")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            admin_conn.execute("select realtime.send('{}'::jsonb, 'x', 'session:anon', true)")


def test_realtime_messages_live_in_daily_partitions_and_old_ones_are_dropped(
    admin_conn: psycopg.Connection[Any],
) -> None:
    # lib/realtime/messages.ex: realtime.messages_YYYY_MM_DD, dropped once older than 72 hours.
    admin_conn.execute("select realtime.send('{}'::jsonb, 'x', 'session:partition', true)")
    where = admin_conn.execute(
        "select tableoid::regclass::text from realtime.messages where topic = 'session:partition'"
    ).fetchone()
    today = admin_conn.execute("select to_char(now() at time zone 'utc', 'YYYY_MM_DD')").fetchone()
    assert today is not None
    assert where == (f"realtime.messages_{today[0]}",)
    old = admin_conn.execute("select (now() at time zone 'utc')::date - 5").fetchone()
    assert old is not None
    old_name = f"messages_{old[0]:%Y_%m_%d}"
    admin_conn.execute(
        f"create table realtime.{old_name} partition of realtime.messages"
        f" for values from ('{old[0]}') to ('{old[0] + timedelta(days=1)}')"
    )
    admin_conn.execute("select skillswap_local.maintain_realtime_partitions()")
    parts = {
        r[0]
        for r in admin_conn.execute(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
            " where i.inhparent = 'realtime.messages'::regclass"
        )
    }
    assert old_name not in parts
    ahead = admin_conn.execute("select to_char((now() at time zone 'utc')::date + 3, 'YYYY_MM_DD')").fetchone()
    assert ahead is not None
    assert {f"messages_{today[0]}", f"messages_{ahead[0]}", "messages_default"} <= parts


_SIGN_IN_SHAPE = f"""
select u.email,
       u.instance_id = '{INSTANCE_ID}' and u.aud = 'authenticated' and u.role = 'authenticated'
         and u.email_confirmed_at is not null and u.created_at is not null and u.updated_at is not null
         and {" and ".join(f"u.{c} is not null" for c in TOKEN_COLUMNS)} as auth_can_scan,
       (select count(*) from auth.identities i
         where i.user_id = u.id and i.provider = 'email' and i.provider_id = u.id::text
           and i.identity_data ->> 'sub' = u.id::text and i.email = lower(u.email)) as identities,
       u.encrypted_password <> '' and u.encrypted_password = extensions.crypt(%s, u.encrypted_password) as password_ok
from auth.users u where u.id = any(%s)
"""


def test_seeded_users_are_written_as_supabase_auth_signs_them_in(
    admin_conn: psycopg.Connection[Any], database_url: str
) -> None:
    try:
        apply_seed(database_url)
        ids = [r[0] for r in admin_conn.execute("select id from auth.users where email like '%%@skillswap.test'")]
        rows = admin_conn.execute(_SIGN_IN_SHAPE, ("skillswap-demo", ids)).fetchall()
        demo = {r[0]: r[1:] for r in rows if r[0].split("@")[0] in {"ada", "grace", "linus", "maya", "admin"}}
        assert set(demo) == {f"{n}@skillswap.test" for n in ("ada", "grace", "linus", "maya", "admin")}
        assert set(demo.values()) == {(True, 1, True)}
    finally:
        admin_conn.execute("delete from supabase_migrations.seed_files")


def test_test_users_have_the_shape_auth_requires(admin_conn: psycopg.Connection[Any], make_user: Any) -> None:
    user = make_user()
    rows = admin_conn.execute(_SIGN_IN_SHAPE, ("no password", [user.id])).fetchall()
    # No password (token sign-in only), but every column Auth scans is set and the identity exists.
    assert [r[1:3] for r in rows] == [(True, 1)]

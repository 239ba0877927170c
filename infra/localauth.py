"""Users the way Supabase Auth writes them, for the local stack, the tests and the benchmarks.

Supabase Auth (supabase/auth) signs a user in with a password only when the `auth.users` row has the columns it
scans into Go strings set to '' rather than NULL (confirmation_token, recovery_token, email_change_token_new,
email_change), a bcrypt `encrypted_password` (cost 10, Go's bcrypt.DefaultCost), and an `auth.identities` row
for the `email` provider whose provider_id is the user id. `supabase/seed.sql` writes its demo users the same
way; tests/integration/test_local_stack.py holds both to that shape.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg

INSTANCE_ID = "00000000-0000-0000-0000-000000000000"
# The columns Auth reads as strings: NULL there makes every password sign-in fail with a 500.
TOKEN_COLUMNS = ("confirmation_token", "recovery_token", "email_change_token_new", "email_change")

# The email identity Auth writes beside each user (provider_id = the user id), selected from rows named `u`.
_IDENTITY_INSERT = """
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', null, u.created_at, u.created_at
"""

# One statement: the user, then its email identity (the foreign key is checked at the end of the statement).
INSERT_USER_SQL = f"""
with u as (
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                          {", ".join(TOKEN_COLUMNS)},
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (%(instance_id)s, %(id)s, 'authenticated', 'authenticated', %(email)s,
          coalesce(extensions.crypt(%(password)s::text, extensions.gen_salt('bf', 10)), ''), now(),
          {", ".join("''" for _ in TOKEN_COLUMNS)}, %(app_metadata)s, %(user_metadata)s, now(), now())
  returning id, email, created_at
)
{_IDENTITY_INSERT}from u
"""

# The identities of users already in auth.users (written by COPY, as the benchmarks do), by id.
INSERT_IDENTITIES_SQL = f"{_IDENTITY_INSERT}from auth.users u where u.id = any(%s::uuid[])"


def default_app_metadata(app_role: str | None = None) -> dict[str, Any]:
    """What Auth puts in raw_app_meta_data for an email user (plus our `role` for moderators and admins)."""
    meta: dict[str, Any] = {"provider": "email", "providers": ["email"]}
    if app_role:
        meta["role"] = app_role
    return meta


def insert_user(
    conn: psycopg.Connection[Any],
    *,
    email: str,
    user_id: uuid.UUID | None = None,
    password: str | None = None,
    app_metadata: dict[str, Any] | None = None,
    user_metadata: dict[str, Any] | None = None,
) -> uuid.UUID:
    """Insert a confirmed email user as Auth would (the sign-up trigger then makes the profile); its id."""
    new_id = user_id or uuid.uuid4()
    conn.execute(
        INSERT_USER_SQL,
        {
            "instance_id": INSTANCE_ID,
            "id": new_id,
            "email": email,
            "password": password,
            "app_metadata": json.dumps(app_metadata if app_metadata is not None else default_app_metadata()),
            "user_metadata": json.dumps(user_metadata or {}),
        },
    )
    return new_id

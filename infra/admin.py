"""Cloud administration of a real Supabase project, where Supabase's HTTP APIs are the only way in.

    python -m infra.admin create-user EMAIL [--password P] [--name NAME] [--role moderator|admin]
    python -m infra.admin grant-role EMAIL moderator|admin
    python -m infra.admin revoke-role EMAIL
    python -m infra.admin load-demo [--password P]

Reads SUPABASE_URL (https://<ref>.supabase.co) and SUPABASE_SECRET_KEY (a secret API key `sb_secret_...`, or the
legacy service_role JWT); `load-demo` also reads DATABASE_URL (the project's pooler URL, as the functions use).

Users are created and changed through Supabase Auth's admin API (POST /auth/v1/admin/users, PUT
/auth/v1/admin/users/{id}, GET /auth/v1/admin/users) with the `supabase` package: Auth hashes the password, writes
auth.users and auth.identities, and the sign-up trigger creates the profile. Roles live in `app_metadata.role`,
which only the admin API can write (users cannot change their own app_metadata), and reach our functions and RLS
in every new access token. `load-demo` creates the demo users of supabase/seed.sql the same way (same ids, so the
rest of the seed refers to them), then runs the seed's data section, everything but the demo-users block, in one
transaction over DATABASE_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.localdb import SEED_SQL

if TYPE_CHECKING:
    from supabase import Client

ROLES = ("moderator", "admin")
DEMO_PASSWORD = "skillswap-demo"  # noqa: S105 - the documented demo password (README, "Demo users")
_DEMO_BLOCK = re.compile(r"-- demo-users:begin.*?-- demo-users:end\n", re.S)
_DEMO_USER = re.compile(
    r"\('(?P<id>[0-9a-f-]{36})'(?:::uuid)?,\s*'(?P<email>[^']+)',\s*'(?P<app>\{[^']*\})'(?:::jsonb)?,"
    r"\s*'(?P<user>\{[^']*\})'(?:::jsonb)?\)"
)


class AdminError(RuntimeError):
    """A step failed; the message says which and why."""


def _check_role(role: str | None) -> None:
    if role is not None and role not in ROLES:
        raise AdminError(f"role must be one of {', '.join(ROLES)}")


@dataclass(frozen=True)
class DemoUser:
    id: str
    email: str
    app_metadata: dict[str, Any]
    user_metadata: dict[str, Any]


def demo_users(seed_sql: str | None = None) -> list[DemoUser]:
    """The demo users of supabase/seed.sql (its demo-users block), in order."""
    text = seed_sql if seed_sql is not None else SEED_SQL.read_text()
    block = _DEMO_BLOCK.search(text)
    if block is None:
        raise AdminError("supabase/seed.sql has no demo-users block")
    return [
        DemoUser(m["id"], m["email"], json.loads(m["app"]), json.loads(m["user"]))
        for m in _DEMO_USER.finditer(block[0])
    ]


def seed_data_sql(seed_sql: str | None = None) -> str:
    """supabase/seed.sql without its demo-users block: the rows that refer to the demo users."""
    text = seed_sql if seed_sql is not None else SEED_SQL.read_text()
    return _DEMO_BLOCK.sub("", text)


def client(url: str | None = None, key: str | None = None) -> Client:
    from supabase import create_client

    url = url or os.environ.get("SUPABASE_URL")
    key = key or os.environ.get("SUPABASE_SECRET_KEY")
    if not url or not key:
        raise AdminError("set SUPABASE_URL and SUPABASE_SECRET_KEY (a secret API key or the service_role key)")
    return create_client(url, key)


def find_user(sb: Client, email: str) -> Any | None:
    """The Auth user with this email (the admin API lists users a page at a time)."""
    page = 1
    wanted = email.lower()
    while True:
        users = sb.auth.admin.list_users(page=page, per_page=1000)
        for user in users:
            if (user.email or "").lower() == wanted:
                return user
        if len(users) < 1000:
            return None
        page += 1


def create_user(
    sb: Client,
    *,
    email: str,
    password: str | None = None,
    name: str | None = None,
    role: str | None = None,
    user_id: str | None = None,
    app_metadata: dict[str, Any] | None = None,
    user_metadata: dict[str, Any] | None = None,
) -> str:
    """Create a confirmed user (or return the id of the one that has this email already)."""
    _check_role(role)
    existing = find_user(sb, email)
    if existing is not None:
        return str(existing.id)
    attributes: dict[str, Any] = {
        "email": email,
        "email_confirm": True,
        "user_metadata": user_metadata or ({"display_name": name} if name else {}),
        "app_metadata": {**(app_metadata or {}), **({"role": role} if role else {})},
    }
    if password:
        attributes["password"] = password
    if user_id:
        attributes["id"] = user_id
    response = sb.auth.admin.create_user(attributes)  # type: ignore[arg-type]
    return str(response.user.id)


def set_role(sb: Client, *, email: str, role: str | None) -> str:
    """Grant `role` (moderator or admin) in app_metadata, or revoke it with None. Takes effect with the user's
    next access token (at most one token lifetime, 1 h by default)."""
    _check_role(role)
    user = find_user(sb, email)
    if user is None:
        raise AdminError(f"no user has the email {email}")
    # Auth merges app_metadata keys; a null value removes the key.
    sb.auth.admin.update_user_by_id(str(user.id), {"app_metadata": {"role": role}})
    return str(user.id)


def load_demo(sb: Client, database_url: str, *, password: str = DEMO_PASSWORD) -> list[str]:
    """Create the demo users through Auth, then load the seed's rows; returns the demo user ids."""
    import psycopg

    users = demo_users()
    ids = [
        create_user(
            sb,
            email=u.email,
            password=password,
            user_id=u.id,
            app_metadata={k: v for k, v in u.app_metadata.items() if k == "role"},
            user_metadata=u.user_metadata,
        )
        for u in users
    ]
    moved = [u.email for u, got in zip(users, ids, strict=True) if got != u.id]
    if moved:
        raise AdminError(f"these demo emails already belong to other users: {', '.join(moved)}")
    with psycopg.connect(database_url, prepare_threshold=None) as conn, conn.transaction():
        conn.execute(seed_data_sql())
    return ids


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create a confirmed user")
    create.add_argument("email")
    create.add_argument("--password")
    create.add_argument("--name")
    create.add_argument("--role", choices=ROLES)
    grant = sub.add_parser("grant-role", help="make a user a moderator or admin (app_metadata.role)")
    grant.add_argument("email")
    grant.add_argument("role", choices=ROLES)
    revoke = sub.add_parser("revoke-role", help="take a user's moderator or admin role away")
    revoke.add_argument("email")
    demo = sub.add_parser("load-demo", help="the demo users and data of supabase/seed.sql")
    demo.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args(argv)
    try:
        sb = client()
        if args.command == "create-user":
            print(create_user(sb, email=args.email, password=args.password, name=args.name, role=args.role))
        elif args.command == "grant-role":
            print(set_role(sb, email=args.email, role=args.role))
        elif args.command == "revoke-role":
            print(set_role(sb, email=args.email, role=None))
        else:
            database_url = os.environ.get("DATABASE_URL")
            if not database_url:
                raise AdminError("set DATABASE_URL (the project's transaction pooler URL) for load-demo")
            for user_id in load_demo(sb, database_url, password=args.password):
                print(user_id)
    except AdminError as exc:
        print(f"admin: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

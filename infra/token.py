"""Mint a local access token for a seeded user, with the same claims Supabase Auth puts in its tokens.

    .venv/bin/python -m infra.token ada@skillswap.test          # by email (looked up in the dev database)
    .venv/bin/python -m infra.token 11111111-1111-4111-8111-111111111111 --ttl 3600

Signed with the local HS256 key (`infra.localenv.LOCAL_JWT_SECRET`): accepted by the local stack only.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from typing import Any

import jwt
import psycopg

from infra.localenv import LOCAL_JWT_ISSUER, LOCAL_JWT_SECRET, DevConfig


def mint_token(
    *,
    user_id: str | uuid.UUID,
    email: str | None,
    app_metadata: dict[str, Any] | None = None,
    user_metadata: dict[str, Any] | None = None,
    ttl_seconds: int = 3600,
    secret: str = LOCAL_JWT_SECRET,
    issuer: str = LOCAL_JWT_ISSUER,
    role: str = "authenticated",
    is_anonymous: bool = False,
    now: int | None = None,
) -> str:
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": issuer,
        "sub": str(user_id),
        "aud": "authenticated",
        "exp": issued + ttl_seconds,
        "iat": issued,
        "email": email or "",
        "phone": "",
        "app_metadata": app_metadata or {"provider": "email", "providers": ["email"]},
        "user_metadata": user_metadata or {},
        "role": role,
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": issued}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": is_anonymous,
    }
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": "local-hs256"})


def token_for(dsn: str, who: str, ttl_seconds: int) -> str:
    column = "id::text" if _is_uuid(who) else "email"
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"select id, email, raw_app_meta_data, raw_user_meta_data from auth.users where {column} = %s",
            (who,),
        ).fetchone()
    if row is None:
        raise SystemExit(f"no user {who!r} in the local database (is `make dev` running?)")
    return mint_token(user_id=row[0], email=row[1], app_metadata=row[2], user_metadata=row[3], ttl_seconds=ttl_seconds)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("user", help="email or user id of a user in the local database")
    parser.add_argument("--ttl", type=int, default=24 * 3600, help="lifetime in seconds (default 1 day)")
    args = parser.parse_args(argv)
    cfg = DevConfig.from_env()
    dsn = f"postgresql://postgres:postgres@127.0.0.1:{cfg.db_port}/postgres"
    sys.stdout.write(token_for(dsn, args.user, args.ttl) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

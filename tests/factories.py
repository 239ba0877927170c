"""Creating real users (auth.users and auth.identities rows as Supabase Auth writes them, so the sign-up trigger
runs) with real local tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

from infra.localauth import default_app_metadata, insert_user
from infra.token import mint_token


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    token: str
    app_metadata: dict[str, Any]

    @property
    def claims(self) -> dict[str, Any]:
        return {
            "sub": str(self.id),
            "role": "authenticated",
            "email": self.email,
            "app_metadata": self.app_metadata,
        }


def create_user(
    conn: psycopg.Connection[Any],
    *,
    name: str = "Test User",
    timezone: str = "UTC",
    app_role: str | None = None,
) -> User:
    user_id = uuid.uuid4()
    email = f"{user_id.hex[:12]}@skillswap.test"
    app_metadata = default_app_metadata(app_role)
    insert_user(
        conn,
        user_id=user_id,
        email=email,
        app_metadata=app_metadata,
        user_metadata={"display_name": name, "timezone": timezone},
    )
    return User(
        id=user_id,
        email=email,
        token=mint_token(user_id=user_id, email=email, app_metadata=app_metadata),
        app_metadata=app_metadata,
    )

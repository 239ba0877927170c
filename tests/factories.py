"""Creating real users (auth.users rows, so the sign-up trigger runs) with real local tokens."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

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
    app_metadata: dict[str, Any] = {"provider": "email", "providers": ["email"]}
    if app_role:
        app_metadata["role"] = app_role
    conn.execute(
        "insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)"
        " values (%s, 'authenticated', 'authenticated', %s, now(), %s, %s)",
        (user_id, email, json.dumps(app_metadata), json.dumps({"display_name": name, "timezone": timezone})),
    )
    return User(
        id=user_id,
        email=email,
        token=mint_token(user_id=user_id, email=email, app_metadata=app_metadata),
        app_metadata=app_metadata,
    )

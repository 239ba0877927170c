"""Hand-built tokens for attack tests: forged exactly as an attacker would, byte by byte."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from infra.localenv import LOCAL_JWT_ISSUER


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": LOCAL_JWT_ISSUER,
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "exp": now + 3600,
        "iat": now,
        "email": "mallory@skillswap.test",
        "role": "authenticated",
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    base.update(overrides)
    return base


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """`alg: none` style token: header.payload. (empty signature)."""
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


def hmac_signed(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(sig)}"


def tamper_payload(token: str, **changes: Any) -> str:
    """Keep header and signature, rewrite the payload."""
    header, payload, sig = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    return f"{header}.{b64url(json.dumps(body).encode())}.{sig}"

"""Stripe events signed exactly as Stripe signs them (for the event types localstripe does not send)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from infra.localenv import LOCAL_WEBHOOK_SECRET

_counter = itertools.count(1)


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_counter):08d}_{int(time.time() * 1000)}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "api_version": "2025-03-31",
        "data": {"object": obj},
    }


def sign(body: bytes, *, secret: str = LOCAL_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={signature}"


def signed(evt: dict[str, Any], **kwargs: Any) -> tuple[bytes, str]:
    body = json.dumps(evt).encode()
    return body, sign(body, **kwargs)

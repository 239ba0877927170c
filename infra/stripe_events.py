"""Stripe events signed exactly as Stripe signs them (for the event types localstripe does not send), rendered
with our pinned API version as our endpoints are. Events of connected accounts (`account.*`) carry the
account's id in `account`, as Stripe sends them to a Connect endpoint."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from infra.localenv import LOCAL_CONNECT_WEBHOOK_SECRET, LOCAL_WEBHOOK_SECRET
from shared.stripe_client import STRIPE_API_VERSION

_counter = itertools.count(1)


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    evt = {
        "id": event_id or f"evt_test_{next(_counter):08d}_{int(time.time() * 1000)}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "api_version": STRIPE_API_VERSION,
        "data": {"object": obj},
    }
    if event_type.startswith("account."):
        evt["account"] = obj.get("id")
    return evt


def is_connect_event(evt: dict[str, Any]) -> bool:
    """Stripe sends events of connected accounts to the Connect endpoint."""
    return "account" in evt


def endpoint_of(evt: dict[str, Any]) -> tuple[str, str]:
    """(path, signing secret) of the endpoint Stripe delivers this event to."""
    if is_connect_event(evt):
        return "/stripe/connect", LOCAL_CONNECT_WEBHOOK_SECRET
    return "/stripe", LOCAL_WEBHOOK_SECRET


def sign(body: bytes, *, secret: str = LOCAL_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={signature}"


def signed(evt: dict[str, Any], **kwargs: Any) -> tuple[bytes, str]:
    body = json.dumps(evt).encode()
    return body, sign(body, **kwargs)

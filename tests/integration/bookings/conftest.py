"""Bookings fixtures: calls through the real bookings Lambda handler, and sessions created through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from infra.lambda_events import Reply
from tests.factories import User
from tests.helpers import call


def in_hours(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def session_body(**overrides: Any) -> dict[str, Any]:
    starts = overrides.pop("starts_at", in_hours(72))
    body: dict[str, Any] = {
        "format": "workshop",
        "title": "Intro to property-based testing",
        "description": "Hypothesis from zero to shrinking.",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Paris",
        "capacity": 5,
        "meeting_url": "https://meet.example.org/pbt",
    }
    body.update(overrides)
    return body


@pytest.fixture
def api() -> Callable[..., Reply]:
    return call


def make_payable(conn: psycopg.Connection[Any], host: User) -> None:
    """Give a host a Connect account that can accept charges (what account.updated does in production)."""
    conn.execute(
        "insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled, payouts_enabled)"
        " values (%s, %s, true, true) on conflict (host_id) do nothing",
        (host.id, f"acct_{host.id.hex[:16]}"),
    )


def publish_as(conn: psycopg.Connection[Any], host: User, **overrides: Any) -> dict[str, Any]:
    """Create and publish a session through the API as `host` (given a payout account if it is priced)."""
    if overrides.get("price_amount"):
        make_payable(conn, host)
    created = call("POST", "/sessions", host, session_body(**overrides))
    assert created.status == 201, created.text
    published = call("POST", f"/sessions/{created.json()['id']}/publish", host)
    assert published.status == 200, published.text
    body: dict[str, Any] = published.json()
    return body


@pytest.fixture
def publish(
    make_user: Callable[..., User], admin_conn: psycopg.Connection[Any]
) -> Callable[..., tuple[User, dict[str, Any]]]:
    """Create and publish a session through the API; returns (host, session)."""

    def _publish(host: User | None = None, **overrides: Any) -> tuple[User, dict[str, Any]]:
        host = host or make_user(name="Host")
        return host, publish_as(admin_conn, host, **overrides)

    return _publish


@pytest.fixture
def book(make_user: Callable[..., User]) -> Callable[..., tuple[User, Reply]]:
    def _book(session_id: str, learner: User | None = None, **kwargs: Any) -> tuple[User, Reply]:
        learner = learner or make_user(name="Learner")
        return learner, call("POST", f"/sessions/{session_id}/bookings", learner, **kwargs)

    return _book


def shift_session(
    conn: psycopg.Connection[Any], session_id: str | UUID, starts_at: datetime, ends_at: datetime
) -> None:
    """Move a session in time behind the API's back (triggers off), to test what happens once it has started."""
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        conn.execute(
            "update public.sessions set starts_at = %s, ends_at = %s where id = %s", (starts_at, ends_at, session_id)
        )


def mark_paid(conn: psycopg.Connection[Any], booking_id: str) -> None:
    """What the payments function does when Stripe says the money arrived (payments issue): confirm the hold."""
    conn.execute(
        "update public.bookings set status = 'confirmed', paid_at = now(), confirmed_at = now() where id = %s",
        (booking_id,),
    )

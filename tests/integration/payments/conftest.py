"""Payments fixtures: the webhook function reachable over HTTP (a Function URL bridge) and registered with
localstripe, and helpers to pay as a customer would (Stripe.js does this in the browser)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from infra.lambda_events import Reply, function_url_event, invoke
from infra.localenv import LOCAL_WEBHOOK_SECRET
from infra.stripe_events import endpoint_of, signed
from infra.url_bridge import FunctionUrlBridge


@pytest.fixture(scope="session")
def webhook_endpoint(stripe_peer: str) -> Iterator[FunctionUrlBridge]:
    from webhooks.handler import lambda_handler

    with FunctionUrlBridge(lambda_handler) as bridge:
        reply = httpx.post(
            f"{stripe_peer}/_config/webhooks/skillswap-tests",
            data={"url": f"{bridge.url}/stripe", "secret": LOCAL_WEBHOOK_SECRET},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        yield bridge


def deliver(evt: dict[str, Any], **sign_kwargs: Any) -> Reply:
    """POST a signed event to the webhook function's real Lambda handler, at the endpoint Stripe would use (the
    Connect endpoint for events of connected accounts) and signed with that endpoint's secret."""
    from webhooks.handler import lambda_handler

    path, secret = endpoint_of(evt)
    body, header = signed(evt, **{"secret": secret, **sign_kwargs})
    return invoke(lambda_handler, function_url_event("POST", path, raw_body=body, headers={"Stripe-Signature": header}))


def pay(intent_id: str, card: str) -> bool:
    """What Stripe.js does with the client secret: attach a card to the PaymentIntent and confirm it. False when
    the card is declined (the browser is told at once; our function learns it from the webhook)."""
    import stripe

    from shared.stripe_client import get_stripe

    client = get_stripe()
    method = client.v1.payment_methods.create(
        {"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    client.v1.payment_intents.update(intent_id, {"payment_method": method.id})
    try:
        client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError:
        return False
    return True


def wait_for(
    conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...], expected: Any, timeout: float = 20
) -> Any:
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        row = conn.execute(query, params).fetchone()
        if row is not None and row[0] == expected:
            return row
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout}s for {expected!r}; last seen {row!r}")


@pytest.fixture
def run_refunds() -> Callable[[], dict[str, int]]:
    from infra.lambda_events import LambdaContext
    from webhooks.jobs import refunds_handler

    return lambda: refunds_handler({"source": "aws.scheduler"}, LambdaContext())


from tests.integration.bookings.conftest import book, publish  # noqa: E402,F401  (shared fixtures)

"""HTTP routes of the Stripe webhook function."""

from __future__ import annotations

from fastapi import APIRouter, Request

from shared.openapi import EXTRA_STATUSES
from shared.routing import LazyRoute
from shared.schema import Model
from webhooks import logic

router = APIRouter(route_class=LazyRoute)


class WebhookAck(Model):
    received: bool
    event_id: str
    outcome: str


async def _receive(request: Request, *, connect: bool) -> WebhookAck:
    payload = await request.body()
    outcome = logic.receive_stripe_event(
        payload=payload, signature=request.headers.get("stripe-signature"), connect=connect
    )
    return WebhookAck(received=True, event_id=outcome.event_id, outcome=outcome.outcome)


# The body is Stripe's event, read raw (the signature covers the exact bytes); 400 for a missing, bad or stale
# signature.
_STRIPE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "a Stripe event"}}},
    },
    EXTRA_STATUSES: [400],
    "parameters": [
        {"name": "Stripe-Signature", "in": "header", "required": True, "schema": {"type": "string"}},
    ],
}


@router.post("/stripe", response_model=WebhookAck, tags=["stripe"], openapi_extra=_STRIPE_BODY)
async def receive_stripe_event(request: Request) -> WebhookAck:
    """Stripe's account endpoint (events of the platform account), verified with its own signing secret: the raw
    body is verified before it is parsed; duplicates and unknown types are acknowledged with 200 (Stripe stops
    retrying) and change nothing."""
    return await _receive(request, connect=False)


@router.post("/stripe/connect", response_model=WebhookAck, tags=["stripe"], openapi_extra=_STRIPE_BODY)
async def receive_stripe_connect_event(request: Request) -> WebhookAck:
    """Stripe's Connect endpoint (events of hosts' connected accounts), verified with the Connect endpoint's own
    signing secret; same guarantees as the account endpoint."""
    return await _receive(request, connect=True)

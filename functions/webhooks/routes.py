"""HTTP routes of the Stripe webhook function."""

from __future__ import annotations

from fastapi import APIRouter, Request

from shared.schema import Model
from webhooks import logic

router = APIRouter()


class WebhookAck(Model):
    received: bool
    event_id: str
    outcome: str


@router.post("/stripe", response_model=WebhookAck, tags=["stripe"])
async def receive_stripe_event(request: Request) -> WebhookAck:
    """Stripe's webhook endpoint: the raw body is verified before it is parsed; duplicates and unknown types are
    acknowledged with 200 (Stripe stops retrying) and change nothing."""
    payload = await request.body()
    outcome = logic.receive_stripe_event(payload=payload, signature=request.headers.get("stripe-signature"))
    return WebhookAck(received=True, event_id=outcome.event_id, outcome=outcome.outcome)

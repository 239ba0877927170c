"""Stripe events → effects, exactly once and in any order.

1. The signature is verified on the raw body (`stripe.WebhookSignature.verify_header`) before anything is
   parsed, with the secret of the endpoint the event came to. There are two endpoints, each with its own signing
   secret (Stripe, "Connect webhooks", docs.stripe.com/connect/webhooks): the account endpoint (`/stripe`:
   events of the platform's own account — payments, refunds, subscriptions, invoices) and the Connect endpoint
   (`/stripe/connect`: events of connected accounts, which carry `account` — a host's `account.updated`).
   A missing, bad or stale signature is a 400 and nothing is written.
2. A verified event is parsed by the models of `webhooks.models` (only the fields we use, bounded). One that does
   not fit — not JSON, not an object, a field missing or of the wrong type — is recorded in the ledger as
   `rejected: <reason>` and answered 200: Stripe would otherwise retry it for days, and retrying cannot fix it.
   The `stripe.rejected` metric alarms, so a person looks.
3. In ONE transaction the event id is recorded in the ledger and its effect applied; a duplicate does nothing.
4. Effects are SQL functions that tolerate any order: payment success is absorbing (late money takes a free
   seat or becomes a refund due), failures never undo a payment, and subscription / account state keeps the
   newest Stripe timestamp it has seen. Unknown event types are recorded and ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import BadRequest
from shared.observability import logger, metrics
from shared.settings import get_settings
from shared.stripe_client import STRIPE_API_VERSION
from webhooks import dal
from webhooks.dal import Decision
from webhooks.models import (
    EVENT_ID,
    EVENT_TYPE,
    AccountObject,
    ChargeObject,
    EventEnvelope,
    InvoiceObject,
    PaymentIntentObject,
    SubscriptionObject,
    as_time,
    rejection_reason,
)


@dataclass(frozen=True)
class EventOutcome:
    event_id: str
    type: str
    outcome: str


class RejectedEvent(Exception):
    """A verified event that does not fit what we read: recorded as rejected, answered 200."""


def verify_event(payload: bytes, signature: str | None, *, connect: bool = False) -> Any:
    """The verified body, parsed as JSON (whatever it holds); a missing, bad or stale signature is a 400, and so is
    a body that is not text (it cannot have been signed by Stripe). `connect`: the event came to the Connect
    endpoint, verified with that endpoint's own secret."""
    import stripe

    settings = get_settings()
    secret = settings.stripe_connect_webhook_secret if connect else settings.stripe_webhook_secret
    if not secret:
        raise BadRequest("webhooks are not configured")
    if not signature:
        raise BadRequest("missing Stripe-Signature header", field="Stripe-Signature")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, settings.stripe_webhook_tolerance_seconds)
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not a Stripe event") from exc
    except stripe.SignatureVerificationError as exc:
        raise BadRequest("the Stripe signature does not verify", field="Stripe-Signature") from exc
    try:
        return json.loads(text)
    except ValueError:
        return text  # verified, but not JSON: rejected (recorded) by apply_event


# Handlers: (event object, event time) -> the effect to apply, or the outcome when there is none -------------
Handler = Callable[[dict[str, Any], datetime], Decision]
M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], obj: dict[str, Any]) -> M:
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise RejectedEvent(f"data.object {rejection_reason(exc)}") from None


def _payment_succeeded(obj: dict[str, Any], at: datetime) -> Decision:
    intent = _parse(PaymentIntentObject, obj)
    amount = intent.amount_received or intent.amount
    purchase = intent.content_purchase()
    if purchase is not None:
        user_id, content_id = purchase
        destination = intent.transfer_data is not None and intent.transfer_data.destination is not None
        fee = intent.application_fee_amount or 0
        return dal.content_purchase(user_id, content_id, intent.id, amount, intent.currency, fee, destination)
    booking_id = intent.booking_id()
    if booking_id is None:
        return "not_a_booking"
    return dal.payment_succeeded(booking_id, intent.id, intent.latest_charge, amount, intent.currency)


def _payment_failed(obj: dict[str, Any], at: datetime) -> Decision:
    intent = _parse(PaymentIntentObject, obj)
    booking_id = intent.booking_id()
    if booking_id is None:
        return "not_a_booking"
    code = intent.last_payment_error.code if intent.last_payment_error else None
    return dal.payment_failed(booking_id, str(code or intent.cancellation_reason or intent.status or "failed"))


def _charge_refunded(obj: dict[str, Any], at: datetime) -> Decision:
    charge = _parse(ChargeObject, obj)
    if charge.payment_intent is None:
        return "not_a_payment_intent"
    refunds = charge.refunds.data if charge.refunds else []
    return dal.charge_refunded(charge.payment_intent, [r.id for r in refunds])


def _subscription(sub: SubscriptionObject, status: str, at: datetime) -> Decision:
    return dal.subscription_state(
        sub.id,
        sub.customer or "",
        sub.price_id(),
        status,
        sub.period_end(),
        sub.cancel_at_period_end,
        as_time(sub.trial_end),
        at,
    )


def _subscription_changed(obj: dict[str, Any], at: datetime) -> Decision:
    sub = _parse(SubscriptionObject, obj)
    return _subscription(sub, sub.status, at)


def _subscription_deleted(obj: dict[str, Any], at: datetime) -> Decision:
    return _subscription(_parse(SubscriptionObject, {"status": "canceled", **obj}), "canceled", at)


def _invoice(paid: bool, failed: bool) -> Handler:
    """An invoice of a subscription: kept for the member to see (when the event carries the invoice's fields), and
    a paid or failed one moves the subscription's status and period."""

    def apply(obj: dict[str, Any], at: datetime) -> Decision:
        invoice = _parse(InvoiceObject, obj)
        subscription = invoice.subscription_id()
        if subscription is None:
            return "not_a_subscription"
        if invoice.id is None or invoice.currency is None or invoice.status is None:
            if not (paid or failed):
                return "ignored"
            return dal.invoice(subscription, invoice.customer or "", paid, invoice.covered_until(), at)
        return dal.membership_invoice(
            invoice_id=invoice.id,
            subscription_id=subscription,
            customer_id=invoice.customer or "",
            status=invoice.status,
            amount_due=invoice.amount_due,
            amount_paid=invoice.amount_paid,
            currency=invoice.currency,
            period_end=invoice.covered_until(),
            hosted_url=invoice.hosted_invoice_url,
            created=as_time(invoice.created) or at,
            paid=paid,
            failed=failed,
            event_at=at,
        )

    return apply


def _account_updated(obj: dict[str, Any], at: datetime) -> Decision:
    account = _parse(AccountObject, obj)
    return dal.account_state(
        account.id, account.charges_enabled, account.payouts_enabled, account.details_submitted, at
    )


# Events of the platform's own account (the account endpoint).
HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": _payment_failed,
    "payment_intent.canceled": _payment_failed,
    "charge.refunded": _charge_refunded,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.finalized": _invoice(paid=False, failed=False),
    "invoice.paid": _invoice(paid=True, failed=False),
    "invoice.payment_succeeded": _invoice(paid=True, failed=False),
    "invoice.payment_failed": _invoice(paid=False, failed=True),
    "invoice.marked_uncollectible": _invoice(paid=False, failed=False),
    "invoice.voided": _invoice(paid=False, failed=False),
}

# Events of connected accounts (the Connect endpoint): a host's account becoming able to take charges and payouts.
# (The platform's own account.updated, sent to the account endpoint, is not about a host and is ignored.)
CONNECT_HANDLERS: dict[str, Handler] = {
    "account.updated": _account_updated,
}


def _envelope(raw: Any, *, connect: bool) -> EventEnvelope:
    if not isinstance(raw, dict):
        raise RejectedEvent(f"the body is {type(raw).__name__}, not an event object")
    try:
        event = EventEnvelope.model_validate(raw)
    except ValidationError as exc:
        raise RejectedEvent(rejection_reason(exc)) from None
    if connect and event.account is None:
        raise RejectedEvent("account: an event of the Connect endpoint names its connected account")
    if event.api_version not in {None, STRIPE_API_VERSION}:
        # The payload's shape follows the endpoint's API version: an endpoint made with another version is a
        # deployment mistake (`python -m infra.stripe_setup` makes them with ours). Processed, and said loudly.
        logger.warning(
            "stripe event rendered with another API version",
            extra={"event_api_version": event.api_version, "expected": STRIPE_API_VERSION},
        )
    return event


def _record_rejection(raw: Any, reason: str) -> EventOutcome:
    """Keep a verified event we cannot read in the ledger (under its own id, or its body's hash when it has none)
    so its retries are duplicates, and say so loudly."""
    event_id = raw.get("id") if isinstance(raw, dict) else None
    if not (isinstance(event_id, str) and EVENT_ID.fullmatch(event_id)):
        event_id = "unreadable_" + hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:40]
    event_type = raw.get("type") if isinstance(raw, dict) else None
    if not (isinstance(event_type, str) and EVENT_TYPE.fullmatch(event_type)):
        event_type = "unknown"
    outcome = dal.apply_once(event_id, event_type, datetime.now(UTC), f"rejected: {reason}"[:1000])
    if outcome != "duplicate":  # (a duplicate of a rejected event was counted and logged the first time)
        from aws_lambda_powertools.metrics import MetricUnit

        metrics.add_metric(name="stripe.rejected", unit=MetricUnit.Count, value=1)
        logger.warning(
            "stripe event rejected", extra={"event_id": event_id, "event_type": event_type, "reason": reason}
        )
    return EventOutcome(event_id=event_id, type=event_type, outcome=outcome)


def apply_event(raw: Any, *, connect: bool = False) -> EventOutcome:
    """Ledger + effect in one statement (one transaction), or the event recorded as rejected. Never logs the
    payload (only id, type, outcome, and for a rejection which fields did not fit)."""
    try:
        event = _envelope(raw, connect=connect)
        created = event.created_at
        handler = (CONNECT_HANDLERS if connect else HANDLERS).get(event.type)
        # Decided before the ledger is asked (a duplicate's object is read again: cheaper than a round trip), then
        # claimed, applied and settled in one statement.
        decision = handler(event.data_object, created) if handler else "ignored"
    except RejectedEvent as exc:
        return _record_rejection(raw, str(exc))
    outcome = dal.apply_once(event.id, event.type, created, decision)
    logger.info("stripe event", extra={"event_id": event.id, "event_type": event.type, "outcome": outcome})
    return EventOutcome(event_id=event.id, type=event.type, outcome=outcome)


def receive_stripe_event(*, payload: bytes, signature: str | None, connect: bool = False) -> EventOutcome:
    return apply_event(verify_event(payload, signature, connect=connect), connect=connect)

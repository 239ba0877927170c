"""Stripe events → effects, exactly once and in any order.

1. The signature is verified on the raw body (`stripe.Webhook.construct_event`) before anything else, with the
   secret of the endpoint the event came to. There are two endpoints, each with its own signing secret
   (Stripe, "Connect webhooks", docs.stripe.com/connect/webhooks): the account endpoint (`/stripe`: events of
   the platform's own account — payments, refunds, subscriptions, invoices) and the Connect endpoint
   (`/stripe/connect`: events of connected accounts, which carry `account` — a host's `account.updated`).
2. In ONE transaction the event id is recorded in the ledger and its effect applied; a duplicate does nothing.
3. Effects are SQL functions that tolerate any order: payment success is absorbing (late money takes a free
   seat or becomes a refund due), failures never undo a payment, and subscription / account state keeps the
   newest Stripe timestamp it has seen. Unknown event types are recorded and ignored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared import db
from shared.errors import BadRequest
from shared.observability import logger
from shared.settings import get_settings
from shared.stripe_client import STRIPE_API_VERSION
from webhooks.dal import RefundsRepo, StripeEventsRepo

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams


@dataclass(frozen=True)
class EventOutcome:
    event_id: str
    type: str
    outcome: str


def verify_event(payload: bytes, signature: str | None, *, connect: bool = False) -> dict[str, Any]:
    """The verified event as a dict; any defect (missing/bad signature, stale timestamp, bad JSON) is a 400.
    `connect`: the event came to the Connect endpoint (its own secret; the event must name its account)."""
    import stripe

    settings = get_settings()
    secret = settings.stripe_connect_webhook_secret if connect else settings.stripe_webhook_secret
    if not secret:
        raise BadRequest("webhooks are not configured")
    if not signature:
        raise BadRequest("missing Stripe-Signature header", field="Stripe-Signature")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=settings.stripe_webhook_tolerance_seconds
        )
    except stripe.SignatureVerificationError as exc:
        raise BadRequest("the Stripe signature does not verify", field="Stripe-Signature") from exc
    except ValueError as exc:
        raise BadRequest("the body is not a Stripe event") from exc
    data: dict[str, Any] = event.to_dict()
    if connect and not isinstance(data.get("account"), str):
        raise BadRequest("an event of the Connect endpoint names its connected account", field="account")
    if data.get("api_version") not in {None, STRIPE_API_VERSION}:
        # The payload's shape follows the endpoint's API version: an endpoint made with another version is a
        # deployment mistake (`python -m infra.stripe_setup` makes them with ours). Processed, and said loudly.
        logger.warning(
            "stripe event rendered with another API version",
            extra={"event_api_version": data.get("api_version"), "expected": STRIPE_API_VERSION},
        )
    return data


# Reading Stripe objects (API versions differ in where some fields live) --------------------------------
def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) else None


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _booking_id(intent: dict[str, Any]) -> UUID | None:
    metadata = intent.get("metadata") or {}
    if metadata.get("kind", "booking") != "booking":
        return None
    try:
        return UUID(str(metadata.get("booking_id")))
    except ValueError:
        return None


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = (subscription.get("items") or {}).get("data") or [{}]
    return items[0] or {}


def _subscription_of(invoice: dict[str, Any]) -> str | None:
    direct = _id(invoice.get("subscription"))
    if direct:
        return direct
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id(details.get("subscription"))


def _invoice_period_end(invoice: dict[str, Any]) -> datetime | None:
    lines = (invoice.get("lines") or {}).get("data") or []
    ends = [_ts((line.get("period") or {}).get("end")) for line in lines]
    known = [end for end in ends if end is not None]
    return max(known) if known else _ts(invoice.get("period_end"))


# Handlers: (repo, object, event time) -> outcome ------------------------------------------------------
Handler = Callable[[StripeEventsRepo, dict[str, Any], datetime], str]


def _payment_succeeded(repo: StripeEventsRepo, intent: dict[str, Any], at: datetime) -> str:
    booking_id = _booking_id(intent)
    if booking_id is None:
        return "not_a_booking"
    amount = intent.get("amount_received") or intent.get("amount") or 0
    return repo.payment_succeeded(
        booking_id, intent["id"], _id(intent.get("latest_charge")), int(amount), intent["currency"]
    )


def _payment_failed(repo: StripeEventsRepo, intent: dict[str, Any], at: datetime) -> str:
    booking_id = _booking_id(intent)
    if booking_id is None:
        return "not_a_booking"
    error = intent.get("last_payment_error") or {}
    reason = str(error.get("code") or intent.get("cancellation_reason") or intent.get("status") or "failed")
    return repo.payment_failed(booking_id, reason)


def _charge_refunded(repo: StripeEventsRepo, charge: dict[str, Any], at: datetime) -> str:
    intent_id = _id(charge.get("payment_intent"))
    if intent_id is None:
        return "not_a_payment_intent"
    refunds = (charge.get("refunds") or {}).get("data") or []
    return repo.charge_refunded(intent_id, [r["id"] for r in refunds if isinstance(r, dict) and "id" in r])


def _subscription_changed(repo: StripeEventsRepo, sub: dict[str, Any], at: datetime) -> str:
    item = _first_item(sub)
    price = _id(item.get("price")) or _id(item.get("plan")) or _id(sub.get("plan"))
    period_end = _ts(sub.get("current_period_end")) or _ts(item.get("current_period_end"))
    return repo.subscription_state(
        sub["id"], _id(sub.get("customer")) or "", price, str(sub.get("status")), period_end, at
    )


def _subscription_deleted(repo: StripeEventsRepo, sub: dict[str, Any], at: datetime) -> str:
    return _subscription_changed(repo, {**sub, "status": "canceled"}, at)


def _invoice(paid: bool) -> Handler:
    def apply(repo: StripeEventsRepo, invoice: dict[str, Any], at: datetime) -> str:
        subscription = _subscription_of(invoice)
        if subscription is None:
            return "not_a_subscription"
        return repo.invoice(subscription, _id(invoice.get("customer")) or "", paid, _invoice_period_end(invoice), at)

    return apply


def _account_updated(repo: StripeEventsRepo, account: dict[str, Any], at: datetime) -> str:
    return repo.account_state(
        account["id"],
        bool(account.get("charges_enabled")),
        bool(account.get("payouts_enabled")),
        bool(account.get("details_submitted")),
        at,
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
    "invoice.paid": _invoice(paid=True),
    "invoice.payment_succeeded": _invoice(paid=True),
    "invoice.payment_failed": _invoice(paid=False),
}

# Events of connected accounts (the Connect endpoint): a host's account becoming able to take charges and payouts.
# (The platform's own account.updated, sent to the account endpoint, is not about a host and is ignored.)
CONNECT_HANDLERS: dict[str, Handler] = {
    "account.updated": _account_updated,
}


def apply_event(event: dict[str, Any], *, connect: bool = False) -> EventOutcome:
    """Ledger + effect in one transaction. Never logs the payload (only id, type and outcome)."""
    event_id, event_type = str(event.get("id", "")), str(event.get("type", ""))
    created = _ts(event.get("created"))
    if not event_id.startswith("evt_") or created is None:
        raise BadRequest("the event has no id or creation time")
    with db.transaction() as conn:
        repo = StripeEventsRepo(conn)
        if not repo.claim(event_id, event_type, created):
            outcome = "duplicate"
        else:
            handler = (CONNECT_HANDLERS if connect else HANDLERS).get(event_type)
            data_object = (event.get("data") or {}).get("object") or {}
            outcome = handler(repo, data_object, created) if handler else "ignored"
            repo.finish(event_id, outcome)
    logger.info("stripe event", extra={"event_id": event_id, "event_type": event_type, "outcome": outcome})
    return EventOutcome(event_id=event_id, type=event_type, outcome=outcome)


def receive_stripe_event(*, payload: bytes, signature: str | None, connect: bool = False) -> EventOutcome:
    return apply_event(verify_event(payload, signature, connect=connect), connect=connect)


# Refunds due → Stripe --------------------------------------------------------------------------------
def refund_params(refund: dict[str, Any]) -> RefundCreateParams:
    """A refund of (part of) a booking's payment. A destination charge also takes the host's share back from the
    connected account (`reverse_transfer`, proportional to the amount) and returns the platform's fee in the same
    proportion (`refund_application_fee`); without them the platform would pay the whole refund alone. Source:
    Stripe, "Destination charges" → "Issue refunds" (docs.stripe.com/connect/destination-charges)."""
    params: RefundCreateParams = {"payment_intent": refund["payment_intent_id"], "amount": refund["amount"]}
    if refund["destination_charge"]:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    return params


def execute_refunds(
    *, batch_size: int = 50, retry_after_seconds: int = 300, time_budget_seconds: float = 40.0
) -> dict[str, int]:
    """Send the refunds due to Stripe, each with its own idempotency key (`refund-<id>`), and remember Stripe's
    refund id; `charge.refunded` later marks them succeeded. A crash between claim and record is retried.

    No Stripe call starts unless it can finish, at its worst, within `time_budget_seconds` (the function's timeout
    less a margin): what is left stays claimed without a Stripe id and the next run retries it."""
    started = time.monotonic()
    with db.transaction() as conn:
        due = RefundsRepo(conn).claim_due(batch_size, retry_after_seconds)
    submitted = failed = deferred = 0
    if not due:
        return {"refunds_submitted": 0, "refunds_failed": 0, "refunds_deferred": 0}
    import stripe  # only when there is something to send (a quiet minute costs no Stripe import)

    from shared.stripe_client import call_budget_seconds, get_stripe

    settings = get_settings()
    budget = call_budget_seconds(settings.stripe_timeout_seconds, settings.stripe_max_network_retries)
    out_of_time: list[UUID] = []
    for refund in due:
        if not refund["payment_intent_id"]:
            with db.transaction() as conn:
                RefundsRepo(conn).record_failed(refund["id"])
            failed += 1
            continue
        if time.monotonic() - started + budget > time_budget_seconds:
            out_of_time.append(refund["id"])
            deferred += 1
            continue
        try:
            created = get_stripe().v1.refunds.create(
                refund_params(refund), {"idempotency_key": f"refund-{refund['id']}"}
            )
        except stripe.StripeError:
            # Left 'submitted' without a Stripe id: the next run retries it with the same idempotency key.
            logger.exception("refund not accepted by Stripe; will retry", extra={"refund_id": str(refund["id"])})
            deferred += 1
            continue
        with db.transaction() as conn:
            RefundsRepo(conn).record_submitted(refund["id"], created.id)
        submitted += 1
    if out_of_time:
        with db.transaction() as conn:
            RefundsRepo(conn).release(out_of_time)
    return {"refunds_submitted": submitted, "refunds_failed": failed, "refunds_deferred": deferred}

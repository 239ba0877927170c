"""The refund executor, a scheduled job: refunds due (a learner's cancellation, a session its host cancelled, a
participant the host removed, a payment that arrived after its seat was given away) are sent to Stripe, each with
its own idempotency key.
Apart from webhooks.logic, so that the job's cold start loads none of the event models (bench/coldstart.py; the
same split as bookings.holds and matching.sweep)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared import db
from shared.observability import logger
from shared.settings import get_settings
from webhooks.dal import RefundsRepo

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams


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

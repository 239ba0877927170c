"""SQL of the Stripe webhook function: the processed-events ledger and the effect functions (all in SQL, each
idempotent and order-tolerant), applied together in one statement, plus the refund queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from shared import db

Conn = psycopg.Connection[dict[str, Any]]


@dataclass(frozen=True)
class Effect:
    """The call of one effect function (SQL, `%s` placeholders) and its parameters: what an event does."""

    call: str
    params: tuple[Any, ...]


# What a handler decides for an event: an effect to apply, or (nothing to apply) the outcome itself.
Decision = Effect | str

_APPLY_ONCE = (
    "select case when public.claim_stripe_event(%s, %s, %s)"
    " then public.settle_stripe_event(%s, {effect}) else 'duplicate' end as outcome"
)


def apply_once(event_id: str, event_type: str, created: datetime, decision: Decision) -> str:
    """Claim the event in the ledger, apply its effect and record the outcome, in ONE statement and its own
    transaction (one round trip; migration 20261130002000 says why the effect runs only for a new event): the
    outcome, or `duplicate` when the ledger held the event already (and nothing was applied)."""
    if isinstance(decision, Effect):
        query, effect_params = _APPLY_ONCE.format(effect=decision.call), decision.params
    else:
        query, effect_params = _APPLY_ONCE.format(effect="%s"), (decision,)
    rows = db.system_rows(query, (event_id, event_type, created, event_id, *effect_params))
    return str(rows[0]["outcome"])


# The effects: each an SQL function, idempotent and tolerant of any order (see the migrations).
def payment_succeeded(booking_id: UUID, intent_id: str, charge_id: str | None, amount: int, currency: str) -> Effect:
    return Effect(
        "public.record_payment_succeeded(%s, %s, %s, %s, %s)", (booking_id, intent_id, charge_id, amount, currency)
    )


def payment_failed(booking_id: UUID, reason: str) -> Effect:
    return Effect("public.record_payment_failed(%s, %s)", (booking_id, reason))


def charge_refunded(intent_id: str, refund_ids: list[str]) -> Effect:
    return Effect("public.record_charge_refunded(%s, %s)", (intent_id, refund_ids))


def subscription_state(
    subscription_id: str,
    customer_id: str,
    price_id: str | None,
    status: str,
    period_end: datetime | None,
    cancel_at_period_end: bool | None,
    trial_end: datetime | None,
    event_at: datetime,
) -> Effect:
    return Effect(
        "public.apply_subscription_state(%s, %s, %s, %s, %s, %s, %s, %s)",
        (subscription_id, customer_id, price_id, status, period_end, cancel_at_period_end, trial_end, event_at),
    )


def membership_invoice(
    *,
    invoice_id: str,
    subscription_id: str,
    customer_id: str,
    status: str,
    amount_due: int,
    amount_paid: int,
    currency: str,
    period_end: datetime | None,
    hosted_url: str | None,
    created: datetime,
    paid: bool,
    failed: bool,
    event_at: datetime,
) -> Effect:
    return Effect(
        "public.apply_membership_invoice(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            invoice_id,
            subscription_id,
            customer_id,
            status,
            amount_due,
            amount_paid,
            currency,
            period_end,
            hosted_url,
            created,
            paid,
            failed,
            event_at,
        ),
    )


def invoice(
    subscription_id: str, customer_id: str, paid: bool, period_end: datetime | None, event_at: datetime
) -> Effect:
    """An invoice event without the invoice's own fields (an older shape): the subscription moves only."""
    return Effect(
        "public.apply_invoice(%s, %s, %s, %s, %s)", (subscription_id, customer_id, paid, period_end, event_at)
    )


def content_purchase(
    user_id: UUID,
    content_id: UUID,
    intent_id: str,
    amount: int,
    currency: str,
    platform_fee: int,
    destination_charge: bool,
) -> Effect:
    return Effect(
        "public.record_content_purchase(%s, %s, %s, %s, %s, %s, %s)",
        (user_id, content_id, intent_id, amount, currency, platform_fee, destination_charge),
    )


def account_state(account_id: str, charges: bool, payouts: bool, submitted: bool, event_at: datetime) -> Effect:
    return Effect("public.apply_account_state(%s, %s, %s, %s, %s)", (account_id, charges, payouts, submitted, event_at))


class RefundsRepo:
    """The queue of refunds due: claimed (pending → submitted) in short transactions around the Stripe call."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def claim_due(self, limit: int, retry_after_seconds: int) -> list[dict[str, Any]]:
        """Pending refunds, and submitted ones whose Stripe call never got recorded (a crash in between): the
        refund's own idempotency key makes retrying them safe."""
        return self.conn.execute(
            """
            update public.refunds r set status = 'submitted', updated_at = now()
            from public.bookings b
            where b.id = r.booking_id and r.id in (
              select id from public.refunds
              where status = 'pending'
                 or (status = 'submitted' and stripe_refund_id is null
                     and updated_at < now() - make_interval(secs => %s))
              order by created_at
              limit %s
              for update skip locked)
            returning r.id, r.amount, r.currency, b.payment_intent_id, b.destination_charge
            """,
            (retry_after_seconds, limit),
        ).fetchall()

    def record_submitted(self, refund_id: UUID, stripe_refund_id: str) -> None:
        self.conn.execute(
            "update public.refunds set stripe_refund_id = %s where id = %s", (stripe_refund_id, refund_id)
        )

    def release(self, refund_ids: list[UUID]) -> None:
        """Give claimed refunds that were never sent back to the queue (the next run takes them at once)."""
        self.conn.execute(
            "update public.refunds set status = 'pending'"
            " where id = any(%s) and status = 'submitted' and stripe_refund_id is null",
            (refund_ids,),
        )

    def record_failed(self, refund_id: UUID) -> None:
        self.conn.execute("update public.refunds set status = 'failed' where id = %s", (refund_id,))

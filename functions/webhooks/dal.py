"""SQL of the Stripe webhook function: the processed-events ledger and the effect functions (all in SQL, each
idempotent and order-tolerant), plus the refund queue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from shared import db

Conn = psycopg.Connection[dict[str, Any]]


@contextmanager
def claimed_event(event_id: str, event_type: str, created: datetime) -> Iterator[StripeEventsRepo | None]:
    """A transaction that starts by claiming the event in the ledger (the claim travels with BEGIN): a repository
    to apply it with, or None when it was processed before. Committed when the block ends (by `finish`)."""
    claim = "select public.claim_stripe_event(%s, %s, %s) as claimed"
    with db.transaction_from(claim, (event_id, event_type, created)) as (conn, rows):
        yield StripeEventsRepo(conn) if rows[0]["claimed"] else None


class StripeEventsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def _one(self, query: str, params: tuple[Any, ...]) -> Any:
        row = self.conn.execute(query, params).fetchone()
        assert row is not None
        return next(iter(row.values()))

    def finish(self, event_id: str, outcome: str) -> None:
        """The event's outcome in the ledger, sent with the transaction's COMMIT (the transaction ends here)."""
        db.commit_with(self.conn, "select public.finish_stripe_event(%s, %s)", (event_id, outcome))

    def payment_succeeded(
        self, booking_id: UUID, intent_id: str, charge_id: str | None, amount: int, currency: str
    ) -> str:
        return str(
            self._one(
                "select public.record_payment_succeeded(%s, %s, %s, %s, %s)",
                (booking_id, intent_id, charge_id, amount, currency),
            )
        )

    def payment_failed(self, booking_id: UUID, reason: str) -> str:
        return str(self._one("select public.record_payment_failed(%s, %s)", (booking_id, reason)))

    def charge_refunded(self, intent_id: str, refund_ids: list[str]) -> str:
        return str(self._one("select public.record_charge_refunded(%s, %s)", (intent_id, refund_ids)))

    def subscription_state(
        self,
        subscription_id: str,
        customer_id: str,
        price_id: str | None,
        status: str,
        period_end: datetime | None,
        cancel_at_period_end: bool | None,
        trial_end: datetime | None,
        event_at: datetime,
    ) -> str:
        return str(
            self._one(
                "select public.apply_subscription_state(%s, %s, %s, %s, %s, %s, %s, %s)",
                (subscription_id, customer_id, price_id, status, period_end, cancel_at_period_end, trial_end, event_at),
            )
        )

    def membership_invoice(
        self,
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
    ) -> str:
        return str(
            self._one(
                "select public.apply_membership_invoice(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
        )

    def invoice(
        self, subscription_id: str, customer_id: str, paid: bool, period_end: datetime | None, event_at: datetime
    ) -> str:
        """An invoice event without the invoice's own fields (an older shape): the subscription moves only."""
        return str(
            self._one(
                "select public.apply_invoice(%s, %s, %s, %s, %s)",
                (subscription_id, customer_id, paid, period_end, event_at),
            )
        )

    def content_purchase(
        self,
        user_id: UUID,
        content_id: UUID,
        intent_id: str,
        amount: int,
        currency: str,
        platform_fee: int,
        destination_charge: bool,
    ) -> str:
        return str(
            self._one(
                "select public.record_content_purchase(%s, %s, %s, %s, %s, %s, %s)",
                (user_id, content_id, intent_id, amount, currency, platform_fee, destination_charge),
            )
        )

    def account_state(self, account_id: str, charges: bool, payouts: bool, submitted: bool, event_at: datetime) -> str:
        return str(
            self._one(
                "select public.apply_account_state(%s, %s, %s, %s, %s)",
                (account_id, charges, payouts, submitted, event_at),
            )
        )


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

"""The payments repository: owns the SQL, returns rows and models. Every query runs as the caller (their role and
claims: RLS decides what they see); what Stripe answered is recorded through the `private` schema's functions,
which check the caller again (see the payments-home migration)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from payments.models import ChargePublic, ContentPublic, InvoicePublic, PlanPublic
from shared.paging import keyset_params

Conn = psycopg.Connection[dict[str, Any]]

# The statuses in which a subscription is someone's membership, as public.membership_is_live() says
# (tests/integration/payments/test_memberships.py holds the two equal).
LIVE_STATUSES = ("incomplete", "trialing", "active", "past_due", "unpaid", "paused")
_LIVE = "(" + ", ".join(f"'{status}'" for status in LIVE_STATUSES) + ")"
_ENTITLEMENT = (
    "select stripe_subscription_id, plan_id, status, current_period_end, cancel_at_period_end, trial_end, customer_id,"
    " updated_at from public.entitlements"
)

_CONTENT_COLUMNS = """
  c.id, c.kind::text as kind, c.title, c.summary, c.author_id,
  coalesce(public.author_display_name(c.author_id), '') as author_name, c.price_amount, c.currency, c.status,
  c.published_at,
  coalesce(array(select k.skill_id from public.premium_content_skills k where k.content_id = c.id
                 order by k.skill_id), '{}') as skill_ids
"""
_CATALOGUE_FILTER = """
where c.status = 'published'
  and (%(skill)s::text is null or exists (select 1 from public.premium_content_skills k
                                          join public.skills sk on sk.id = k.skill_id
                                          where k.content_id = c.id and sk.slug = %(skill)s))
  and (%(kind)s::text is null or c.kind::text = %(kind)s)
  and (%(after_at)s::timestamptz is null or (c.published_at, c.id) < (%(after_at)s, %(after_id)s::uuid))
order by c.published_at desc, c.id desc
limit %(limit)s
"""
# What a signed-in reader may do with an item (the body's RLS policy says the same, row by row).
_ACCESS = """
  case when c.author_id = (select auth.uid()) then 'author'
       when exists (select 1 from public.content_purchases p where p.content_id = c.id
                    and p.user_id = (select auth.uid()) and p.refunded_at is null) then 'purchased'
       when c.status = 'published' and (select public.has_active_membership()) then 'member'
       else 'locked' end as access
"""


_CONTENT_FIELDS = frozenset(ContentPublic.model_fields)  # read once (see bookings.dal)


def _content(row: dict[str, Any]) -> ContentPublic:
    return ContentPublic(**{k: v for k, v in row.items() if k in _CONTENT_FIELDS})


class PaymentsRepo:
    def __init__(self, conn: Conn, *, visitor: bool = False) -> None:
        self.conn = conn
        self.visitor = visitor

    def _scalar(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(query, params).fetchone()
        return None if row is None else next(iter(row.values()))

    # Customers -------------------------------------------------------------------------------------------
    def customer(self) -> str | None:
        found = self._scalar("select customer_id from public.stripe_customers where user_id = (select auth.uid())")
        return None if found is None else str(found)

    def remember_customer(self, customer_id: str) -> None:
        self.conn.execute("select private.remember_customer(%s)", (customer_id,))

    # Memberships -----------------------------------------------------------------------------------------
    def plans(self) -> list[PlanPublic]:
        rows = self.conn.execute(
            "select id, name, description, amount, currency, billing_interval, trial_days"
            " from public.membership_plans where active order by amount, id"
        ).fetchall()
        return [PlanPublic(**row) for row in rows]

    def plan(self, plan_id: str) -> dict[str, Any] | None:
        return self.conn.execute(
            "select id, stripe_price_id, trial_days from public.membership_plans where id = %s and active", (plan_id,)
        ).fetchone()

    def plan_of_price(self, price_id: str | None) -> str | None:
        found = self._scalar("select id from public.membership_plans where stripe_price_id = %s", (price_id,))
        return None if found is None else str(found)

    def live_membership(self) -> dict[str, Any] | None:
        return self.conn.execute(
            f"{_ENTITLEMENT} where user_id = (select auth.uid()) and status in {_LIVE}"
            " order by last_event_at desc limit 1"
        ).fetchone()

    def latest_membership(self) -> dict[str, Any] | None:
        """The live membership, or else the one that ended last."""
        return self.conn.execute(
            f"{_ENTITLEMENT} where user_id = (select auth.uid())"
            f" order by status in {_LIVE} desc, last_event_at desc limit 1"
        ).fetchone()

    def membership_count(self) -> int:
        return int(self._scalar("select count(*) from public.entitlements where user_id = (select auth.uid())"))

    def record_membership(
        self,
        *,
        customer_id: str,
        subscription_id: str,
        plan_id: str,
        status: str,
        period_end: datetime | None,
        trial_end: datetime | None,
        created: datetime,
    ) -> None:
        self.conn.execute(
            "select private.record_membership(%s, %s, %s, %s, %s, %s, %s)",
            (customer_id, subscription_id, plan_id, status, period_end, trial_end, created),
        )

    def record_membership_change(
        self,
        *,
        subscription_id: str,
        plan_id: str | None,
        status: str,
        period_end: datetime | None,
        cancel_at_period_end: bool,
    ) -> None:
        self.conn.execute(
            "select private.record_membership_change(%s, %s, %s, %s, %s)",
            (subscription_id, plan_id, status, period_end, cancel_at_period_end),
        )

    def invoices(self, *, after: tuple[Any, ...] | None, limit: int) -> list[InvoicePublic]:
        rows = self.conn.execute(
            """
            select id, status, amount_due, amount_paid, currency, period_end, hosted_invoice_url,
                   stripe_created as created_at
            from public.membership_invoices
            where user_id = (select auth.uid())
              and (%(after_at)s::timestamptz is null or (stripe_created, id) < (%(after_at)s, %(after_id)s))
            order by stripe_created desc, id desc
            limit %(limit)s
            """,
            {**keyset_params(after, "after_at", "after_id"), "limit": limit},
        ).fetchall()
        return [InvoicePublic(**row) for row in rows]

    # Premium content -------------------------------------------------------------------------------------
    def catalogue(
        self, *, skill: str | None, kind: str | None, after: tuple[Any, ...] | None, limit: int
    ) -> list[ContentPublic]:
        access = "'locked' as access" if self.visitor else _ACCESS
        rows = self.conn.execute(
            f"select {_CONTENT_COLUMNS}, {access} from public.premium_content c {_CATALOGUE_FILTER}",
            {"skill": skill, "kind": kind, **keyset_params(after, "after_at", "after_id"), "limit": limit},
        ).fetchall()
        return [_content(row) for row in rows]

    def content(self, content_id: UUID) -> ContentPublic | None:
        """One item as the caller may see it: the body is joined only where its RLS policy lets them read it."""
        if self.visitor:
            query = f"select {_CONTENT_COLUMNS}, 'locked' as access from public.premium_content c where c.id = %s"
        else:
            query = f"""
                select {_CONTENT_COLUMNS}, {_ACCESS}, b.body, b.url
                from public.premium_content c left join public.premium_content_bodies b on b.content_id = c.id
                where c.id = %s
            """
        row = self.conn.execute(query, (content_id,)).fetchone()
        return None if row is None else _content(row)

    def purchase_context(self, content_id: UUID) -> dict[str, Any] | None:
        """Everything the purchase path needs, in one query as the caller."""
        return self.conn.execute(
            """
            select c.id, c.status, c.price_amount, c.currency, c.author_id,
                   private.charge_destination(c.author_id) as destination,
                   (select customer_id from public.stripe_customers where user_id = (select auth.uid())) as customer_id,
                   p.payment_intent_id as owned_by_payment,
                   p.refunded_at, c.author_id = (select auth.uid()) as own_item,
                   (select public.has_active_membership()) as member
            from public.premium_content c
            left join public.content_purchases p on p.content_id = c.id and p.user_id = (select auth.uid())
            where c.id = %s
            """,
            (content_id,),
        ).fetchone()

    def purchase(self, content_id: UUID) -> dict[str, Any] | None:
        return self.conn.execute(
            "select payment_intent_id, amount, currency, destination_charge, created_at, refunded_at"
            " from public.content_purchases where content_id = %s and user_id = (select auth.uid())",
            (content_id,),
        ).fetchone()

    def record_content_refund(self, content_id: UUID, refund_id: str) -> None:
        self.conn.execute("select private.record_content_refund(%s, %s)", (content_id, refund_id))

    # Earnings and payouts --------------------------------------------------------------------------------
    def payout_account(self) -> dict[str, Any] | None:
        return self.conn.execute(
            "select stripe_account_id, charges_enabled, payouts_enabled, details_submitted"
            " from public.payout_accounts where host_id = (select auth.uid())"
        ).fetchone()

    def save_payout_account(self, account_id: str) -> None:
        self.conn.execute("select private.remember_payout_account(%s)", (account_id,))

    _CHARGES = """
        select 'booking' as kind, b.id as reference_id, s.title, b.amount, b.currency,
               coalesce(b.platform_fee, 0) as platform_fee,
               coalesce((select sum(r.amount) from public.refunds r where r.booking_id = b.id
                         and r.status::text <> 'failed'), 0)::integer as refunded,
               b.paid_at
        from public.bookings b join public.sessions s on s.id = b.session_id
        where s.host_id = (select auth.uid()) and b.paid_at is not null
        union all
        select 'content', c.id, c.title, p.amount, p.currency, coalesce(p.platform_fee, 0),
               case when p.refunded_at is not null then p.amount else 0 end, p.created_at
        from public.content_purchases p join public.premium_content c on c.id = p.content_id
        where c.author_id = (select auth.uid()) and p.amount is not null
    """

    def earnings_totals(self) -> list[dict[str, Any]]:
        """Per currency: gross, the platform fees kept and the refunds; a refund of a destination charge gives back
        the fee in proportion (refund_application_fee), so fees and net count only the part not refunded."""
        return self.conn.execute(
            f"""
            select currency, sum(amount)::bigint as gross, sum(refunded)::bigint as refunded,
                   round(sum(platform_fee::numeric * (amount - refunded) / nullif(amount, 0)))::bigint
                     as platform_fees
            from ({self._CHARGES}) charges group by currency order by currency
            """
        ).fetchall()

    def charges(self, *, after: tuple[Any, ...] | None, limit: int) -> list[ChargePublic]:
        rows = self.conn.execute(
            f"""
            select * from ({self._CHARGES}) charges
            where (%(after_at)s::timestamptz is null or (paid_at, reference_id) < (%(after_at)s, %(after_id)s::uuid))
            order by paid_at desc, reference_id desc
            limit %(limit)s
            """,
            {**keyset_params(after, "after_at", "after_id"), "limit": limit},
        ).fetchall()
        return [ChargePublic(**row) for row in rows]

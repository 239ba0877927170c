"""Payments use cases: memberships, premium content purchases and refunds, payout onboarding and earnings.

Each paid path has the same shape: read what it needs as the caller (RLS) in one transaction, call Stripe (every
write with an idempotency key from our ids), then record Stripe's answer as the caller in one transaction through
the `private` schema's functions. Nothing runs as the system on a user's behalf; Stripe's webhooks (the webhooks
function) keep the state from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from uuid import UUID

import psycopg

from payments import stripe_api
from payments.dal import PaymentsRepo
from payments.models import (
    ContentListPublic,
    ContentPublic,
    EarningsPublic,
    EarningsTotal,
    InvoicesPublic,
    MembershipCreate,
    MembershipPublic,
    PayoutOnboarding,
    PayoutOnboardingPublic,
    PayoutPublic,
    PlanChange,
    PlansPublic,
    PurchasePublic,
    RefundPublic,
)
from shared import db
from shared.auth import Principal, claims_of
from shared.errors import Conflict, NotFound
from shared.paging import decode_cursor, page
from shared.settings import get_settings

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams, SubscriptionUpdateParams

# A buyer may take a premium item back within this many days of buying it.
CONTENT_REFUND_DAYS = 7
T = TypeVar("T")


def _as_caller(principal: Principal | None, work: Callable[[PaymentsRepo], T]) -> T:
    with db.user_transaction(claims_of(principal)) as conn:
        return work(PaymentsRepo(conn, visitor=principal is None))


def _time(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def with_customer(principal: Principal, known: str | None, call: Callable[[str], T]) -> tuple[str, T]:
    """Run a Stripe call for the caller's customer (created the first time), once more with a new customer if
    Stripe no longer knows the remembered one: (the customer used, the call's result). The caller records the
    customer with whatever it writes next."""
    customer = known or stripe_api.create_customer(user_id=principal.user_id, email=principal.email)
    try:
        return customer, call(customer)
    except stripe_api.UnknownCustomer:
        customer = stripe_api.create_customer(user_id=principal.user_id, email=principal.email, replacing=customer)
        return customer, call(customer)


def pay_for(
    principal: Principal,
    *,
    known_customer: str | None,
    metadata: dict[str, str],
    amount: int,
    currency: str,
    destination: str | None,
    key_prefix: str,
) -> tuple[str, stripe_api.IntentRef]:
    """A PaymentIntent for something the caller buys (a held seat, a premium item), for their customer (created or
    replaced as needed): (the customer used, the PaymentIntent). With Connect, a destination charge to `destination`
    keeping the platform fee. `key_prefix` names the thing paid for, once."""
    settings = get_settings()

    def create(customer: str) -> stripe_api.IntentRef:
        params = stripe_api.payment_intent_params(
            metadata=metadata,
            amount=amount,
            currency=currency,
            customer_id=customer,
            destination_account_id=destination,
            connect_enabled=settings.stripe_connect_enabled,
            platform_fee_bps=settings.platform_fee_bps,
        )
        return stripe_api.create_payment_intent(params, key_prefix=key_prefix)

    return with_customer(principal, known_customer, create)


# Memberships ---------------------------------------------------------------------------------------------------
def list_plans() -> PlansPublic:
    return PlansPublic(data=_as_caller(None, lambda repo: repo.plans()))


def _membership(ref: stripe_api.SubscriptionRef, plan_id: str | None) -> MembershipPublic:
    return MembershipPublic(
        subscription_id=ref.id,
        plan_id=plan_id,
        status=ref.status,
        current_period_end=_time(ref.current_period_end),
        cancel_at_period_end=ref.cancel_at_period_end,
        trial_end=_time(ref.trial_end),
        client_secret=ref.client_secret if ref.status == "incomplete" else None,
        setup_client_secret=ref.setup_client_secret if ref.status == "trialing" else None,
    )


def get_membership(*, principal: Principal) -> MembershipPublic:
    """The caller's live membership (or the one that ended last); an unpaid first invoice's client secret is
    fetched again from Stripe, so a client that lost it can finish paying."""
    row = _as_caller(principal, lambda repo: repo.latest_membership())
    if row is None:
        raise NotFound("you have no membership")
    if row["status"] == "incomplete":
        return _membership(stripe_api.retrieve_subscription(row["stripe_subscription_id"]), row["plan_id"])
    return MembershipPublic(
        subscription_id=row["stripe_subscription_id"],
        plan_id=row["plan_id"],
        status=row["status"],
        current_period_end=row["current_period_end"],
        cancel_at_period_end=row["cancel_at_period_end"],
        trial_end=row["trial_end"],
    )


def start_membership(*, principal: Principal, data: MembershipCreate) -> tuple[bool, MembershipPublic]:
    """Subscribe to a plan: (created now, the membership). Idempotent per member and plan: asking again for the
    plan you hold answers that membership (with the first payment's client secret if it is still unpaid); a
    second live membership is refused (change its plan instead)."""

    def read(repo: PaymentsRepo) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None, int]:
        return repo.plan(data.plan_id), repo.live_membership(), repo.customer(), repo.membership_count()

    plan, live, known_customer, earlier = _as_caller(principal, read)
    if plan is None:
        raise NotFound("no such plan", field="plan_id")
    if live is not None:
        if live["plan_id"] != data.plan_id:
            raise Conflict("you already have a membership: change its plan instead", field="plan_id")
        return False, _membership(stripe_api.retrieve_subscription(live["stripe_subscription_id"]), data.plan_id)

    def subscribe(customer: str) -> stripe_api.SubscriptionRef:
        params = stripe_api.subscription_params(
            user_id=principal.user_id,
            plan_id=data.plan_id,
            customer_id=customer,
            price_id=plan["stripe_price_id"],
            trial_days=plan["trial_days"],
        )
        # One key per member, plan and membership number: a retry (or a double click) gets the same subscription;
        # a member who comes back after their membership ended gets a new one.
        return stripe_api.create_subscription(params, key=f"membership-{principal.user_id}-{data.plan_id}-{earlier}")

    customer, ref = with_customer(principal, known_customer, subscribe)
    try:
        _as_caller(
            principal,
            lambda repo: repo.record_membership(
                customer_id=customer,
                subscription_id=ref.id,
                plan_id=data.plan_id,
                status=ref.status,
                period_end=_time(ref.current_period_end),
                trial_end=_time(ref.trial_end),
                created=datetime.fromtimestamp(ref.created, UTC),
            ),
        )
    except psycopg.Error as exc:
        if exc.sqlstate == "SS409":  # another plan's membership won a race: undo ours at Stripe
            stripe_api.cancel_subscription_now(ref.id)
        raise
    return True, _membership(ref, data.plan_id)


def _change_membership(
    principal: Principal,
    *,
    allowed: set[str],
    refusal: str,
    params: Callable[[dict[str, Any]], SubscriptionUpdateParams],
) -> MembershipPublic:
    live = _as_caller(principal, lambda repo: repo.live_membership())
    if live is None:
        raise NotFound("you have no membership")
    if live["status"] not in allowed:
        raise Conflict(refusal.format(status=live["status"]))
    update = params(live)
    ref = stripe_api.update_subscription(
        live["stripe_subscription_id"],
        update,
        key=f"membership-change-{live['stripe_subscription_id']}-{_digest(update, live['updated_at'])}",
    )

    def record(repo: PaymentsRepo) -> str | None:
        plan_id = repo.plan_of_price(ref.price_id)
        repo.record_membership_change(
            subscription_id=ref.id,
            plan_id=plan_id,
            status=ref.status,
            period_end=_time(ref.current_period_end),
            cancel_at_period_end=ref.cancel_at_period_end,
        )
        return plan_id

    return _membership(ref, _as_caller(principal, record))


def _digest(params: Any, version: datetime) -> str:
    """A short, stable name for one change of one version of the membership (its last recorded change): a retry of
    a change whose answer was lost is the same request; the same change asked again later (cancel, resume, cancel)
    is a new one."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps([params, version.isoformat()], sort_keys=True).encode()).hexdigest()[:24]


_RUNNING = {"trialing", "active", "past_due", "unpaid"}


def cancel_membership(*, principal: Principal) -> MembershipPublic:
    """Cancel at the end of the paid period: the member keeps access until `current_period_end`."""
    return _change_membership(
        principal,
        allowed=_RUNNING,
        refusal="a {status} membership cannot be cancelled at period end (an unpaid one simply lapses)",
        params=lambda live: {"cancel_at_period_end": True},
    )


def resume_membership(*, principal: Principal) -> MembershipPublic:
    """Take back a pending cancellation before the period ends."""

    def params(live: dict[str, Any]) -> SubscriptionUpdateParams:
        if not live["cancel_at_period_end"]:
            raise Conflict("this membership is not set to end")
        return {"cancel_at_period_end": False}

    return _change_membership(
        principal, allowed=_RUNNING, refusal="a {status} membership cannot be resumed", params=params
    )


def change_plan(*, principal: Principal, data: PlanChange) -> MembershipPublic:
    """Move to another plan now, prorated: unused time on the old plan is credited and the difference is invoiced
    at once (`always_invoice`); a pending cancellation is taken back."""
    plan = _as_caller(principal, lambda repo: repo.plan(data.plan_id))
    if plan is None:
        raise NotFound("no such plan", field="plan_id")

    def params(live: dict[str, Any]) -> SubscriptionUpdateParams:
        if live["plan_id"] == data.plan_id:
            raise Conflict("you are on this plan already", field="plan_id")
        current = stripe_api.retrieve_subscription(live["stripe_subscription_id"])
        if current.item_id is None:
            raise Conflict("this membership has no plan item to change")
        return {
            "items": [{"id": current.item_id, "price": plan["stripe_price_id"]}],
            "proration_behavior": "always_invoice",
            "cancel_at_period_end": False,
        }

    return _change_membership(
        principal, allowed={"trialing", "active"}, refusal="a {status} membership cannot change plan", params=params
    )


def list_invoices(*, principal: Principal, cursor: str | None, limit: int) -> InvoicesPublic:
    after = decode_cursor(cursor, datetime, str) if cursor else None
    rows = _as_caller(principal, lambda repo: repo.invoices(after=after, limit=limit + 1))
    data, next_cursor = page(rows, limit, lambda i: (i.created_at, i.id))
    return InvoicesPublic(data=data, next_cursor=next_cursor)


# Premium content -----------------------------------------------------------------------------------------------
def list_content(
    *, principal: Principal | None, skill: str | None, kind: str | None, cursor: str | None, limit: int
) -> ContentListPublic:
    """The published catalogue, newest first: everyone sees titles, summaries, prices and authors."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    rows = _as_caller(principal, lambda repo: repo.catalogue(skill=skill, kind=kind, after=after, limit=limit + 1))
    data, next_cursor = page(rows, limit, lambda c: (c.published_at or datetime.min.replace(tzinfo=UTC), c.id))
    return ContentListPublic(data=data, next_cursor=next_cursor)


def get_content(*, principal: Principal | None, content_id: UUID) -> ContentPublic:
    found = _as_caller(principal, lambda repo: repo.content(content_id))
    if found is None:
        raise NotFound("no such item", field="content_id")
    return found


def purchase_content(*, principal: Principal, content_id: UUID) -> PurchasePublic:
    """A PaymentIntent for one premium item (a destination charge to its author with Connect). The purchase itself
    is recorded when Stripe's webhook says the payment succeeded."""
    item = _as_caller(principal, lambda repo: repo.purchase_context(content_id))
    if item is None or item["status"] != "published":
        raise NotFound("no such item for sale", field="content_id")
    if item["own_item"]:
        raise Conflict("this is your own item", field="content_id")
    if item["owned_by_payment"] and item["refunded_at"] is None:
        raise Conflict("you own this item already", field="content_id")
    if item["price_amount"] == 0:
        raise Conflict("this item is for members only; it is not sold on its own", field="content_id")
    # One key per buyer, item and purchase: a buyer who was refunded may buy again.
    attempt = item["owned_by_payment"] or "first"
    known = item["customer_id"]
    customer, intent = pay_for(
        principal,
        known_customer=known,
        metadata={"kind": "content", "content_id": str(content_id), "user_id": str(principal.user_id)},
        amount=item["price_amount"],
        currency=item["currency"],
        destination=item["destination"],
        key_prefix=f"content-{content_id}-{principal.user_id}-{attempt}",
    )
    if customer != known:  # a new customer (the first purchase, or one Stripe no longer knew) is remembered
        _as_caller(principal, lambda repo: repo.remember_customer(customer))
    return PurchasePublic(
        content_id=content_id,
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        amount=item["price_amount"],
        currency=item["currency"],
        status=intent.status,
    )


def refund_content(*, principal: Principal, content_id: UUID, now: datetime | None = None) -> RefundPublic:
    """The buyer takes an item back within CONTENT_REFUND_DAYS: refunded in full (the author's share and the
    platform's fee reversed for a destination charge), and the body closes to them at once."""
    purchase = _as_caller(principal, lambda repo: repo.purchase(content_id))
    if purchase is None or purchase["refunded_at"] is not None:
        raise NotFound("you have no purchase of this item to refund", field="content_id")
    if (now or datetime.now(UTC)) - purchase["created_at"] > timedelta(days=CONTENT_REFUND_DAYS):
        raise Conflict(f"purchases can be refunded within {CONTENT_REFUND_DAYS} days", field="content_id")
    params: RefundCreateParams = {
        "payment_intent": purchase["payment_intent_id"],
        "metadata": {"kind": "content", "content_id": str(content_id), "user_id": str(principal.user_id)},
    }
    if purchase["destination_charge"]:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    refund_id = stripe_api.refund_payment(params, key=f"content-refund-{purchase['payment_intent_id']}")
    _as_caller(principal, lambda repo: repo.record_content_refund(content_id, refund_id))
    return RefundPublic(
        content_id=content_id, refund_id=refund_id, amount=purchase["amount"], currency=purchase["currency"]
    )


# Payouts and earnings ------------------------------------------------------------------------------------------
def start_payout_onboarding(*, principal: Principal, data: PayoutOnboarding) -> PayoutOnboardingPublic:
    """A Stripe Connect onboarding link for the caller as a host or author (the account is created once)."""
    existing = _as_caller(principal, lambda repo: repo.payout_account())
    account_id, url = stripe_api.create_onboarding_link(
        host_id=principal.user_id,
        email=principal.email,
        account_id=existing["stripe_account_id"] if existing else None,
        return_url=data.return_url,
    )
    if existing is None:
        _as_caller(principal, lambda repo: repo.save_payout_account(account_id))
    return PayoutOnboardingPublic(account_id=account_id, onboarding_url=url)


PAYOUTS_SHOWN = 10


def get_earnings(*, principal: Principal, cursor: str | None, limit: int) -> EarningsPublic:
    """What the caller earned as a host and author: totals per currency (gross, the platform's fees, refunds, net),
    their charges newest first a page at a time, and the latest payouts of their connected account."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None

    def read(repo: PaymentsRepo) -> tuple[Any, ...]:
        return repo.payout_account(), repo.earnings_totals(), repo.charges(after=after, limit=limit + 1)

    account, totals, rows = _as_caller(principal, read)
    charges, next_cursor = page(rows, limit, lambda c: (c.paid_at, c.reference_id))
    payouts: list[PayoutPublic] = []
    state: Literal["none", "onboarding", "active"] = "none"
    if account is not None:
        state = "active" if account["payouts_enabled"] else "onboarding"
        if cursor is None and account["payouts_enabled"]:
            payouts = [
                PayoutPublic(**{**p, "arrival_date": _time(p["arrival_date"])})
                for p in stripe_api.list_payouts(account["stripe_account_id"], limit=PAYOUTS_SHOWN)
            ]
    return EarningsPublic(
        payout_account=state,
        totals=[
            EarningsTotal(
                currency=t["currency"],
                gross=t["gross"],
                platform_fees=t["platform_fees"] or 0,
                refunded=t["refunded"],
                net=t["gross"] - t["refunded"] - (t["platform_fees"] or 0),
            )
            for t in totals
        ],
        charges=charges,
        next_cursor=next_cursor,
        payouts=payouts,
    )

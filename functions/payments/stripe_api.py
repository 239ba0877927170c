"""Every call SkillSwap makes to Stripe from a user's request: customers, PaymentIntents (a held seat, a premium
item), memberships (Billing subscriptions), refunds of premium items, and Connect onboarding and payouts. One
home, used by the payments function and by the bookings function (a held seat's PaymentIntent). Every write
carries an idempotency key derived from our own ids, so a retry never charges or creates twice. Stripe failures
become 502 problems; nothing of ours is left half-written by them.

Every request is built as the SDK's typed parameters (`stripe.params.*Params`), so mypy checks it against
the API version the SDK is generated from (the one we pin, `shared.stripe_client.STRIPE_API_VERSION`), and
`tests/unit/test_stripe_calls.py` checks what actually goes on the wire against the same types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from shared.errors import BadGateway
from shared.stripe_client import get_stripe

if TYPE_CHECKING:
    from stripe import Subscription
    from stripe.params import (
        AccountCreateParams,
        AccountLinkCreateParams,
        CustomerCreateParams,
        PaymentIntentCreateParams,
        RefundCreateParams,
        SubscriptionCreateParams,
        SubscriptionUpdateParams,
    )

# The most Stripe calls one request makes in a row (a first paid seat or membership: create the customer, then the
# PaymentIntent or subscription; a plan change: read the subscription, then update it; a membership refused by
# the database: cancel it). The template test keeps this many calls, at their worst, inside the functions' timeout.
MAX_STRIPE_CALLS_PER_REQUEST = 3


@dataclass(frozen=True)
class IntentRef:
    id: str
    client_secret: str
    status: str
    # A destination charge to the host's connected account (its refunds reverse the transfer and the fee).
    destination_charge: bool = False


@contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    import stripe

    try:
        yield
    except stripe.StripeError as exc:
        raise BadGateway(f"the payment provider could not {action}; try again") from exc


def payment_intent_params(
    *,
    metadata: dict[str, str],
    amount: int,
    currency: str,
    customer_id: str,
    destination_account_id: str | None,
    connect_enabled: bool,
    platform_fee_bps: int,
) -> PaymentIntentCreateParams:
    """A PaymentIntent for something a learner buys (a held seat, a premium item; `metadata["kind"]` says which).
    With Connect, a destination charge to the seller's account, the platform keeping `platform_fee_bps` of the
    price as the application fee.

    No `payment_method_types`: since 2026-09-30.endive Stripe refuses it (400
    `payment_method_types_no_longer_supported`, docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-
    method-types-parameter-from-payment-intents-and-setup-intents); the methods offered are the account's
    dynamic payment methods (cards among them), chosen in the Dashboard."""
    params: PaymentIntentCreateParams = {
        "amount": amount,
        "currency": currency,
        "customer": customer_id,
        "metadata": metadata,
    }
    if connect_enabled:
        if destination_account_id is None:
            raise BadGateway("the seller has no payout account")
        params["transfer_data"] = {"destination": destination_account_id}
        params["application_fee_amount"] = platform_fee(amount, platform_fee_bps)
    return params


def platform_fee(amount: int, platform_fee_bps: int) -> int:
    return amount * platform_fee_bps // 10_000


def create_customer(*, user_id: UUID, email: str | None, replacing: str | None = None) -> str:
    """One Customer per user; `replacing` names a customer Stripe no longer knows (its own key then)."""
    params: CustomerCreateParams = {"metadata": {"user_id": str(user_id)}}
    if email:
        params["email"] = email
    key = f"customer-{user_id}" + (f"-replaces-{replacing}" if replacing else "")
    with _stripe_errors("create the customer"):
        customer = get_stripe().v1.customers.create(params, {"idempotency_key": key})
    return str(customer.id)


class UnknownCustomer(Exception):
    """Stripe does not know the customer we remembered (deleted in the dashboard, or a fresh local peer)."""


@contextmanager
def _unknown_customer(customer: str) -> Iterator[None]:
    import stripe

    try:
        yield
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404 or getattr(exc, "param", None) == "customer":
            raise UnknownCustomer(customer) from exc
        raise


def create_payment_intent(params: PaymentIntentCreateParams, *, key_prefix: str) -> IntentRef:
    """`key_prefix` names what is paid for, once (`booking-<id>`, `content-<id>-<user>-<n>`)."""

    customer = params.get("customer", "")
    # The key names the customer too, so a retry after a customer was replaced is not answered with the old one.
    key = f"{key_prefix}-pi-{customer}"
    with _stripe_errors("create the payment"), _unknown_customer(customer):
        intent = get_stripe().v1.payment_intents.create(params, {"idempotency_key": key})
    return IntentRef(
        id=intent.id,
        client_secret=str(intent.client_secret),
        status=intent.status,
        destination_charge="transfer_data" in params,
    )


def retrieve_payment_intent(payment_intent_id: str) -> IntentRef:
    with _stripe_errors("find the payment"):
        intent = get_stripe().v1.payment_intents.retrieve(payment_intent_id)
    return IntentRef(id=intent.id, client_secret=str(intent.client_secret), status=intent.status)


@dataclass(frozen=True)
class SubscriptionRef:
    """A subscription as Stripe answered it: what we record and what the client needs to pay its first invoice
    (`client_secret` of the invoice's PaymentIntent, `confirmation_secret` since 2025-03-31.basil) or, in a trial,
    to save a card for later (`setup_client_secret`, of the subscription's pending SetupIntent)."""

    id: str
    status: str
    price_id: str | None
    item_id: str | None
    current_period_end: int | None
    cancel_at_period_end: bool
    trial_end: int | None
    created: int
    client_secret: str | None = None
    setup_client_secret: str | None = None


_EXPAND = ["latest_invoice.confirmation_secret", "pending_setup_intent"]


def _subscription_ref(sub: Subscription) -> SubscriptionRef:
    items = sub["items"].data if "items" in sub else []  # `sub.items` is the dict method
    item = items[0] if items else None
    invoice = sub.latest_invoice
    secret = None if invoice is None or isinstance(invoice, str) else invoice.confirmation_secret
    setup = sub.pending_setup_intent
    return SubscriptionRef(
        id=sub.id,
        status=sub.status,
        price_id=item.price.id if item is not None else None,
        item_id=item.id if item is not None else None,
        current_period_end=item.current_period_end if item is not None else None,
        cancel_at_period_end=bool(sub.cancel_at_period_end),
        trial_end=sub.trial_end,
        created=sub.created,
        client_secret=secret.client_secret if secret is not None else None,
        setup_client_secret=None if setup is None or isinstance(setup, str) else setup.client_secret,
    )


def subscription_params(
    *, user_id: UUID, plan_id: str, customer_id: str, price_id: str, trial_days: int
) -> SubscriptionCreateParams:
    """A membership as Stripe's "Build a subscriptions integration" guide starts one (docs.stripe.com/billing/
    subscriptions/build-subscriptions): `default_incomplete`, so the subscription waits for the client to confirm the
    first invoice's payment with its `confirmation_secret` (strong customer authentication happens there), and the
    card that pays becomes the subscription's default. With a trial there is nothing to pay yet: the pending
    SetupIntent collects the card, and a trial that ends without one cancels rather than going past due."""
    params: SubscriptionCreateParams = {
        "customer": customer_id,
        "items": [{"price": price_id}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "metadata": {"user_id": str(user_id), "plan_id": plan_id},
        "expand": _EXPAND,
    }
    if trial_days:
        params["trial_period_days"] = trial_days
        params["trial_settings"] = {"end_behavior": {"missing_payment_method": "cancel"}}
    return params


def create_subscription(params: SubscriptionCreateParams, *, key: str) -> SubscriptionRef:
    customer = params.get("customer", "")
    with _stripe_errors("start the membership"), _unknown_customer(customer):
        sub = get_stripe().v1.subscriptions.create(params, {"idempotency_key": f"{key}-{customer}"})
    return _subscription_ref(sub)


def retrieve_subscription(subscription_id: str) -> SubscriptionRef:
    with _stripe_errors("find the membership"):
        return _subscription_ref(get_stripe().v1.subscriptions.retrieve(subscription_id, {"expand": _EXPAND}))


def update_subscription(subscription_id: str, params: SubscriptionUpdateParams, *, key: str) -> SubscriptionRef:
    with _stripe_errors("change the membership"):
        sub = get_stripe().v1.subscriptions.update(subscription_id, params, {"idempotency_key": key})
    return _subscription_ref(sub)


def cancel_subscription_now(subscription_id: str) -> SubscriptionRef:
    with _stripe_errors("cancel the membership"):
        return _subscription_ref(get_stripe().v1.subscriptions.cancel(subscription_id))


def refund_payment(params: RefundCreateParams, *, key: str) -> str:
    with _stripe_errors("refund the payment"):
        return str(get_stripe().v1.refunds.create(params, {"idempotency_key": key}).id)


def list_payouts(account_id: str, *, limit: int) -> list[dict[str, Any]]:
    """The latest payouts of a host's connected account (Stripe-Account header: the account's own balance)."""
    with _stripe_errors("list the payouts"):
        payouts = get_stripe().v1.payouts.list({"limit": limit}, {"stripe_account": account_id})
    return [
        {
            "id": p.id,
            "amount": p.amount,
            "currency": p.currency,
            "status": p.status,
            "arrival_date": p.arrival_date,
        }
        for p in payouts.data
    ]


def create_onboarding_link(
    *, host_id: UUID, email: str | None, account_id: str | None, return_url: str
) -> tuple[str, str]:
    """(account id, onboarding URL) for a host's connected account, creating the account the first time."""
    client = get_stripe()
    with _stripe_errors("start payout onboarding"):
        if account_id is None:
            account_id = client.v1.accounts.create(
                connected_account_params(host_id=host_id, email=email), {"idempotency_key": f"connect-{host_id}"}
            ).id
        link_params: AccountLinkCreateParams = {
            "account": account_id,
            "refresh_url": return_url,
            "return_url": return_url,
            "type": "account_onboarding",
        }
        # An account link is single-use and expires in minutes: a new one per request, each with its own key.
        link = client.v1.account_links.create(link_params, {"idempotency_key": f"link-{account_id}-{uuid4()}"})
    return account_id, link.url


def connected_account_params(*, host_id: UUID, email: str | None) -> AccountCreateParams:
    """A host's connected account, configured by controller properties instead of the deprecated `type`
    (Stripe, "Migrate to account controller properties", docs.stripe.com/connect/migrate-to-controller-properties):
    what used to be an Express account. Stripe collects the onboarding requirements and the host gets the
    Express Dashboard; the platform pays Stripe's fees and is liable for negative balances (destination charges
    settle on the platform). Capabilities: card payments, and transfers (a destination charge's funds move to the
    account)."""
    params: AccountCreateParams = {
        "controller": {
            "fees": {"payer": "application"},
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": "express"},
        },
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        "metadata": {"host_id": str(host_id)},
    }
    if email:
        params["email"] = email
    return params

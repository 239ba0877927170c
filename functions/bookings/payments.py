"""The bookings function's calls to Stripe: customers, PaymentIntents for held seats, memberships, and Connect
onboarding. Every write carries an idempotency key derived from our own ids, so a retry never charges or
creates twice. Stripe failures become 502 problems; nothing of ours is left half-written by them.

Every request is built as the SDK's typed parameters (`stripe.params.*Params`), so mypy checks it against
the API version the SDK is generated from (the one we pin, `shared.stripe_client.STRIPE_API_VERSION`), and
`tests/unit/test_stripe_calls.py` checks what actually goes on the wire against the same types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from shared.errors import BadGateway
from shared.stripe_client import get_stripe

if TYPE_CHECKING:
    from stripe.params import (
        AccountCreateParams,
        AccountLinkCreateParams,
        CustomerCreateParams,
        PaymentIntentCreateParams,
    )

# The most Stripe calls one request makes in a row (a membership: attach the card, make it the default,
# subscribe). The template test keeps this many calls, at their worst, inside the function's timeout.
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
    booking_id: UUID,
    session_id: UUID,
    learner_id: UUID,
    amount: int,
    currency: str,
    customer_id: str,
    host_account_id: str | None,
    connect_enabled: bool,
    platform_fee_bps: int,
) -> PaymentIntentCreateParams:
    """The PaymentIntent for a held seat. With Connect, a destination charge to the host's account, the platform
    keeping `platform_fee_bps` of the price as the application fee.

    No `payment_method_types`: since 2026-09-30.endive Stripe refuses it (400
    `payment_method_types_no_longer_supported`, docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-
    method-types-parameter-from-payment-intents-and-setup-intents); the methods offered are the account's
    dynamic payment methods (cards among them), chosen in the Dashboard."""
    params: PaymentIntentCreateParams = {
        "amount": amount,
        "currency": currency,
        "customer": customer_id,
        "metadata": {
            "kind": "booking",
            "booking_id": str(booking_id),
            "session_id": str(session_id),
            "learner_id": str(learner_id),
        },
    }
    if connect_enabled:
        if host_account_id is None:
            raise BadGateway("the host has no payout account")
        params["transfer_data"] = {"destination": host_account_id}
        params["application_fee_amount"] = amount * platform_fee_bps // 10_000
    return params


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


def create_payment_intent(params: PaymentIntentCreateParams, *, booking_id: UUID) -> IntentRef:
    import stripe

    customer = params.get("customer", "")
    # The key names the customer too, so a retry after a customer was replaced is not answered with the old one.
    key = f"booking-{booking_id}-pi-{customer}"
    with _stripe_errors("create the payment"):
        try:
            intent = get_stripe().v1.payment_intents.create(params, {"idempotency_key": key})
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404 or getattr(exc, "param", None) == "customer":
                raise UnknownCustomer(customer) from exc
            raise
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


def create_subscription(*, user_id: UUID, customer_id: str, price_id: str, payment_method_id: str) -> dict[str, str]:
    client = get_stripe()
    with _stripe_errors("start the membership"):
        client.v1.payment_methods.attach(
            payment_method_id,
            {"customer": customer_id},
            {"idempotency_key": f"attach-{payment_method_id}-{customer_id}"},
        )
        client.v1.customers.update(
            customer_id,
            {"invoice_settings": {"default_payment_method": payment_method_id}},
            {"idempotency_key": f"default-pm-{customer_id}-{payment_method_id}"},
        )
        subscription = client.v1.subscriptions.create(
            {"customer": customer_id, "items": [{"price": price_id}], "metadata": {"user_id": str(user_id)}},
            {"idempotency_key": f"subscription-{user_id}-{price_id}-{payment_method_id}"},
        )
    return {"id": subscription.id, "status": subscription.status}


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

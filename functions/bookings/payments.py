"""The bookings function's calls to Stripe: customers, PaymentIntents for held seats, memberships, and Connect
onboarding. Every create carries an idempotency key derived from our own ids, so a retry never charges or
creates twice. Stripe failures become 502 problems; nothing of ours is left half-written by them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from shared.errors import BadGateway
from shared.stripe_client import get_stripe


@dataclass(frozen=True)
class IntentRef:
    id: str
    client_secret: str
    status: str


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
) -> dict[str, Any]:
    """The PaymentIntent for a held seat. With Connect, a destination charge to the host's account, the platform
    keeping `platform_fee_bps` of the price as the application fee."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "customer": customer_id,
        "payment_method_types": ["card"],
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
    params: dict[str, Any] = {"metadata": {"user_id": str(user_id)}}
    if email:
        params["email"] = email
    key = f"customer-{user_id}" + (f"-replaces-{replacing}" if replacing else "")
    with _stripe_errors("create the customer"):
        customer = get_stripe().v1.customers.create(params, {"idempotency_key": key})  # type: ignore[arg-type]
    return str(customer.id)


class UnknownCustomer(Exception):
    """Stripe does not know the customer we remembered (deleted in the dashboard, or a fresh local peer)."""


def create_payment_intent(params: dict[str, Any], *, booking_id: UUID) -> IntentRef:
    import stripe

    # The key names the customer too, so a retry after a customer was replaced is not answered with the old one.
    key = f"booking-{booking_id}-pi-{params['customer']}"
    with _stripe_errors("create the payment"):
        try:
            intent = get_stripe().v1.payment_intents.create(params, {"idempotency_key": key})  # type: ignore[arg-type]
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404 or getattr(exc, "param", None) == "customer":
                raise UnknownCustomer(params["customer"]) from exc
            raise
    return IntentRef(id=intent.id, client_secret=str(intent.client_secret), status=intent.status)


def retrieve_payment_intent(payment_intent_id: str) -> IntentRef:
    with _stripe_errors("find the payment"):
        intent = get_stripe().v1.payment_intents.retrieve(payment_intent_id)
    return IntentRef(id=intent.id, client_secret=str(intent.client_secret), status=intent.status)


def create_subscription(*, user_id: UUID, customer_id: str, price_id: str, payment_method_id: str) -> dict[str, Any]:
    client = get_stripe()
    with _stripe_errors("start the membership"):
        client.v1.payment_methods.attach(payment_method_id, {"customer": customer_id})
        client.v1.customers.update(customer_id, {"invoice_settings": {"default_payment_method": payment_method_id}})
        subscription = client.v1.subscriptions.create(
            {"customer": customer_id, "items": [{"price": price_id}], "metadata": {"user_id": str(user_id)}},
            {"idempotency_key": f"subscription-{user_id}-{price_id}-{payment_method_id}"},
        )
    return {"id": subscription.id, "status": subscription.status}


def create_onboarding_link(
    *, host_id: UUID, email: str | None, account_id: str | None, return_url: str
) -> tuple[str, str]:
    """(account id, onboarding URL) for a Connect Express account, creating the account the first time."""
    client = get_stripe()
    with _stripe_errors("start payout onboarding"):
        if account_id is None:
            params: dict[str, Any] = {"type": "express", "metadata": {"host_id": str(host_id)}}
            if email:
                params["email"] = email
            account_id = client.v1.accounts.create(params, {"idempotency_key": f"connect-{host_id}"}).id  # type: ignore[arg-type]
        link = client.v1.account_links.create(
            {"account": account_id, "refresh_url": return_url, "return_url": return_url, "type": "account_onboarding"}
        )
    return account_id, link.url

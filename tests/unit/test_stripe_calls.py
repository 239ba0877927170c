"""Every Stripe call we make, as it goes on the wire: pinned API version, bounded client, an idempotency key on
every write, and no parameter that the pinned SDK (generated from that API version) does not type."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from payments import stripe_api as payments
from shared.stripe_client import STRIPE_API_VERSION, call_budget_seconds
from tests.helpers import RecordedRequest, StripeRecorder, _segments, typed_path, untyped_fields

HOST, LEARNER, BOOKING, SESSION = (uuid.uuid4() for _ in range(4))


def test_the_pinned_api_version_is_the_one_the_sdk_is_generated_from() -> None:
    """Upgrading stripe-python moves its types to another API version: this fails until STRIPE_API_VERSION (and
    the webhook endpoints, see the deploy guide) move with it."""
    from stripe._api_version import _ApiVersion

    assert _ApiVersion.CURRENT == STRIPE_API_VERSION


def test_the_typing_check_refuses_what_the_pinned_version_refuses() -> None:
    """The check itself: `payment_method_types` is gone from the SDK's PaymentIntent parameters (2026-09-30.endive),
    unknown nested fields are caught, and metadata stays free-form."""
    from stripe.params import PaymentIntentCreateParams, RefundCreateParams

    assert not typed_path(PaymentIntentCreateParams, _segments("payment_method_types[0]"))
    assert not typed_path(PaymentIntentCreateParams, _segments("transfer_data[nonsense]"))
    assert typed_path(PaymentIntentCreateParams, _segments("transfer_data[destination]"))
    assert typed_path(PaymentIntentCreateParams, _segments("metadata[anything]"))
    assert typed_path(RefundCreateParams, _segments("reverse_transfer"))
    bad = RecordedRequest("POST", "/v1/payment_intents", {}, [("payment_method_types[0]", "card")])
    assert untyped_fields(bad) == ["payment_method_types[0]"]
    assert untyped_fields(RecordedRequest("POST", "/v1/checkout/sessions", {}, []))  # unknown endpoint


def _every_call_we_make(recorder: StripeRecorder) -> None:
    """Drive each code path that talks to Stripe, with Connect on."""
    from webhooks.refunds import refund_params

    payments.create_customer(user_id=LEARNER, email="learner@example.com")
    params = payments.payment_intent_params(
        metadata={"kind": "booking", "booking_id": str(BOOKING), "session_id": str(SESSION)},
        amount=2500,
        currency="eur",
        customer_id="cus_1",
        destination_account_id="acct_host",
        connect_enabled=True,
        platform_fee_bps=1000,
    )
    intent = payments.create_payment_intent(params, key_prefix=f"booking-{BOOKING}")
    assert intent.destination_charge
    payments.retrieve_payment_intent(intent.id)
    for trial_days in (0, 7):
        sub = payments.create_subscription(
            payments.subscription_params(
                user_id=LEARNER, plan_id="plus", customer_id="cus_1", price_id="price_1", trial_days=trial_days
            ),
            key=f"membership-{trial_days}",
        )
    assert sub.client_secret
    assert sub.item_id
    payments.retrieve_subscription(sub.id)
    payments.update_subscription(sub.id, {"cancel_at_period_end": True}, key="cancel")
    payments.update_subscription(
        sub.id,
        {"items": [{"id": sub.item_id, "price": "price_2"}], "proration_behavior": "always_invoice"},
        key="change",
    )
    payments.cancel_subscription_now(sub.id)
    payments.refund_payment(
        {"payment_intent": "pi_2", "reverse_transfer": True, "refund_application_fee": True}, key="content-refund"
    )
    payments.list_payouts("acct_host", limit=10)
    payments.create_onboarding_link(
        host_id=HOST, email="host@example.com", account_id=None, return_url="https://app.example/payouts"
    )
    from shared.stripe_client import get_stripe

    for destination in (True, False):
        get_stripe().v1.refunds.create(
            refund_params({"payment_intent_id": "pi_1", "amount": 500, "destination_charge": destination}),
            {"idempotency_key": f"refund-{destination}"},
        )


@pytest.fixture
def wire(stripe_recorder: StripeRecorder) -> list[RecordedRequest]:
    _every_call_we_make(stripe_recorder)
    return stripe_recorder.requests


def test_every_call_sends_only_parameters_the_pinned_sdk_types(wire: list[RecordedRequest]) -> None:
    assert len(wire) == 15
    assert {(r.method, r.path) for r in wire} >= {("POST", "/v1/payment_intents"), ("POST", "/v1/accounts")}
    for request in wire:
        assert untyped_fields(request) == [], (request.method, request.path)


def test_every_call_carries_the_pinned_version_and_every_write_an_idempotency_key(
    wire: list[RecordedRequest],
) -> None:
    for request in wire:
        assert request.headers.get("Stripe-Version") == STRIPE_API_VERSION
        if request.method == "POST":
            assert request.headers.get("Idempotency-Key"), request.path


def test_payment_intents_leave_payment_methods_to_stripe(wire: list[RecordedRequest]) -> None:
    (create,) = [r for r in wire if (r.method, r.path) == ("POST", "/v1/payment_intents")]
    fields = dict(create.fields)
    assert not any(key.startswith("payment_method_types") for key in fields)
    assert fields["transfer_data[destination]"] == "acct_host"
    assert fields["application_fee_amount"] == "250"


def test_connected_accounts_use_controller_properties_not_the_deprecated_type(wire: list[RecordedRequest]) -> None:
    (create,) = [r for r in wire if (r.method, r.path) == ("POST", "/v1/accounts")]
    fields = dict(create.fields)
    assert "type" not in fields
    assert fields["controller[stripe_dashboard][type]"] == "express"
    assert fields["controller[fees][payer]"] == "application"
    assert fields["controller[losses][payments]"] == "application"
    assert fields["capabilities[transfers][requested]"] == "true"


def test_destination_charge_refunds_reverse_the_transfer_and_the_fee(wire: list[RecordedRequest]) -> None:
    refunds = [dict(r.fields) for r in wire if r.path == "/v1/refunds"]
    assert refunds[0]["reverse_transfer"] == refunds[1]["reverse_transfer"] == "true"
    assert refunds[0]["refund_application_fee"] == "true"
    assert "reverse_transfer" not in refunds[2]


def test_memberships_wait_for_the_first_payment_and_trials_cancel_without_a_card(wire: list[RecordedRequest]) -> None:
    creates = [dict(r.fields) for r in wire if (r.method, r.path) == ("POST", "/v1/subscriptions")]
    assert [c["payment_behavior"] for c in creates] == ["default_incomplete"] * 2
    assert all(c["expand[0]"] == "latest_invoice.confirmation_secret" for c in creates)
    assert "trial_period_days" not in creates[0]
    assert creates[1]["trial_period_days"] == "7"
    assert creates[1]["trial_settings[end_behavior][missing_payment_method]"] == "cancel"
    (payouts,) = [r for r in wire if r.path == "/v1/payouts"]
    assert payouts.headers.get("Stripe-Account") == "acct_host"


def test_the_client_is_bounded_by_the_settings(stripe_recorder: StripeRecorder, monkeypatch: Any) -> None:
    from shared.settings import get_settings
    from shared.stripe_client import get_stripe

    monkeypatch.setenv("STRIPE_TIMEOUT_SECONDS", "1.5")
    monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "2")
    get_settings.cache_clear()
    get_stripe()
    assert stripe_recorder.timeout == 1.5
    # 3 attempts of 1.5 s, and the sleeps before the two retries (at most 0.5 s and 1 s).
    assert call_budget_seconds(1.5, 2) == pytest.approx(6.0)
    assert call_budget_seconds(2, 0) == 2

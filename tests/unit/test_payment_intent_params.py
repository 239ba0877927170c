"""The PaymentIntent for something bought (a held seat, a premium item): amount, currency and what it pays for in
metadata, and with Connect a destination charge to the seller keeping the platform fee."""

from __future__ import annotations

import uuid

import pytest

from payments.stripe_api import payment_intent_params
from shared.errors import BadGateway

BOOKING = uuid.uuid4()
IDS = {"metadata": {"kind": "booking", "booking_id": str(BOOKING)}}


def test_without_connect_the_platform_collects_the_whole_amount() -> None:
    params = payment_intent_params(
        **IDS,
        amount=2500,
        currency="eur",
        customer_id="cus_1",
        destination_account_id="acct_1",
        connect_enabled=False,
        platform_fee_bps=1000,
    )
    assert (params["amount"], params["currency"], params["customer"]) == (2500, "eur", "cus_1")
    assert params["metadata"] == {"kind": "booking", "booking_id": str(BOOKING)}
    assert "transfer_data" not in params
    assert "application_fee_amount" not in params


@pytest.mark.parametrize(("amount", "bps", "fee"), [(2500, 1000, 250), (999, 1000, 99), (100, 0, 0), (3333, 1250, 416)])
def test_with_connect_a_destination_charge_keeps_the_platform_fee(amount: int, bps: int, fee: int) -> None:
    params = payment_intent_params(
        **IDS,
        amount=amount,
        currency="usd",
        customer_id="cus_1",
        destination_account_id="acct_host",
        connect_enabled=True,
        platform_fee_bps=bps,
    )
    assert params["transfer_data"] == {"destination": "acct_host"}
    assert params["application_fee_amount"] == fee


def test_connect_without_a_seller_account_is_refused() -> None:
    with pytest.raises(BadGateway):
        payment_intent_params(
            **IDS,
            amount=100,
            currency="usd",
            customer_id="cus_1",
            destination_account_id=None,
            connect_enabled=True,
            platform_fee_bps=1000,
        )

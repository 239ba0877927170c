"""Against a real Stripe peer (localstripe): book a paid seat → PaymentIntent → the customer pays → localstripe
sends the signed webhook to the webhook function → the booking is confirmed; a declined card releases the
seat and promotes the waitlist; a cancellation's refund is executed at Stripe and confirmed by charge.refunded.
"""

from __future__ import annotations

from typing import Any

from infra.stripe_events import event
from infra.url_bridge import FunctionUrlBridge
from tests.helpers import call, problem
from tests.integration.payments.conftest import deliver, pay, wait_for


def status_of(conn: Any, booking_id: str) -> Any:
    return conn.execute("select status::text from public.bookings where id = %s", (booking_id,)).fetchone()


def test_paid_booking_is_confirmed_by_stripes_webhook(
    publish: Any, book: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge
) -> None:
    _, session = publish(capacity=2, price_amount=2500, currency="eur")
    learner, reply = book(session["id"])
    assert reply.status == 201, reply.text
    body = reply.json()
    assert body["status"] == "pending_payment"
    payment = body["payment"]
    assert payment["client_secret"].startswith(payment["payment_intent_id"])
    assert (payment["amount"], payment["currency"]) == (2500, "eur")

    from shared.stripe_client import get_stripe

    intent = get_stripe().v1.payment_intents.retrieve(payment["payment_intent_id"])
    assert intent.metadata["booking_id"] == body["id"]
    customer = admin_conn.execute("select customer_id from public.stripe_customers where user_id = %s", (learner.id,))
    assert customer.fetchone() == (intent.customer,)

    again = call("POST", f"/bookings/{body['id']}/payment", learner)
    assert again.json()["payment_intent_id"] == payment["payment_intent_id"], "one PaymentIntent per booking"

    assert pay(payment["payment_intent_id"], "4242424242424242") is True
    wait_for(admin_conn, "select status::text from public.bookings where id = %s", (body["id"],), "confirmed")
    row = admin_conn.execute(
        "select paid_at is not null, payment_intent_id from public.bookings where id = %s", (body["id"],)
    ).fetchone()
    assert row == (True, payment["payment_intent_id"])
    ledger = admin_conn.execute("select type, outcome from public.stripe_events where type like 'payment_intent.%'")
    assert ("payment_intent.succeeded", "confirmed") in ledger.fetchall()


def test_declined_card_releases_the_seat_and_promotes_the_waitlist(
    publish: Any, book: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge
) -> None:
    _, session = publish(capacity=1, price_amount=1500)
    _, held = book(session["id"])
    _, waiting = book(session["id"])
    assert waiting.json()["status"] == "waitlisted"
    assert pay(held.json()["payment"]["payment_intent_id"], "4000000000000341") is False
    wait_for(
        admin_conn, "select status::text from public.bookings where id = %s", (held.json()["id"],), "payment_failed"
    )
    assert status_of(admin_conn, waiting.json()["id"]) == ("pending_payment",)
    kinds = admin_conn.execute(
        "select kind from public.outbox_events where booking_id = %s order by id", (held.json()["id"],)
    ).fetchall()
    assert kinds[-1] == ("payment_failed",)


def test_refund_flow_end_to_end(
    publish: Any, book: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge, run_refunds: Any
) -> None:
    from tests.integration.bookings.conftest import in_hours

    _, session = publish(
        capacity=2,
        price_amount=4000,
        starts_at=in_hours(10),
        cancellation_policy={"full_refund_until_hours": 24, "late_refund_percent": 50},
    )
    learner, held = book(session["id"])
    booking_id, intent_id = held.json()["id"], held.json()["payment"]["payment_intent_id"]
    assert pay(intent_id, "4242424242424242") is True
    wait_for(admin_conn, "select status::text from public.bookings where id = %s", (booking_id,), "confirmed")

    cancelled = call("POST", f"/bookings/{booking_id}/cancel", learner)
    assert cancelled.json()["refund"] == {"amount": 2000, "currency": "usd", "percent": 50, "status": "pending"}

    # Out of time (a call could not finish inside the job's budget): nothing sent, the refund back in the queue.
    from webhooks.refunds import execute_refunds

    assert execute_refunds(time_budget_seconds=0.01)["refunds_deferred"] == 1
    assert admin_conn.execute(
        "select status::text, stripe_refund_id from public.refunds where booking_id = %s", (booking_id,)
    ).fetchone() == ("pending", None)

    assert run_refunds() == {"refunds_submitted": 1, "refunds_failed": 0, "refunds_deferred": 0}
    refund_id, status = admin_conn.execute(
        "select stripe_refund_id, status::text from public.refunds where booking_id = %s", (booking_id,)
    ).fetchone()
    assert status == "submitted"
    from shared.stripe_client import get_stripe

    stripe_refund = get_stripe().v1.refunds.retrieve(refund_id)
    assert (stripe_refund.amount, stripe_refund.payment_intent) == (2000, intent_id)
    assert run_refunds()["refunds_submitted"] == 0, "a submitted refund is not sent twice"

    # localstripe does not emit charge.refunded: Stripe's event, signed as Stripe signs it.
    refunded = event(
        "charge.refunded",
        {
            "id": "ch_test",
            "object": "charge",
            "payment_intent": intent_id,
            "amount_refunded": 2000,
            "refunds": {"object": "list", "data": [{"id": refund_id, "amount": 2000}]},
        },
    )
    assert deliver(refunded).status == 200
    assert admin_conn.execute(
        "select status::text from public.refunds where booking_id = %s", (booking_id,)
    ).fetchone() == ("succeeded",)


def test_a_customer_stripe_no_longer_knows_is_replaced_once(publish: Any, make_user: Any, admin_conn: Any) -> None:
    learner = make_user()
    admin_conn.execute(
        "insert into public.stripe_customers (user_id, customer_id) values (%s, 'cus_gone')", (learner.id,)
    )
    _, session = publish(price_amount=700)
    reply = call("POST", f"/sessions/{session['id']}/bookings", learner)
    assert reply.status == 201, reply.text
    assert reply.json()["payment"] is not None
    query = "select customer_id from public.stripe_customers where user_id = %s"
    row = admin_conn.execute(query, (learner.id,)).fetchone()
    assert row is not None
    assert row[0] not in ("cus_gone", None)


def test_payout_onboarding_creates_one_connected_account_by_controller_properties(
    make_user: Any, admin_conn: Any
) -> None:
    """A host gets an onboarding link; the account is created once (controller properties, not `type`), the same
    account is reused by a second request with a fresh link, and it cannot take charges before onboarding."""
    host = make_user()
    body = {"return_url": "https://app.skillswap.dev/payouts"}
    first = call("POST", "/payouts/onboarding", host, body, function="payments")
    assert first.status == 200, first.text
    account_id = first.json()["account_id"]
    assert first.json()["onboarding_url"].startswith("https://connect.stripe.com/setup/")
    second = call("POST", "/payouts/onboarding", host, body, function="payments")
    assert second.json()["account_id"] == account_id
    assert second.json()["onboarding_url"] != first.json()["onboarding_url"]
    from shared.stripe_client import get_stripe

    account = get_stripe().v1.accounts.retrieve(account_id).to_dict()
    assert account["controller"]["stripe_dashboard"]["type"] == "express"
    assert account["controller"]["fees"]["payer"] == "application"
    assert account["charges_enabled"] is False
    assert admin_conn.execute(
        "select stripe_account_id, charges_enabled from public.payout_accounts where host_id = %s", (host.id,)
    ).fetchone() == (account_id, False)
    insecure = call("POST", "/payouts/onboarding", make_user(), {"return_url": "http://insecure"}, function="payments")
    problem(insecure, 422, "return_url")


def test_the_local_stripe_refuses_type_together_with_controller(stripe_peer: str) -> None:
    import httpx

    reply = httpx.post(
        f"{stripe_peer}/v1/accounts",
        data={"type": "express", "controller[stripe_dashboard][type]": "express"},
        headers={"Authorization": "Bearer sk_test_local_skillswap"},
        timeout=10,
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "type"


def test_the_local_stripe_refuses_what_the_pinned_api_version_refuses(stripe_peer: str) -> None:
    """The stand-in answers as today's Stripe does: `payment_method_types` on a PaymentIntent is a 400 with
    `payment_method_types_no_longer_supported`, and a request pinned to another version is refused."""
    import httpx

    auth = {"Authorization": "Bearer sk_test_local_skillswap"}
    refused = httpx.post(
        f"{stripe_peer}/v1/payment_intents",
        data={"amount": "1000", "currency": "eur", "payment_method_types[0]": "card"},
        headers=auth,
        timeout=10,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "payment_method_types_no_longer_supported"
    other_version = httpx.post(
        f"{stripe_peer}/v1/payment_intents",
        data={"amount": "1000", "currency": "eur"},
        headers={**auth, "Stripe-Version": "2020-08-27"},
        timeout=10,
    )
    assert other_version.status_code == 400
    accepted = httpx.post(
        f"{stripe_peer}/v1/payment_intents", data={"amount": "1000", "currency": "eur"}, headers=auth, timeout=10
    )
    assert accepted.status_code == 200, accepted.text

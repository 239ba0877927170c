"""The Stripe webhook function: signature first (400 and nothing written otherwise), one transaction for
ledger + effect, duplicates and unknown types acknowledged without effect, and storms (duplicates, shuffles,
old replays) ending in exactly the state of in-order single delivery."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import httpx
import pytest

from infra.stripe_events import event, sign, signed
from infra.url_bridge import FunctionUrlBridge
from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, make_payable
from tests.integration.conftest import _truncate_all
from tests.integration.payments.conftest import deliver


def ledger_count(conn: Any, *event_ids: str) -> int:
    """Ledger rows of these events (localstripe's own events from other tests may arrive meanwhile)."""
    row = conn.execute("select count(*) from public.stripe_events where id = any(%s)", (list(event_ids),)).fetchone()
    return int(row[0])


def intent(booking: dict[str, Any], *, amount: int = 1000, currency: str = "usd") -> dict[str, Any]:
    return {
        "id": booking["payment"]["payment_intent_id"],
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "latest_charge": f"ch_{booking['id'][:8]}",
        "metadata": {"kind": "booking", "booking_id": booking["id"]},
        "status": "succeeded",
    }


# Signatures ------------------------------------------------------------------------------------------
def test_missing_bad_stale_or_tampered_signatures_are_400_and_write_nothing(admin_conn: Any) -> None:
    from infra.lambda_events import function_url_event, invoke
    from webhooks.handler import lambda_handler

    evt = event("account.updated", {"id": "acct_x", "charges_enabled": True})
    body, good = signed(evt)

    def post(raw: bytes, headers: dict[str, str]) -> Any:
        return invoke(lambda_handler, function_url_event("POST", "/stripe", raw_body=raw, headers=headers))

    cases = {
        "missing": post(body, {}),
        "garbage": post(body, {"Stripe-Signature": "nonsense"}),
        "wrong secret": post(body, {"Stripe-Signature": sign(body, secret="whsec_attacker")}),
        "stale": post(body, {"Stripe-Signature": sign(body, timestamp=int(time.time()) - 3600)}),
        "tampered": post(body.replace(b"true", b"false"), {"Stripe-Signature": good}),
    }
    for name, reply in cases.items():
        problem(reply, 400)
        assert "Traceback" not in reply.text, name
    assert ledger_count(admin_conn, evt["id"]) == 0


def test_signature_header_is_read_case_insensitively(webhook_endpoint: FunctionUrlBridge, admin_conn: Any) -> None:
    body, header = signed(event("some.unknown_type", {"id": "x"}))
    reply = httpx.post(
        f"{webhook_endpoint.url}/stripe",
        content=body,
        headers={"STRIPE-SIGNATURE": header, "content-type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["outcome"] == "ignored"


def test_duplicates_and_unknown_types_answer_200_without_effect(admin_conn: Any) -> None:
    unknown = event("customer.tax_id.created", {"id": "txi_1"})
    assert deliver(unknown).json()["outcome"] == "ignored"
    again = deliver(unknown)
    assert again.status == 200
    assert again.json()["outcome"] == "duplicate"
    assert ledger_count(admin_conn, unknown["id"]) == 1


def _post_raw(body: bytes, *, connect: bool = False) -> Any:
    from infra.lambda_events import function_url_event, invoke
    from infra.localenv import LOCAL_CONNECT_WEBHOOK_SECRET, LOCAL_WEBHOOK_SECRET
    from webhooks.handler import lambda_handler

    path, secret = ("/stripe/connect", LOCAL_CONNECT_WEBHOOK_SECRET) if connect else ("/stripe", LOCAL_WEBHOOK_SECRET)
    header = sign(body, secret=secret)
    return invoke(lambda_handler, function_url_event("POST", path, raw_body=body, headers={"Stripe-Signature": header}))


def _odd_events(booking_id: str) -> dict[str, tuple[bytes, bool]]:
    """Bodies signed with the right secret that do not fit what we read: (body, to the Connect endpoint)."""
    intent = {
        "id": "pi_odd",
        "amount": 1000,
        "currency": "usd",
        "metadata": {"kind": "booking", "booking_id": booking_id},
    }

    def as_body(evt: dict[str, Any]) -> bytes:
        return json.dumps(evt).encode()

    no_currency = {k: v for k, v in intent.items() if k != "currency"}
    no_created = {k: v for k, v in event("payment_intent.succeeded", intent).items() if k != "created"}
    return {
        "a JSON array": (b'[{"id": "evt_1"}, 2]', False),
        "not JSON": (b"definitely not json", False),
        "a JSON string": (b'"evt_just_a_string"', False),
        "object is a list": (as_body(event("payment_intent.succeeded", [intent])), False),  # type: ignore[arg-type]
        "missing currency": (as_body(event("payment_intent.succeeded", no_currency)), False),
        "currency Stripe does not have": (
            as_body(event("payment_intent.succeeded", {**intent, "currency": "xyz"})),
            False,
        ),
        "amount beyond any column": (as_body(event("payment_intent.succeeded", {**intent, "amount": 2**70})), False),
        "amount of the wrong type": (as_body(event("payment_intent.succeeded", {**intent, "amount": "ten"})), False),
        "a NUL in a key": (as_body(event("payment_intent.succeeded", {**intent, "metadata": {"\u0000": 1}})), False),
        "metadata a list": (as_body(event("payment_intent.payment_failed", {**intent, "metadata": [1]})), False),
        "refunds a string": (as_body(event("charge.refunded", {"payment_intent": "pi_1", "refunds": "x"})), False),
        "subscription without status": (as_body(event("customer.subscription.updated", {"id": "sub_1"})), False),
        "no creation time": (as_body(no_created), False),
        "id with a NUL": (as_body({**event("payment_intent.succeeded", intent), "id": "evt_\u0000x"}), False),
        "Connect event without its account": (
            as_body({k: v for k, v in event("account.updated", {"id": "acct_1"}).items() if k != "account"}),
            True,
        ),
        "account id of the wrong type": (as_body(event("account.updated", {"id": 42})), True),
    }


def test_signed_but_malformed_events_are_recorded_as_rejected_and_answered_200(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    """Stripe retries anything but a 2xx for days; a verified event we cannot read will never read better. It is
    kept in the ledger as rejected with the reason (so its retries are duplicates), changes nothing else, and is
    never a 500."""
    _, session = publish(capacity=2, price_amount=1000)
    _, held = book(session["id"])
    booking_id = held.json()["id"]
    for name, (body, connect) in _odd_events(booking_id).items():
        reply = _post_raw(body, connect=connect)
        assert reply.status == 200, (name, reply.text)
        ack = reply.json()
        assert ack["outcome"].startswith("rejected: "), (name, ack)
        assert admin_conn.execute(
            "select outcome like 'rejected: %%' from public.stripe_events where id = %s", (ack["event_id"],)
        ).fetchone() == (True,), name
        again = _post_raw(body, connect=connect)
        assert (again.status, again.json()["outcome"]) == (200, "duplicate"), name
    assert admin_conn.execute("select status::text from public.bookings where id = %s", (booking_id,)).fetchone() == (
        "pending_payment",
    )


def test_raw_payloads_are_never_logged(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    marker = "card-holder-secret-7d1e"
    deliver(event("customer.updated", {"id": "cus_1", "metadata": {"note": marker}}))
    captured = capsys.readouterr()
    assert marker not in captured.out + captured.err + caplog.text


# Effects ---------------------------------------------------------------------------------------------
def test_payment_after_the_hold_lapsed_takes_a_free_seat(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=2, price_amount=1000)
    _, held = book(session["id"])
    admin_conn.execute(
        "update public.bookings set hold_expires_at = now() - interval '1 second' where id = %s", (held.json()["id"],)
    )
    from bookings.holds import expire_lapsed_holds

    assert expire_lapsed_holds()["expired_holds"] == 1
    reply = deliver(event("payment_intent.succeeded", intent(held.json())))
    assert reply.json()["outcome"] == "confirmed_late"
    row = admin_conn.execute(
        "select status::text, paid_at is not null from public.bookings where id = %s", (held.json()["id"],)
    ).fetchone()
    assert row == ("confirmed", True)


def test_an_effect_that_fails_takes_its_ledger_claim_with_it_and_the_retry_applies_it(
    publish: Any, book: Any, admin_conn: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claim, effect and outcome are one statement: when the effect cannot finish (here its session row is locked
    past the statement timeout) nothing of the event stays, Stripe is told to retry (503), and the retry applies
    it once."""
    import psycopg

    from shared.settings import get_settings

    _, session = publish(capacity=2, price_amount=1000)
    _, held = book(session["id"])
    evt = event("payment_intent.succeeded", intent(held.json()))
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "300")
    get_settings.cache_clear()
    try:
        with psycopg.connect(database_url) as locker:
            locker.execute("select 1 from public.sessions where id = %s for update", (session["id"],))
            reply = deliver(evt)
            assert reply.status == 503, reply.text
            assert ledger_count(admin_conn, evt["id"]) == 0
            locker.rollback()
    finally:
        monkeypatch.delenv("DB_STATEMENT_TIMEOUT_MS")
        get_settings.cache_clear()
    reply = deliver(evt)
    assert (reply.status, reply.json()["outcome"]) == (200, "confirmed")
    assert deliver(evt).json()["outcome"] == "duplicate"
    row = admin_conn.execute("select outcome from public.stripe_events where id = %s", (evt["id"],)).fetchone()
    assert row == ("confirmed",)
    paid = admin_conn.execute(
        "select status::text, paid_at is not null from public.bookings where id = %s", (held.json()["id"],)
    ).fetchone()
    assert paid == ("confirmed", True)


def test_the_one_statement_runs_the_effect_for_a_new_event_only(admin_conn: Any) -> None:
    """The effect is evaluated inside the CASE only when the claim is new: here the effect is a witness (it settles
    another ledger row), so that whether it ran is visible."""
    from datetime import UTC, datetime

    from webhooks import dal

    at = datetime.now(UTC)
    assert dal.apply_once("evt_witness", "test.witness", at, "untouched") == "untouched"
    witness = dal.Effect("public.settle_stripe_event(%s, %s)", ("evt_witness", "touched"))

    def witness_outcome() -> str:
        row = admin_conn.execute("select outcome from public.stripe_events where id = 'evt_witness'").fetchone()
        return str(row[0])

    assert dal.apply_once("evt_new", "test.event", at, witness) == "touched"
    assert witness_outcome() == "touched"
    admin_conn.execute("update public.stripe_events set outcome = 'untouched' where id = 'evt_witness'")
    assert dal.apply_once("evt_new", "test.event", at, witness) == "duplicate"
    assert witness_outcome() == "untouched"
    row = admin_conn.execute("select outcome from public.stripe_events where id = 'evt_new'").fetchone()
    assert row == ("touched",)


def test_payment_after_the_hold_lapsed_without_a_seat_is_refunded(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, price_amount=1000)
    _, held = book(session["id"])
    admin_conn.execute(
        "update public.bookings set hold_expires_at = now() - interval '1 second' where id = %s", (held.json()["id"],)
    )
    _, waiting = book(session["id"])
    from bookings.holds import expire_lapsed_holds

    expire_lapsed_holds()  # the seat goes to the waitlisted learner
    reply = deliver(event("payment_intent.succeeded", intent(held.json())))
    assert reply.json()["outcome"] == "refund_due"
    refund = admin_conn.execute(
        "select amount, reason, status::text from public.refunds where booking_id = %s", (held.json()["id"],)
    ).fetchone()
    assert refund == (1000, "paid_without_seat", "pending")
    note = admin_conn.execute(
        "select kind from public.outbox_events where booking_id = %s order by id desc limit 1", (held.json()["id"],)
    ).fetchone()
    assert note == ("payment_refunded_no_seat",)
    assert admin_conn.execute(
        "select status::text from public.bookings where id = %s", (waiting.json()["id"],)
    ).fetchone() == ("pending_payment",)


def test_account_updated_lets_a_host_price_sessions(make_user: Any, admin_conn: Any) -> None:
    host = make_user()
    admin_conn.execute(
        "insert into public.payout_accounts (host_id, stripe_account_id) values (%s, 'acct_new1')", (host.id,)
    )
    starts = in_hours(48)
    body = {
        "format": "workshop",
        "title": "Paid workshop",
        "capacity": 3,
        "price_amount": 900,
        "starts_at": starts.isoformat(),
        "ends_at": in_hours(49).isoformat(),
    }
    problem(call("POST", "/sessions", host, body), 409, "price_amount")
    now = int(time.time())
    deliver(
        event(
            "account.updated",
            {"id": "acct_new1", "charges_enabled": True, "payouts_enabled": True, "details_submitted": True},
            created=now,
        )
    )
    stale = deliver(event("account.updated", {"id": "acct_new1", "charges_enabled": False}, created=now - 60))
    assert stale.json()["outcome"] == "stale"
    assert call("POST", "/sessions", host, body).status == 201


def test_subscription_events_drive_entitlements_and_premium_content(make_user: Any, admin_conn: Any) -> None:
    from shared import db

    member, stranger = make_user(), make_user()
    admin_conn.execute(
        "insert into public.stripe_customers (user_id, customer_id) values (%s, 'cus_member')", (member.id,)
    )
    admin_conn.execute(
        "insert into public.membership_plans (id, name, stripe_price_id, amount, currency, billing_interval)"
        " values ('plus', 'Plus', 'price_plus', 1200, 'usd', 'month')"
    )
    admin_conn.execute(
        "with c as (insert into public.premium_content (kind, title, status)"
        " values ('article', 'Deep dive', 'published') returning id)"
        " insert into public.premium_content_bodies (content_id, body) select id, 'text' from c"
    )
    period_end = int(time.time()) + 30 * 86400
    sub = {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_member",
        "status": "active",
        "current_period_end": period_end,
        "items": {"data": [{"price": {"id": "price_plus"}}]},
    }

    def readable(user: Any) -> int:
        with db.user_transaction(user.claims) as conn:
            return len(conn.execute("select content_id from public.premium_content_bodies").fetchall())

    assert readable(member) == 0
    now = int(time.time())
    assert deliver(event("customer.subscription.created", sub, created=now)).json()["outcome"] == "applied"
    assert readable(member) == 1
    assert readable(stranger) == 0
    deliver(
        event(
            "invoice.payment_failed", {"id": "in_1", "subscription": "sub_1", "customer": "cus_member"}, created=now + 1
        )
    )
    assert readable(member) == 0, "past_due is not entitled"
    deliver(
        event(
            "invoice.paid",
            {
                "id": "in_2",
                "subscription": "sub_1",
                "customer": "cus_member",
                "lines": {"data": [{"period": {"end": period_end}}]},
            },
            created=now + 2,
        )
    )
    assert readable(member) == 1
    deliver(event("customer.subscription.deleted", {**sub, "status": "canceled"}, created=now + 3))
    assert readable(member) == 0
    row = admin_conn.execute("select status, plan_id from public.entitlements where stripe_subscription_id = 'sub_1'")
    assert row.fetchone() == ("canceled", "plus")


def test_an_invoice_never_moves_back_whatever_order_its_events_arrive_in(make_user: Any, admin_conn: Any) -> None:
    """Stripe does not deliver events in order, and `finalized` and `paid` often share their second: an invoice
    paid stays paid when older news about it arrives after (a tie in time goes to the later status)."""
    member = make_user()
    admin_conn.execute(
        "insert into public.stripe_customers (user_id, customer_id) values (%s, 'cus_order')", (member.id,)
    )
    now = int(time.time())
    base = {"subscription": "sub_order", "customer": "cus_order", "currency": "usd", "created": now - 5}

    def invoice(kind: str, invoice_id: str, status: str, paid: int, created: int) -> dict[str, Any]:
        body = {**base, "id": invoice_id, "status": status, "amount_due": 1200, "amount_paid": paid}
        return event(kind, body, created=created)

    def status_of(invoice_id: str) -> tuple[str, int]:
        row = admin_conn.execute(
            "select status, amount_paid from public.membership_invoices where id = %s", (invoice_id,)
        ).fetchone()
        return (row[0], row[1])

    # The same second, delivered backwards; then an older finalized event replayed late.
    deliver(invoice("invoice.paid", "in_tie", "paid", 1200, now))
    deliver(invoice("invoice.finalized", "in_tie", "open", 0, now))
    assert status_of("in_tie") == ("paid", 1200)
    deliver(invoice("invoice.finalized", "in_late", "open", 0, now - 1))
    deliver(invoice("invoice.paid", "in_late", "paid", 1200, now))
    deliver(invoice("invoice.finalized", "in_late", "open", 0, now - 1))
    assert status_of("in_late") == ("paid", 1200)
    # Forward moves still apply: open, then uncollectible, then paid after all.
    deliver(invoice("invoice.finalized", "in_fwd", "open", 0, now))
    deliver(invoice("invoice.marked_uncollectible", "in_fwd", "uncollectible", 0, now))
    assert status_of("in_fwd")[0] in {"open", "uncollectible"}
    deliver(invoice("invoice.paid", "in_fwd", "paid", 1200, now))
    assert status_of("in_fwd") == ("paid", 1200)


@pytest.mark.parametrize("effect", ["legacy", "invoice"])
def test_an_invoice_event_racing_its_subscriptions_first_event_applies_to_the_row_it_made(
    effect: str, make_user: Any, admin_conn: Any, database_url: str
) -> None:
    """Two webhook invocations at once: the subscription's first event is creating the entitlement (not yet
    committed) when the paid invoice finds none and goes to create it. The invoice waits, then is applied to the
    row the other made, instead of failing on the key (a 409 and a wait for Stripe's retry)."""
    import threading

    import psycopg

    member = make_user()
    admin_conn.execute(
        "insert into public.stripe_customers (user_id, customer_id) values (%s, 'cus_race')", (member.id,)
    )
    now = int(time.time())
    if effect == "legacy":
        call_sql = "select public.apply_invoice('sub_race', 'cus_race', true, to_timestamp(%s), to_timestamp(%s))"
        params: tuple[Any, ...] = (now + 86400, now)
    else:
        call_sql = (
            "select public.apply_membership_invoice('in_race', 'sub_race', 'cus_race', 'paid', 900, 900, 'usd',"
            " to_timestamp(%s), null, to_timestamp(%s), true, false, to_timestamp(%s))"
        )
        params = (now + 86400, now, now)
    outcome: list[Any] = []
    with psycopg.connect(database_url) as first:
        first.execute(
            "insert into public.entitlements (stripe_subscription_id, user_id, customer_id, status, last_event_at)"
            " values ('sub_race', %s, 'cus_race', 'incomplete', to_timestamp(%s))",
            (member.id, now - 1),
        )

        def invoice() -> None:
            with psycopg.connect(database_url, autocommit=True) as second:
                outcome.append(second.execute(call_sql, params).fetchone())

        racing = threading.Thread(target=invoice)
        racing.start()
        time.sleep(0.5)  # the invoice now waits on the uncommitted row's key
        assert not outcome, "it waited for the subscription's event"
        first.commit()
        racing.join(timeout=10)
    assert outcome == [("applied",)]
    row = admin_conn.execute("select status from public.entitlements where stripe_subscription_id = 'sub_race'")
    assert row.fetchone() == ("active",)


# Storms ----------------------------------------------------------------------------------------------
def build_world(
    make_user: Any, publish: Any, book: Any, admin_conn: Any, now: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Three held seats, a member with a customer id, a host account: and the events Stripe would send."""
    host = make_user(name="Host")
    make_payable(admin_conn, host)
    _, session = publish(host, capacity=3, price_amount=1000)
    b1, b2, b3 = (book(session["id"])[1].json() for _ in range(3))
    member = make_user(name="Member")
    admin_conn.execute(
        "insert into public.stripe_customers (user_id, customer_id) values (%s, 'cus_storm')", (member.id,)
    )
    admin_conn.execute(
        "insert into public.membership_plans (id, name, stripe_price_id, amount, currency,"
        " billing_interval) values ('storm', 'Storm', 'price_storm', 500, 'usd', 'month')"
        " on conflict do nothing"
    )
    account = f"acct_{host.id.hex[:16]}"
    t, p1, p2 = now - 1000, now + 86400, now + 40 * 86400
    sub = {"id": "sub_storm", "customer": "cus_storm", "items": {"data": [{"price": {"id": "price_storm"}}]}}
    inv = {"subscription": "sub_storm", "customer": "cus_storm"}
    events = [
        event("payment_intent.succeeded", intent(b1), created=t + 1),
        event("payment_intent.payment_failed", {**intent(b2), "status": "requires_payment_method"}, created=t + 2),
        event("payment_intent.succeeded", intent(b2), created=t + 3),
        event("payment_intent.payment_failed", {**intent(b3), "status": "requires_payment_method"}, created=t + 4),
        event("customer.subscription.created", {**sub, "status": "incomplete"}, created=t + 5),
        event("invoice.paid", {**inv, "id": "in_a", "lines": {"data": [{"period": {"end": p1}}]}}, created=t + 6),
        event("customer.subscription.updated", {**sub, "status": "active", "current_period_end": p1}, created=t + 7),
        event("invoice.payment_failed", {**inv, "id": "in_b"}, created=t + 8),
        event("customer.subscription.updated", {**sub, "status": "past_due", "current_period_end": p1}, created=t + 9),
        event("invoice.paid", {**inv, "id": "in_c", "lines": {"data": [{"period": {"end": p2}}]}}, created=t + 10),
        event("customer.subscription.updated", {**sub, "status": "active", "current_period_end": p2}, created=t + 11),
        event("account.updated", {"id": account, "charges_enabled": False, "payouts_enabled": False}, created=t + 12),
        event("account.updated", {"id": account, "charges_enabled": True, "payouts_enabled": False}, created=t + 13),
        event(
            "account.updated",
            {"id": account, "charges_enabled": True, "payouts_enabled": True, "details_submitted": True},
            created=t + 14,
        ),
        event("review.opened", {"id": "prv_1"}, created=t + 15),
    ]
    return {"bookings": [b1["id"], b2["id"], b3["id"]], "session": session["id"], "account": account}, events


def snapshot(conn: Any, world: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    bookings = [
        conn.execute("select status::text, paid_at is not null from public.bookings where id = %s", (b,)).fetchone()
        for b in world["bookings"]
    ]
    return {
        "bookings": bookings,
        "seats": conn.execute("select seats_taken from public.sessions where id = %s", (world["session"],)).fetchone(),
        "entitlement": conn.execute("select status, plan_id, current_period_end from public.entitlements").fetchall(),
        "account": conn.execute(
            "select charges_enabled, payouts_enabled, details_submitted from public.payout_accounts"
            " where stripe_account_id = %s",
            (world["account"],),
        ).fetchone(),
        "refunds": conn.execute("select count(*) from public.refunds").fetchone(),
        # localstripe also sends its own events (customer.created...) meanwhile: count the storm's only.
        "ledger": conn.execute(
            "select count(*) from public.stripe_events where id = any(%s)", ([e["id"] for e in events],)
        ).fetchone(),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_storm_of_duplicates_shuffles_and_replays_ends_as_in_order_delivery(
    seed: int, make_user: Any, publish: Any, book: Any, admin_conn: Any
) -> None:
    now = int(time.time())
    world, events = build_world(make_user, publish, book, admin_conn, now)
    for evt in events:
        assert deliver(evt).status == 200
    expected = snapshot(admin_conn, world, events)
    assert expected["bookings"] == [("confirmed", True), ("confirmed", True), ("payment_failed", False)]
    assert expected["entitlement"][0][0] == "active"

    _truncate_all(admin_conn)
    world, events = build_world(make_user, publish, book, admin_conn, now)
    rng = random.Random(seed)
    storm = [evt for evt in events for _ in range(3)]  # every event three times
    rng.shuffle(storm)
    storm.append(events[0])  # an old event replayed at the end
    tampered = json.loads(json.dumps(events[1]))
    tampered["data"]["object"]["status"] = "succeeded"
    _, header = signed(events[1])
    from infra.lambda_events import function_url_event, invoke
    from webhooks.handler import lambda_handler

    forged = invoke(
        lambda_handler,
        function_url_event(
            "POST", "/stripe", raw_body=json.dumps(tampered).encode(), headers={"Stripe-Signature": header}
        ),
    )
    assert forged.status == 400
    outcomes = [deliver(evt).json()["outcome"] for evt in storm]
    assert outcomes.count("duplicate") == len(storm) - len(events)
    assert snapshot(admin_conn, world, events) == expected

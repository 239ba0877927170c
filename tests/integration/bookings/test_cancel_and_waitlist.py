"""Cancellations change only the canceller's seat; freed seats promote the waitlist in the same transaction
(on cancel, lapsed hold, raised capacity); refunds due follow the session's policy at cancellation time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from bookings.jobs import sweep_handler
from infra.lambda_events import LambdaContext
from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, mark_paid, shift_session


def booking_status(conn: psycopg.Connection[Any], booking_id: str) -> str:
    row = conn.execute("select status::text from public.bookings where id = %s", (booking_id,)).fetchone()
    assert row is not None
    return str(row[0])


def seats_taken(conn: psycopg.Connection[Any], session_id: str) -> int:
    row = conn.execute("select seats_taken from public.sessions where id = %s", (session_id,)).fetchone()
    assert row is not None
    return int(row[0])


def lapse_hold(conn: psycopg.Connection[Any], booking_id: str) -> None:
    conn.execute(
        "update public.bookings set hold_expires_at = now() - interval '1 second' where id = %s", (booking_id,)
    )


def run_sweep() -> dict[str, int]:
    return sweep_handler({"source": "aws.scheduler", "detail-type": "Scheduled Event"}, LambdaContext())


def outbox(conn: psycopg.Connection[Any], booking_id: str) -> list[str]:
    rows = conn.execute(
        "select kind from public.outbox_events where booking_id = %s order by id", (booking_id,)
    ).fetchall()
    return [r[0] for r in rows]


def test_cancel_changes_only_my_seat_and_promotes_the_head_of_the_waitlist(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=2)
    sid = session["id"]
    alice, a = book(sid)
    _, b = book(sid)
    _, w1 = book(sid)
    _, w2 = book(sid)
    reply = call("POST", f"/bookings/{a.json()['id']}/cancel", alice)
    assert reply.status == 200, reply.text
    assert reply.json()["status"] == "cancelled"
    assert booking_status(admin_conn, b.json()["id"]) == "confirmed"
    assert booking_status(admin_conn, w1.json()["id"]) == "confirmed"
    assert booking_status(admin_conn, w2.json()["id"]) == "waitlisted"
    assert seats_taken(admin_conn, sid) == 2
    assert outbox(admin_conn, w1.json()["id"]) == ["booking_waitlisted", "booking_promoted"]
    assert outbox(admin_conn, a.json()["id"]) == ["booking_confirmed", "booking_cancelled"]


def test_cancelling_a_waitlisted_place_moves_the_queue_up(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1)
    sid = session["id"]
    book(sid)
    first, w1 = book(sid)
    second, w2 = book(sid)
    assert call("POST", f"/bookings/{w1.json()['id']}/cancel", first).status == 200
    assert call("GET", f"/bookings/{w2.json()['id']}", second).json()["waitlist_position"] == 1
    assert seats_taken(admin_conn, sid) == 1


def test_nobody_cancels_or_reads_someone_elses_booking(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    host, session = publish()
    _, mine = book(session["id"])
    stranger = make_user()
    problem(call("POST", f"/bookings/{mine.json()['id']}/cancel", stranger), 404)
    problem(call("POST", f"/bookings/{mine.json()['id']}/cancel", host), 404)
    problem(call("GET", f"/bookings/{mine.json()['id']}", stranger), 404)
    assert call("GET", f"/bookings/{mine.json()['id']}", host).status == 200, "hosts see their sessions' bookings"
    assert booking_status(admin_conn, mine.json()["id"]) == "confirmed"


def test_cancelling_twice_is_409(publish: Any, book: Any) -> None:
    _, session = publish()
    learner, booking = book(session["id"])
    assert call("POST", f"/bookings/{booking.json()['id']}/cancel", learner).status == 200
    problem(call("POST", f"/bookings/{booking.json()['id']}/cancel", learner), 409)


def test_paid_seat_freed_by_cancel_is_offered_to_the_waitlist_with_a_claim_window(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=1, price_amount=2000, claim_window_minutes=30)
    sid = session["id"]
    payer, held = book(sid)
    mark_paid(admin_conn, held.json()["id"])
    waiting, w1 = book(sid)
    assert w1.json()["status"] == "waitlisted"
    assert call("POST", f"/bookings/{held.json()['id']}/cancel", payer).status == 200
    offer = call("GET", f"/bookings/{w1.json()['id']}", waiting).json()
    assert offer["status"] == "pending_payment"
    assert offer["offered_from_waitlist"] is True
    assert in_hours(0.5) - timedelta(seconds=30) < _ts(offer["hold_expires_at"]) <= in_hours(0.5)
    assert seats_taken(admin_conn, sid) == 1


def _ts(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)


def test_lapsed_offer_passes_to_the_next_learner(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, price_amount=2000)
    sid = session["id"]
    payer, held = book(sid)
    mark_paid(admin_conn, held.json()["id"])
    _, w1 = book(sid)
    _, w2 = book(sid)
    call("POST", f"/bookings/{held.json()['id']}/cancel", payer)
    assert booking_status(admin_conn, w1.json()["id"]) == "pending_payment"
    lapse_hold(admin_conn, w1.json()["id"])
    assert run_sweep()["expired_holds"] == 1
    assert booking_status(admin_conn, w1.json()["id"]) == "expired"
    assert booking_status(admin_conn, w2.json()["id"]) == "pending_payment"
    assert seats_taken(admin_conn, sid) == 1


def test_lapsed_hold_frees_the_seat_and_promotes_a_free_waitlist(publish: Any, book: Any, admin_conn: Any) -> None:
    _, paid = publish(capacity=1, price_amount=500)
    _, hold = book(paid["id"])
    _, waiter = book(paid["id"])
    lapse_hold(admin_conn, hold.json()["id"])
    result = run_sweep()
    assert result["expired_holds"] == 1
    assert booking_status(admin_conn, hold.json()["id"]) == "expired"
    assert booking_status(admin_conn, waiter.json()["id"]) == "pending_payment"
    assert outbox(admin_conn, hold.json()["id"])[-1] == "booking_expired"
    assert run_sweep()["expired_holds"] == 0, "a second sweep finds nothing"


def test_unexpired_holds_are_left_alone(publish: Any, book: Any, admin_conn: Any) -> None:
    _, paid = publish(capacity=2, price_amount=500)
    _, hold = book(paid["id"])
    assert run_sweep()["expired_holds"] == 0
    assert booking_status(admin_conn, hold.json()["id"]) == "pending_payment"


def test_raising_capacity_promotes_the_waitlist_in_order(publish: Any, book: Any, admin_conn: Any) -> None:
    host, session = publish(capacity=1)
    sid = session["id"]
    book(sid)
    waiting = [book(sid)[1].json()["id"] for _ in range(3)]
    reply = call("PATCH", f"/sessions/{sid}", host, {"capacity": 3})
    assert reply.status == 200, reply.text
    assert [booking_status(admin_conn, w) for w in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert reply.json()["seats_left"] == 0
    assert reply.json()["waitlist_count"] == 1


@pytest.mark.parametrize(
    ("hours_before_start", "expected_percent"),
    [(24 + 0.1, 100), (24 - 0.1, 40), (1, 40)],
    ids=["just-before-the-boundary", "just-after-the-boundary", "last-hour"],
)
def test_refund_due_follows_the_policy_at_cancellation_time(
    hours_before_start: float, expected_percent: int, publish: Any, book: Any, admin_conn: Any
) -> None:
    _, session = publish(
        capacity=3,
        price_amount=2999,
        starts_at=in_hours(hours_before_start),
        cancellation_policy={"full_refund_until_hours": 24, "late_refund_percent": 40},
    )
    learner, booking = book(session["id"])
    mark_paid(admin_conn, booking.json()["id"])
    reply = call("POST", f"/bookings/{booking.json()['id']}/cancel", learner)
    assert reply.status == 200, reply.text
    refund = reply.json()["refund"]
    assert refund == {
        "amount": 2999 * expected_percent // 100,
        "currency": "usd",
        "percent": expected_percent,
        "status": "pending",
    }
    row = admin_conn.execute(
        "select amount, reason from public.refunds where booking_id = %s", (booking.json()["id"],)
    ).fetchone()
    assert row == (2999 * expected_percent // 100, "learner_cancelled")


def test_zero_percent_late_refund_records_nothing(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(price_amount=1000, starts_at=in_hours(2))
    learner, booking = book(session["id"])
    mark_paid(admin_conn, booking.json()["id"])
    assert call("POST", f"/bookings/{booking.json()['id']}/cancel", learner).json()["refund"] is None
    assert admin_conn.execute("select count(*) from public.refunds").fetchone() == (0,)


def test_cancelling_an_unpaid_hold_refunds_nothing_and_frees_the_seat(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, price_amount=1000)
    learner, hold = book(session["id"])
    assert call("POST", f"/bookings/{hold.json()['id']}/cancel", learner).json()["refund"] is None
    assert seats_taken(admin_conn, session["id"]) == 0


def test_host_cancelling_the_session_cancels_everyone_with_full_refunds(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    host, session = publish(capacity=2, price_amount=1500, starts_at=in_hours(3))
    sid = session["id"]
    _, paid = book(sid)
    mark_paid(admin_conn, paid.json()["id"])
    _, unpaid = book(sid)
    _, waiting = book(sid)
    reply = call("POST", f"/sessions/{sid}/cancel", host, {"reason": "Speaker ill"})
    assert reply.status == 200, reply.text
    assert reply.json()["status"] == "cancelled"
    for b in (paid, unpaid, waiting):
        assert booking_status(admin_conn, b.json()["id"]) == "cancelled"
        assert outbox(admin_conn, b.json()["id"])[-1] == "booking_cancelled"
    refunds = admin_conn.execute("select booking_id::text, amount, percent, reason from public.refunds").fetchall()
    assert refunds == [(paid.json()["id"], 1500, 100, "host_cancelled")]
    assert seats_taken(admin_conn, sid) == 0
    kinds = admin_conn.execute(
        "select kind from public.outbox_events where session_id = %s and booking_id is null", (sid,)
    )
    assert [r[0] for r in kinds.fetchall()] == ["session_cancelled"]


def test_cancel_after_start_is_409(publish: Any, book: Any, admin_conn: Any) -> None:
    from tests.integration.bookings.conftest import shift_session

    _, session = publish()
    learner, booking = book(session["id"])
    shift_session(admin_conn, session["id"], in_hours(-0.2), in_hours(1))
    problem(call("POST", f"/bookings/{booking.json()['id']}/cancel", learner), 409)
    assert booking_status(admin_conn, booking.json()["id"]) == "confirmed"


# A host removes a participant ----------------------------------------------------------------------------
def test_a_host_removes_a_paid_participant_who_is_refunded_told_why_and_replaced(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    host, session = publish(capacity=1, price_amount=2000)
    _, held = book(session["id"])
    mark_paid(admin_conn, held.json()["id"])
    _, queued = book(session["id"])
    assert queued.json()["status"] == "waitlisted"

    reply = call("POST", f"/bookings/{held.json()['id']}/remove", host, {"reason": "Double booking\non our side"})
    assert reply.status == 200, reply.text
    assert reply.json()["status"] == "cancelled"
    assert reply.json()["refund"] == {"amount": 2000, "currency": "usd", "percent": 100, "status": "pending"}
    assert admin_conn.execute(
        "select reason from public.refunds where booking_id = %s", (held.json()["id"],)
    ).fetchone() == ("host_removed",)
    # the learner is told, with the host's reason
    kind, payload = admin_conn.execute(
        "select kind, payload from public.outbox_events where booking_id = %s order by id desc limit 1",
        (held.json()["id"],),
    ).fetchone()
    assert (kind, payload["reason"], payload["refund_amount"]) == (
        "booking_removed",
        "Double booking\non our side",
        2000,
    )
    # the seat went to the head of the waitlist (a paid session: offered, held for payment)
    assert admin_conn.execute(
        "select status::text from public.bookings where id = %s", (queued.json()["id"],)
    ).fetchone() == ("pending_payment",)
    assert admin_conn.execute("select seats_taken from public.sessions where id = %s", (session["id"],)).fetchone() == (
        1,
    )


def test_only_the_host_removes_and_only_an_active_booking_before_the_end(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    host, session = publish(capacity=3)
    learner, booked = book(session["id"])
    booking_id = booked.json()["id"]
    other_host, _ = publish()
    for outsider in (learner, other_host, make_user()):
        problem(call("POST", f"/bookings/{booking_id}/remove", outsider), 404, "booking_id")
    problem(call("POST", f"/bookings/{booking_id}/remove", host, {"reason": "x" * 1001}), 422, "reason")
    assert call("POST", f"/bookings/{booking_id}/remove", host).status == 200
    problem(call("POST", f"/bookings/{booking_id}/remove", host), 409, "booking_id")
    _, kept = book(session["id"])
    shift_session(admin_conn, session["id"], in_hours(-3), in_hours(-1))
    problem(call("POST", f"/bookings/{kept.json()['id']}/remove", host), 409)
    assert admin_conn.execute(
        "select status::text from public.bookings where id = %s", (kept.json()["id"],)
    ).fetchone() == ("confirmed",)

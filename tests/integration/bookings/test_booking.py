"""Booking a seat: confirm, waitlist, hold for payment, refusals; idempotency; races for the last seats."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from infra.lambda_events import Reply
from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, shift_session


def seats(conn: psycopg.Connection[Any], session_id: str) -> tuple[int, int]:
    row = conn.execute("select seats_taken, capacity from public.sessions where id = %s", (session_id,)).fetchone()
    assert row is not None
    return row[0], row[1]


def statuses(conn: psycopg.Connection[Any], session_id: str) -> dict[str, int]:
    rows = conn.execute(
        "select status::text, count(*) from public.bookings where session_id = %s group by 1", (session_id,)
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def test_free_session_confirms_then_waitlists_when_full(publish: Any, book: Any) -> None:
    _, session = publish(capacity=1)
    first = book(session["id"])[1]
    second = book(session["id"])[1]
    assert (first.status, first.json()["status"]) == (201, "confirmed")
    assert (second.status, second.json()["status"]) == (201, "waitlisted")
    assert second.json()["waitlist_position"] == 1
    assert call("GET", f"/sessions/{session['id']}").json()["seats_left"] == 0


def test_full_session_without_waitlist_is_409(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, waitlist_enabled=False)
    book(session["id"])
    problem(book(session["id"])[1], 409, "session_id")
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}


def test_paid_session_holds_the_seat_for_payment(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=2, price_amount=1500, currency="eur")
    reply = book(session["id"])[1]
    body = reply.json()
    assert body["status"] == "pending_payment"
    assert (body["amount"], body["currency"], body["paid"]) == (1500, "eur", False)
    expires = datetime.fromisoformat(body["hold_expires_at"])
    assert in_hours(0.25) - timedelta(seconds=30) < expires <= in_hours(0.25)
    assert seats(admin_conn, session["id"]) == (1, 2)


def test_the_host_cannot_book_their_own_session(publish: Any, book: Any) -> None:
    host, session = publish()
    problem(book(session["id"], host)[1], 403)


def test_the_same_learner_never_holds_two_places_and_a_repeat_answers_the_first(
    publish: Any, book: Any, admin_conn: Any
) -> None:
    """A repeat (a retry after an unknown outcome, without a key) answers the booking the learner already holds,
    with the same status code every time, and creates nothing."""
    _, session = publish(capacity=1)
    learner, first = book(session["id"])
    assert first.status == 201
    repeats = [book(session["id"], learner)[1] for _ in range(3)]
    assert {r.status for r in repeats} == {200}
    assert {r.json()["id"] for r in repeats} == {first.json()["id"]}
    _, full = publish(capacity=1)
    book(full["id"])
    waiting, queued = book(full["id"])
    again = book(full["id"], waiting)[1]
    assert (again.status, again.json()["id"], again.json()["status"]) == (200, queued.json()["id"], "waitlisted")
    assert statuses(admin_conn, full["id"]) == {"confirmed": 1, "waitlisted": 1}
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}


def test_no_booking_after_start_or_inside_the_minimum_notice(publish: Any, book: Any, admin_conn: Any) -> None:
    _, notice = publish(starts_at=in_hours(1), min_notice_minutes=120)
    problem(book(notice["id"])[1], 409)
    _, started = publish(starts_at=in_hours(2))
    shift_session(admin_conn, started["id"], in_hours(-0.5), in_hours(1))
    problem(book(started["id"])[1], 409)
    assert statuses(admin_conn, notice["id"]) == {}
    assert statuses(admin_conn, started["id"]) == {}


def test_unknown_draft_or_cancelled_sessions_cannot_be_booked(publish: Any, book: Any, make_user: Any) -> None:
    problem(book("00000000-0000-4000-8000-000000000000")[1], 404, "session_id")
    host = make_user()
    draft = call(
        "POST",
        "/sessions",
        host,
        {
            "format": "webinar",
            "title": "Draft",
            "capacity": 10,
            "starts_at": in_hours(5).isoformat(),
            "ends_at": in_hours(6).isoformat(),
        },
    ).json()
    problem(book(draft["id"])[1], 404)
    host, session = publish()
    call("POST", f"/sessions/{session['id']}/cancel", host)
    problem(book(session["id"])[1], 409)


def test_bad_booking_input_is_4xx_problem_and_writes_nothing(make_user: Any, admin_conn: Any) -> None:
    learner = make_user()
    problem(call("POST", "/sessions/not-a-uuid/bookings", learner), 422, "session_id")
    problem(call("POST", "/sessions/00000000-0000-4000-8000-000000000000/bookings"), 401)
    for bad_key in ("k" * 300, "", "tab\there", "ключ"):
        reply = call(
            "POST",
            "/sessions/00000000-0000-4000-8000-000000000000/bookings",
            learner,
            headers={"Idempotency-Key": bad_key},
        )
        problem(reply, 422, "Idempotency-Key")
    assert admin_conn.execute("select count(*) from public.bookings").fetchone() == (0,)
    assert admin_conn.execute("select count(*) from public.idempotency_keys").fetchone() == (0,)


# Idempotency -----------------------------------------------------------------------------------------
def test_same_idempotency_key_twice_gives_one_booking_and_the_same_answer(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=3)
    learner = make_user()
    headers = {"Idempotency-Key": "book-7f3a"}
    first = book(session["id"], learner, headers=headers)[1]
    second = book(session["id"], learner, headers=headers)[1]
    assert first.status == second.status == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}
    assert seats(admin_conn, session["id"]) == (1, 3)


def test_idempotency_key_reused_for_another_session_is_422(publish: Any, book: Any, make_user: Any) -> None:
    _, one = publish()
    _, two = publish()
    learner = make_user()
    headers = {"Idempotency-Key": "same-key"}
    assert book(one["id"], learner, headers=headers)[1].status == 201
    problem(book(two["id"], learner, headers=headers)[1], 422, "Idempotency-Key")


def test_a_stored_answer_that_cannot_be_replayed_is_treated_as_absent(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    """Whatever sits in the ledger (an answer stored by an older release, or damaged), a replay never answers 500:
    the request is served as if unkeyed, which answers the booking the learner holds."""
    _, session = publish(capacity=3)
    learner = make_user()
    headers = {"Idempotency-Key": "book-damaged"}
    first = book(session["id"], learner, headers=headers)[1]
    for damaged in ('{"not": "a booking"}', "[1, 2]", '"text"', "null"):
        admin_conn.execute(
            "update public.idempotency_keys set response = %s::jsonb where key = 'book-damaged'", (damaged,)
        )
        again = book(session["id"], learner, headers=headers)[1]
        assert again.status == 200, again.text
        assert again.json()["id"] == first.json()["id"]
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}


def test_a_new_key_for_a_session_already_booked_answers_that_booking(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=3)
    learner = make_user()
    first = book(session["id"], learner)[1]
    keyed = book(session["id"], learner, headers={"Idempotency-Key": "late-key"})[1]
    assert (keyed.status, keyed.json()["id"]) == (200, first.json()["id"])
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}


def test_an_unknown_outcome_is_a_503_with_retry_after_and_the_retry_answers_the_booking(
    publish: Any, book: Any, make_user: Any, admin_conn: Any, monkeypatch: Any
) -> None:
    """The commit reaches the database but its acknowledgement is lost: the client gets 503 with Retry-After; a
    plain retry gets its booking (200), not a 409."""
    import psycopg

    from bookings import dal
    from shared import db

    real = db.run_as_user

    def committed_then_dropped(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    _, session = publish(capacity=3)
    learner = make_user()
    monkeypatch.setattr(dal.db, "run_as_user", committed_then_dropped)
    lost = book(session["id"], learner)[1]
    problem(lost, 503)
    assert lost.headers.get("retry-after") == "2"
    monkeypatch.undo()
    retry = book(session["id"], learner)[1]
    assert retry.status == 200
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}


def test_idempotency_keys_are_per_user(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=3)
    headers = {"Idempotency-Key": "shared-by-accident"}
    book(session["id"], headers=headers)
    book(session["id"], headers=headers)
    assert statuses(admin_conn, session["id"]) == {"confirmed": 2}


def test_concurrent_retries_with_one_key_book_once(publish: Any, make_user: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=5)
    learner = make_user()
    barrier = threading.Barrier(8)

    def attempt(_: int) -> Reply:
        barrier.wait()
        return call("POST", f"/sessions/{session['id']}/bookings", learner, headers={"Idempotency-Key": "k-1"})

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(attempt, range(8)))
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}
    ok = [r for r in replies if r.status == 201]
    assert ok, [r.text for r in replies]
    assert len({r.json()["id"] for r in ok}) == 1
    assert all(r.status in (201, 409) for r in replies)


def test_concurrent_unkeyed_repeats_book_once_and_all_answer_it(publish: Any, make_user: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=5)
    learner = make_user()
    barrier = threading.Barrier(8)

    def attempt(_: int) -> Reply:
        barrier.wait()
        return call("POST", f"/sessions/{session['id']}/bookings", learner)

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(attempt, range(8)))
    assert statuses(admin_conn, session["id"]) == {"confirmed": 1}
    assert sorted(r.status for r in replies) == [200] * 7 + [201], [r.text for r in replies]
    assert len({r.json()["id"] for r in replies}) == 1


# Races -----------------------------------------------------------------------------------------------
def race(session_id: str, learners: list[Any]) -> list[Reply]:
    barrier = threading.Barrier(len(learners))

    def attempt(learner: Any) -> Reply:
        barrier.wait()
        return call("POST", f"/sessions/{session_id}/bookings", learner)

    with ThreadPoolExecutor(len(learners)) as pool:
        return list(pool.map(attempt, learners))


@pytest.mark.parametrize("round_", range(3))
def test_last_seats_go_to_exactly_capacity_of_many_racing_learners(
    round_: int, publish: Any, make_user: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=5, waitlist_enabled=False)
    learners = [make_user() for _ in range(40)]
    replies = race(session["id"], learners)
    codes = sorted(r.status for r in replies)
    assert codes.count(201) == 5, codes
    assert codes.count(409) == 35, codes
    assert seats(admin_conn, session["id"]) == (5, 5)
    assert statuses(admin_conn, session["id"]) == {"confirmed": 5}


@pytest.mark.parametrize("round_", range(3))
def test_racing_learners_beyond_capacity_queue_in_distinct_places(
    round_: int, publish: Any, make_user: Any, admin_conn: Any
) -> None:
    _, session = publish(capacity=3)
    replies = race(session["id"], [make_user() for _ in range(24)])
    assert all(r.status == 201 for r in replies), [r.text for r in replies if r.status != 201]
    by_status: dict[str, list[dict[str, Any]]] = {}
    for reply in replies:
        by_status.setdefault(reply.json()["status"], []).append(reply.json())
    assert len(by_status["confirmed"]) == 3
    assert len(by_status["waitlisted"]) == 21
    assert sorted(b["waitlist_position"] for b in by_status["waitlisted"]) == list(range(1, 22))
    assert seats(admin_conn, session["id"]) == (3, 3)


def test_the_last_paid_seat_is_held_for_exactly_one(publish: Any, make_user: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, price_amount=900, waitlist_enabled=False)
    replies = race(session["id"], [make_user() for _ in range(20)])
    assert sorted(r.status for r in replies).count(201) == 1
    assert statuses(admin_conn, session["id"]) == {"pending_payment": 1}


# Floods --------------------------------------------------------------------------------------------------
@pytest.fixture
def booking_limit(admin_conn: Any) -> Iterator[None]:
    """The booking limit lowered to 2 per 10 minutes for one test (the original restored afterwards)."""
    (original,) = admin_conn.execute(
        "select value from public.platform_settings where key = 'write_rate_limits'"
    ).fetchone()
    admin_conn.execute(
        "update public.platform_settings set value = jsonb_set(value, '{booking}', %s::jsonb)"
        " where key = 'write_rate_limits'",
        ('{"max": 2, "window_seconds": 600}',),
    )
    yield
    admin_conn.execute(
        "update public.platform_settings set value = %s where key = 'write_rate_limits'", (Jsonb(original),)
    )


def test_booking_floods_answer_429_with_retry_after_and_write_nothing(
    publish: Any, book: Any, make_user: Any, admin_conn: Any, booking_limit: None
) -> None:
    learner, other = make_user(), make_user()
    sessions = [publish(capacity=3)[1] for _ in range(4)]
    assert [book(s["id"], learner)[1].status for s in sessions[:2]] == [201, 201]
    flooded = book(sessions[2]["id"], learner)[1]
    body = problem(flooded, 429)
    assert body["type"].endswith("/rate-limited")
    assert 1 <= int(flooded.headers["retry-after"]) <= 600
    assert statuses(admin_conn, sessions[2]["id"]) == {}
    assert book(sessions[2]["id"], other)[1].status == 201, "other learners are not affected"
    # a repeat of a booking already made is not a new write
    assert book(sessions[0]["id"], learner)[1].status == 200

"""Expert admin (participants, attendance, feedback), reviews and ratings, and booking history."""

from __future__ import annotations

from typing import Any

from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, shift_session


def test_host_lists_participants_with_status_payment_and_waitlist_order(
    publish: Any, book: Any, make_user: Any
) -> None:
    host, session = publish(capacity=1)
    sid = session["id"]
    book(sid, make_user(name="Ana"))
    book(sid, make_user(name="Ben"))
    book(sid, make_user(name="Cai"))
    reply = call("GET", f"/sessions/{sid}/participants", host)
    assert reply.status == 200, reply.text
    rows = reply.json()["data"]
    assert [(r["display_name"], r["status"], r["waitlist_position"]) for r in rows] == [
        ("Ana", "confirmed", None),
        ("Ben", "waitlisted", 1),
        ("Cai", "waitlisted", 2),
    ]
    assert all(r["paid"] is False and r["attendance"] is None for r in rows)
    assert "@" not in reply.text, "no email addresses in the participant list"


def test_only_the_host_lists_participants(publish: Any, book: Any) -> None:
    _, session = publish()
    attendee, _ = book(session["id"])
    problem(call("GET", f"/sessions/{session['id']}/participants", attendee), 403)


def test_attendees_never_see_each_others_emails(publish: Any, book: Any) -> None:
    _, session = publish()
    alice, booking = book(session["id"])
    book(session["id"])
    for reply in (
        call("GET", f"/sessions/{session['id']}", alice),
        call("GET", f"/bookings/{booking.json()['id']}", alice),
        call("GET", "/me/bookings", alice),
    ):
        assert reply.status == 200
        assert "@" not in reply.text


def test_attendance_is_marked_by_the_host_once_the_session_started(publish: Any, book: Any, admin_conn: Any) -> None:
    host, session = publish()
    learner, booking = book(session["id"])
    bid = booking.json()["id"]
    problem(call("POST", f"/bookings/{bid}/attendance", host, {"attendance": "attended"}), 409)
    shift_session(admin_conn, session["id"], in_hours(-1), in_hours(1))
    problem(call("POST", f"/bookings/{bid}/attendance", learner, {"attendance": "attended"}), 404)
    problem(call("POST", f"/bookings/{bid}/attendance", host, {"attendance": "maybe"}), 422, "attendance")
    reply = call("POST", f"/bookings/{bid}/attendance", host, {"attendance": "no_show"})
    assert reply.status == 200, reply.text
    assert reply.json()["attendance"] == "no_show"


def finished_session_with_attendee(publish: Any, book: Any, admin_conn: Any, **kw: Any) -> tuple[Any, Any, str, Any]:
    host, session = publish(**kw)
    learner, booking = book(session["id"])
    shift_session(admin_conn, session["id"], in_hours(-3), in_hours(-1))
    return host, learner, booking.json()["id"], session


def test_a_confirmed_attendee_reviews_a_finished_session_once(publish: Any, book: Any, admin_conn: Any) -> None:
    host, learner, bid, _ = finished_session_with_attendee(publish, book, admin_conn)
    reply = call("POST", f"/bookings/{bid}/review", learner, {"rating": 5, "comment": "Superb"})
    assert reply.status == 201, reply.text
    assert reply.json()["rating"] == 5
    problem(call("POST", f"/bookings/{bid}/review", learner, {"rating": 4}), 409)
    rating = call("GET", f"/hosts/{host.id}/rating").json()
    assert rating == {"host_id": str(host.id), "reviews": 1, "average_rating": 5.0}


def test_reviews_are_refused_before_the_end_for_no_shows_and_for_others(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    _, session = publish()
    learner, booking = book(session["id"])
    problem(call("POST", f"/bookings/{booking.json()['id']}/review", learner, {"rating": 5}), 409)
    host, learner, bid, _ = finished_session_with_attendee(publish, book, admin_conn)
    problem(call("POST", f"/bookings/{bid}/review", make_user(), {"rating": 1}), 404)
    problem(call("POST", f"/bookings/{bid}/review", learner, {"rating": 6}), 422, "rating")
    problem(call("POST", f"/bookings/{bid}/review", learner, {"rating": 3, "extra": 1}), 422, "extra")
    assert call("POST", f"/bookings/{bid}/attendance", host, {"attendance": "no_show"}).status == 200
    problem(call("POST", f"/bookings/{bid}/review", learner, {"rating": 1}), 403)
    assert admin_conn.execute("select count(*) from public.reviews").fetchone() == (0,)


def test_host_aggregate_rating_and_feedback_summary(publish: Any, book: Any, admin_conn: Any, make_user: Any) -> None:
    host = make_user(name="Host")
    for rating in (5, 4):
        _, learner, bid, _ = finished_session_with_attendee(lambda **kw: publish(host, **kw), book, admin_conn)
        assert (
            call("POST", f"/bookings/{bid}/review", learner, {"rating": rating, "comment": f"{rating} stars"}).status
            == 201
        )
    assert call("GET", f"/hosts/{host.id}/rating").json()["average_rating"] == 4.5
    summary = call("GET", "/me/feedback", host)
    assert summary.status == 200, summary.text
    body = summary.json()
    assert (body["reviews"], body["average_rating"]) == (2, 4.5)
    assert sorted(s["average_rating"] for s in body["sessions"]) == [4.0, 5.0]
    assert {c["comment"] for c in body["recent_comments"]} == {"5 stars", "4 stars"}


def test_learner_history_splits_upcoming_and_past(publish: Any, book: Any, make_user: Any, admin_conn: Any) -> None:
    learner = make_user()
    _, soon = publish(starts_at=in_hours(5))
    _, later = publish(starts_at=in_hours(50))
    _, done = publish(starts_at=in_hours(10))
    for s in (later, soon, done):
        assert book(s["id"], learner)[1].status == 201
    shift_session(admin_conn, done["id"], in_hours(-5), in_hours(-4))
    upcoming = call("GET", "/me/bookings", learner, query={"when": "upcoming"}).json()["data"]
    past = call("GET", "/me/bookings", learner, query={"when": "past"}).json()["data"]
    assert [b["session_id"] for b in upcoming] == [soon["id"], later["id"]]
    assert [b["session_id"] for b in past] == [done["id"]]
    problem(call("GET", "/me/bookings", learner, query={"when": "someday"}), 422, "when")


def test_host_sees_their_sessions_with_counts(publish: Any, book: Any, make_user: Any) -> None:
    host = make_user()
    _, session = publish(host, capacity=1)
    book(session["id"])
    book(session["id"])
    rows = call("GET", "/me/sessions", host).json()["data"]
    assert len(rows) == 1
    assert (rows[0]["confirmed"], rows[0]["waitlisted"], rows[0]["pending_payment"]) == (1, 1, 0)

"""Every list that grows is keyset-paged by one helper: walking the pages gives every row once, in order, with a
capped page size and a null cursor on the last page; a cursor the API did not make is a 422 naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, shift_session


def walk(path: str, user: Any, *, function: str = "bookings", key: str = "data", **query: str) -> list[Any]:
    """All rows of a paged list, two at a time; checks every page on the way."""
    rows: list[Any] = []
    cursor: str | None = None
    for _ in range(50):
        params = {**query, "limit": "2", **({"cursor": cursor} if cursor else {})}
        reply = call("GET", path, user, query=params, function=function)
        assert reply.status == 200, reply.text
        body = reply.json()
        assert len(body[key]) <= 2
        rows += body[key]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("the pages never ended")


@pytest.fixture
def host_with_sessions(publish: Callable[..., Any], book: Callable[..., Any], make_user: Any) -> dict[str, Any]:
    host = make_user(name="Host")
    learner = make_user(name="Learner")
    sessions = [publish(host, starts_at=in_hours(24 + 3 * i), capacity=2)[1] for i in range(5)]
    for session in sessions:
        assert book(session["id"], learner)[1].status == 201
    return {"host": host, "learner": learner, "sessions": sessions}


def test_learner_history_pages_upcoming_and_past(host_with_sessions: dict[str, Any], admin_conn: Any) -> None:
    learner, sessions = host_with_sessions["learner"], host_with_sessions["sessions"]
    upcoming = walk("/me/bookings", learner, when="upcoming")
    assert [b["session_id"] for b in upcoming] == [s["id"] for s in sessions]  # soonest first
    for i, session in enumerate(sessions[:3]):
        shift_session(admin_conn, session["id"], in_hours(-30 + i), in_hours(-29 + i))
    past = walk("/me/bookings", learner, when="past")
    assert [b["session_id"] for b in past] == [s["id"] for s in reversed(sessions[:3])]  # latest first
    assert len(walk("/me/bookings", learner, when="upcoming")) == 2


def test_host_sessions_and_feedback_page_latest_first(host_with_sessions: dict[str, Any], admin_conn: Any) -> None:
    host, sessions = host_with_sessions["host"], host_with_sessions["sessions"]
    listed = walk("/me/sessions", host)
    assert [s["id"] for s in listed] == [s["id"] for s in reversed(sessions)]
    assert all(s["confirmed"] == 1 for s in listed)
    for i, session in enumerate(sessions):
        shift_session(admin_conn, session["id"], in_hours(-50 + i), in_hours(-49 + i))
    feedback = walk("/me/feedback", host, key="sessions")
    assert [f["session_id"] for f in feedback] == [s["id"] for s in reversed(sessions)]


def test_participants_page_in_booking_then_waitlist_order(
    publish: Callable[..., Any], book: Callable[..., Any], make_user: Any
) -> None:
    host, session = publish(capacity=2)
    learners = [make_user(name=f"Learner {i}") for i in range(5)]
    for learner in learners:
        book(session["id"], learner)
    rows = walk(f"/sessions/{session['id']}/participants", host)
    assert [r["learner_id"] for r in rows] == [str(u.id) for u in learners]
    assert [r["status"] for r in rows] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r["waitlist_position"] for r in rows[2:]] == [1, 2, 3]


def test_mentorship_requests_page_newest_first(make_user: Any, admin_conn: Any) -> None:
    mentee = make_user(name="Mentee")
    mentors = [make_user(name=f"Mentor {i}") for i in range(5)]
    for mentor in mentors:
        admin_conn.execute(
            "insert into public.mentor_profiles (user_id, accepting, capacity) values (%s, true, 3)", (mentor.id,)
        )
        reply = call("POST", "/requests", mentee, {"mentor_id": str(mentor.id)}, function="matching")
        assert reply.status == 201, reply.text
    rows = walk("/mentorships", mentee, function="matching")
    assert [r["mentor_id"] for r in rows] == [str(m.id) for m in reversed(mentors)]


@pytest.mark.parametrize(
    ("function", "path"),
    [
        ("bookings", "/me/bookings"),
        ("bookings", "/me/sessions"),
        ("bookings", "/me/feedback"),
        ("matching", "/mentorships"),
    ],
)
@pytest.mark.parametrize("cursor", ["not-ours", "W10", "WyJ4Il0", "WzEsMiwzXQ"])
def test_a_cursor_the_api_did_not_make_is_a_422(function: str, path: str, cursor: str, make_user: Any) -> None:
    problem(call("GET", path, make_user(), query={"cursor": cursor}, function=function), 422, "cursor")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "two"])
def test_page_sizes_are_capped(limit: str, make_user: Any) -> None:
    problem(call("GET", "/me/bookings", make_user(), query={"limit": limit}), 422, "limit")

"""Sessions on the expert side: create, validate, publish, update, meeting-link visibility; browse and search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg

from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, make_payable, session_body


def count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"select count(*) from public.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_a_session_cannot_be_priced_until_its_host_can_be_paid(make_user: Any, admin_conn: Any) -> None:
    host = make_user()
    problem(call("POST", "/sessions", host, session_body(price_amount=1000)), 409, "price_amount")
    free = call("POST", "/sessions", host, session_body()).json()
    problem(call("PATCH", f"/sessions/{free['id']}", host, {"price_amount": 500}), 409, "price_amount")
    admin_conn.execute(
        "insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled) values (%s, 'acct_x', false)",
        (host.id,),
    )
    problem(call("POST", "/sessions", host, session_body(price_amount=1000)), 409, "price_amount")
    admin_conn.execute("update public.payout_accounts set charges_enabled = true where host_id = %s", (host.id,))
    assert call("PATCH", f"/sessions/{free['id']}", host, {"price_amount": 500}).status == 200
    assert count(admin_conn, "sessions") == 1


def test_host_creates_a_draft_and_publishes_it(make_user: Any, admin_conn: Any) -> None:
    host = make_user(name="Grace")
    make_payable(admin_conn, host)
    created = call("POST", "/sessions", host, session_body(price_amount=2500, currency="eur"))
    assert created.status == 201, created.text
    session = created.json()
    assert session["status"] == "draft"
    assert session["host_name"] == "Grace"
    assert session["seats_left"] == 5
    assert session["price_amount"] == 2500
    assert session["timezone"] == "Europe/Paris"
    assert session["starts_at"].endswith("Z") or session["starts_at"].endswith("+00:00")
    assert call("GET", f"/sessions/{session['id']}", make_user()).status == 404, "drafts are private"
    published = call("POST", f"/sessions/{session['id']}/publish", host)
    assert published.status == 200
    assert published.json()["status"] == "published"
    assert call("GET", f"/sessions/{session['id']}").status == 200, "published sessions are public"


def test_one_on_one_defaults_to_one_seat(make_user: Any) -> None:
    body = session_body(format="one_on_one")
    del body["capacity"]
    reply = call("POST", "/sessions", make_user(), body)
    assert reply.status == 201, reply.text
    assert reply.json()["capacity"] == 1


def test_invalid_sessions_get_422_naming_the_field_and_write_nothing(
    make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    host = make_user()
    starts = in_hours(48)
    cases = [
        (session_body(ends_at=(starts - timedelta(hours=1)).isoformat(), starts_at=starts), "ends_at"),
        (session_body(capacity=0), "capacity"),
        (session_body(format="one_on_one", capacity=3), "capacity"),
        ({k: v for k, v in session_body().items() if k != "capacity"}, "capacity"),
        (session_body(timezone="Mars/Olympus"), "timezone"),
        (session_body(price_amount=-1), "price_amount"),
        (session_body(currency="EURO"), "currency"),
        (session_body(meeting_url="http://insecure.example.org"), "meeting_url"),
        (session_body(title="x"), "title"),
        (session_body(starts_at_local="nope"), "starts_at_local"),
        (
            session_body(cancellation_policy={"full_refund_until_hours": 24, "late_refund_percent": 150}),
            "cancellation_policy.late_refund_percent",
        ),
    ]
    for body, field in cases:
        problem(call("POST", "/sessions", host, body), 422, field)
    naive = session_body()
    naive["starts_at"] = "2030-01-01T10:00:00"
    problem(call("POST", "/sessions", host, naive), 422, "starts_at")
    assert count(admin_conn, "sessions") == 0


def test_publishing_a_past_session_is_refused(make_user: Any) -> None:
    host = make_user()
    created = call("POST", "/sessions", host, session_body(starts_at=in_hours(-3))).json()
    problem(call("POST", f"/sessions/{created['id']}/publish", host), 422, "starts_at")


def test_only_the_host_changes_a_session(make_user: Any, publish: Any) -> None:
    host, session = publish()
    other = make_user()
    problem(call("PATCH", f"/sessions/{session['id']}", other, {"title": "Mine now"}), 403)
    problem(call("POST", f"/sessions/{session['id']}/cancel", other), 403)
    draft = call("POST", "/sessions", host, session_body()).json()
    problem(call("PATCH", f"/sessions/{draft['id']}", other, {"title": "Mine now"}), 404)
    problem(call("POST", f"/sessions/{draft['id']}/publish", other), 404)
    updated = call("PATCH", f"/sessions/{session['id']}", host, {"title": "Property-based testing, deeper"})
    assert updated.status == 200
    assert updated.json()["title"] == "Property-based testing, deeper"


def test_update_validates_against_the_stored_session(publish: Any) -> None:
    host, session = publish()
    before_start = (in_hours(72) - timedelta(hours=5)).isoformat()
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"ends_at": before_start}), 422, "ends_at")
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"starts_at": in_hours(-1).isoformat()}), 422)
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"seats_taken": 0}), 422, "seats_taken")


def test_capacity_never_below_seats_taken(publish: Any, book: Any) -> None:
    host, session = publish(capacity=3)
    for _ in range(2):
        assert book(session["id"])[1].status == 201
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"capacity": 1}), 422, "capacity")
    assert call("PATCH", f"/sessions/{session['id']}", host, {"capacity": 2}).json()["seats_left"] == 0


def test_price_is_frozen_once_anyone_has_booked(publish: Any, book: Any) -> None:
    host, session = publish(price_amount=1000)
    assert call("PATCH", f"/sessions/{session['id']}", host, {"price_amount": 1200}).status == 200
    assert book(session["id"])[1].status == 201
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"price_amount": 900}), 409, "price_amount")
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"currency": "eur"}), 409, "price_amount")


def test_meeting_link_only_for_host_and_confirmed_attendees(publish: Any, book: Any, make_user: Any) -> None:
    _, session = publish(capacity=1)
    sid = session["id"]
    assert session["meeting_url"] == "https://meet.example.org/pbt"
    attendee, _ = book(sid)
    waitlisted, _ = book(sid)
    assert call("GET", f"/sessions/{sid}", attendee).json()["meeting_url"] == "https://meet.example.org/pbt"
    assert call("GET", f"/sessions/{sid}", waitlisted).json()["meeting_url"] is None
    assert call("GET", f"/sessions/{sid}", make_user()).json()["meeting_url"] is None
    assert call("GET", f"/sessions/{sid}").json()["meeting_url"] is None
    listed = call("GET", "/sessions", make_user()).json()["data"]
    assert all(item["meeting_url"] is None for item in listed)


def test_cancelled_session_cannot_be_changed(publish: Any) -> None:
    host, session = publish()
    assert call("POST", f"/sessions/{session['id']}/cancel", host, {"reason": "ill"}).json()["status"] == "cancelled"
    problem(call("PATCH", f"/sessions/{session['id']}", host, {"title": "Back on"}), 409)
    problem(call("POST", f"/sessions/{session['id']}/cancel", host), 409)

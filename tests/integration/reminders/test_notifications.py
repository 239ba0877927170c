"""Notifications end to end: changes write deliveries in their own transaction; the dispatcher (through its
real Lambda handler) sends confirmations with RFC 5545 invites and cancellations with the matching CANCEL
through SES v2 (moto); reminders follow offsets, windows, moves, cancellations, opt-outs and DST."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.lambda_events import LambdaContext
from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, shift_session
from tests.integration.reminders.conftest import deliveries, invite_of


def run_dispatcher() -> dict[str, int]:
    from reminders.handler import lambda_handler

    return lambda_handler({"source": "aws.scheduler", "detail-type": "Scheduled Event"}, LambdaContext())


def test_confirmation_email_carries_a_valid_invite(publish: Any, book: Any, admin_conn: Any, ses_sent: Any) -> None:
    _, session = publish(capacity=3, starts_at=in_hours(72), timezone="Europe/Paris")
    learner, booking = book(session["id"])
    result = run_dispatcher()
    assert result["sent"] == 1, result
    (message,) = ses_sent()
    assert message["To"] == learner.email
    assert message["Subject"] == f"You're booked: {session['title']}"
    assert message["Message-ID"].startswith("<delivery-")
    # SES rewrites Message-ID; our stable id rides in a header it keeps.
    (delivery_id,) = admin_conn.execute(
        "select id from public.deliveries where kind = 'booking_confirmed' and user_id = %s", (learner.id,)
    ).fetchone()
    assert message["X-SkillSwap-Delivery-ID"] == f"<delivery-{delivery_id}@skillswap.dev>"
    invite = invite_of(message)
    assert str(invite["METHOD"]) == "REQUEST"
    (vevent,) = invite.walk("VEVENT")
    assert str(vevent["UID"]) == f"booking-{booking.json()['id']}@skillswap.dev"
    starts = datetime.fromisoformat(session["starts_at"])
    assert vevent.decoded("DTSTART") == starts.replace(microsecond=0)  # RFC 5545 times have seconds
    assert vevent.decoded("DTEND") == datetime.fromisoformat(session["ends_at"]).replace(microsecond=0)
    assert str(vevent["LOCATION"]) == "https://meet.example.org/pbt"
    assert learner.email in str(vevent["ATTENDEE"])
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "https://meet.example.org/pbt" in body.get_content()
    # and its two reminders wait for their time
    reminders = deliveries(admin_conn, kind="reminder")
    assert [(r[1], r[2]) for r in reminders] == [("pending", 1440), ("pending", 60)]
    assert reminders[0][3] == starts - timedelta(hours=24)
    assert reminders[1][3] == starts - timedelta(hours=1)


def test_waitlisted_learner_gets_no_meeting_link(publish: Any, book: Any, ses_sent: Any) -> None:
    _, session = publish(capacity=1)
    book(session["id"])
    book(session["id"])
    run_dispatcher()
    waitlisted = [m for m in ses_sent() if "waitlist" in m["Subject"]]
    assert len(waitlisted) == 1
    assert invite_of(waitlisted[0]) is None
    assert "meet.example.org" not in waitlisted[0].as_string()


def test_cancellation_sends_the_matching_cancel_and_voids_reminders(
    publish: Any, book: Any, admin_conn: Any, ses_sent: Any
) -> None:
    _, session = publish(starts_at=in_hours(48))
    learner, booking = book(session["id"])
    run_dispatcher()
    assert call("POST", f"/bookings/{booking.json()['id']}/cancel", learner).status == 200
    run_dispatcher()
    confirm, cancel = ses_sent()
    assert str(invite_of(cancel)["METHOD"]) == "CANCEL"
    assert invite_of(cancel).walk("VEVENT")[0]["UID"] == invite_of(confirm).walk("VEVENT")[0]["UID"]
    assert str(invite_of(cancel).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert {r[1] for r in deliveries(admin_conn, kind="reminder")} == {"void"}


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [
        (72, [("pending", 1440, "later"), ("pending", 60, "later")]),
        (10, [("pending", 1440, "now"), ("pending", 60, "later")]),
        (0.5, [("pending", 60, "now")]),
    ],
    ids=["outside-both-windows", "inside-the-24h-window", "inside-both-windows"],
)
def test_reminders_at_offsets_and_at_once_inside_a_window(
    hours_before: float, expected: list[tuple[str, int, str]], publish: Any, book: Any, admin_conn: Any
) -> None:
    _, session = publish(starts_at=in_hours(hours_before))
    book(session["id"])
    now = datetime.now(UTC)
    rows = deliveries(admin_conn, kind="reminder")
    got = [
        (status, offset, "now" if due <= now + timedelta(seconds=5) else "later") for _, status, offset, due, _ in rows
    ]
    assert sorted(got, key=lambda r: -r[1]) == expected


def test_due_reminder_is_sent_once_and_never_after_start(
    publish: Any, book: Any, admin_conn: Any, ses_sent: Any
) -> None:
    _, soon = publish(starts_at=in_hours(0.5))
    book(soon["id"])
    _, started = publish(starts_at=in_hours(0.5))
    book(started["id"])
    shift_session(admin_conn, started["id"], in_hours(-0.1), in_hours(1))  # started meanwhile (triggers off)
    result = run_dispatcher()
    assert result["sent"] == 3, result  # two confirmations, one reminder
    assert result["void"] == 1
    assert [r[4] for r in deliveries(admin_conn, session_id=started["id"], kind="reminder")] == ["session started"]
    assert run_dispatcher()["sent"] == 0
    assert sum(1 for m in ses_sent() if m["Subject"].startswith("Reminder")) == 1


def test_moving_a_session_moves_pending_reminders_and_tells_attendees(
    publish: Any, book: Any, admin_conn: Any, ses_sent: Any
) -> None:
    host, session = publish(starts_at=in_hours(72))
    book(session["id"])
    run_dispatcher()
    new_start = (in_hours(96)).replace(microsecond=0)
    moved = call(
        "PATCH",
        f"/sessions/{session['id']}",
        host,
        {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=2)).isoformat()},
    )
    assert moved.status == 200, moved.text
    rows = deliveries(admin_conn, kind="reminder")
    assert [(r[1], r[2]) for r in rows] == [("void", 1440), ("void", 60), ("pending", 1440), ("pending", 60)]
    assert rows[2][3] == new_start - timedelta(hours=24)
    run_dispatcher()
    changed = [m for m in ses_sent() if m["Subject"].startswith("New time")]
    assert len(changed) == 1
    (vevent,) = invite_of(changed[0]).walk("VEVENT")
    assert vevent.decoded("DTSTART") == new_start


def test_opting_out_voids_pending_reminders_and_stops_new_ones(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    from shared import db

    learner = make_user()
    _, first = publish(starts_at=in_hours(72))
    book(first["id"], learner)
    with db.user_transaction(learner.claims) as conn:
        conn.execute(
            "insert into public.notification_preferences (user_id, reminders_enabled) values (%s, false)", (learner.id,)
        )
    assert {r[1] for r in deliveries(admin_conn, kind="reminder")} == {"void"}
    _, second = publish(starts_at=in_hours(72))
    book(second["id"], learner)
    assert deliveries(admin_conn, kind="reminder", session_id=second["id"]) == []


def test_opting_back_in_restores_the_reminders_of_confirmed_future_bookings(
    publish: Any, book: Any, make_user: Any, admin_conn: Any
) -> None:
    from shared import db

    learner = make_user()
    _, far = publish(starts_at=in_hours(72))
    _, near = publish(starts_at=in_hours(12))  # its 24 h reminder has passed: that one is due at once
    book(far["id"], learner)
    book(near["id"], learner)
    prefs = "insert into public.notification_preferences (user_id, reminders_enabled) values (%s, %s)"
    prefs += " on conflict (user_id) do update set reminders_enabled = excluded.reminders_enabled"
    with db.user_transaction(learner.claims) as conn:
        conn.execute(prefs, (learner.id, False))
    assert {r[1] for r in deliveries(admin_conn, kind="reminder")} == {"void"}
    with db.user_transaction(learner.claims) as conn:
        conn.execute(prefs, (learner.id, True))
    restored = deliveries(admin_conn, kind="reminder", session_id=far["id"])
    assert [(r[1], r[2]) for r in restored] == [("pending", 1440), ("pending", 60)]
    assert restored[0][3] == datetime.fromisoformat(far["starts_at"]) - timedelta(hours=24)
    at_once, hour_before = sorted(
        deliveries(admin_conn, kind="reminder", session_id=near["id"], status="pending"), key=lambda r: r[3]
    )
    assert (at_once[2], hour_before[2]) == (1440, 60)
    assert at_once[3] <= datetime.now(UTC)  # inside the 24 h window: due at once
    assert hour_before[3] == datetime.fromisoformat(near["starts_at"]) - timedelta(hours=1)


def test_reminders_across_a_daylight_saving_change(make_user: Any, admin_conn: Any, ses_sent: Any) -> None:
    """New York springs forward on 2027-03-14: 24 h before 10:00 EDT is 09:00 EST the day before."""
    from tests.integration.bookings.conftest import make_payable

    host, learner = make_user(), make_user()
    make_payable(admin_conn, host)
    body = {
        "format": "workshop",
        "title": "DST workshop",
        "capacity": 2,
        "timezone": "America/New_York",
        "starts_at": "2027-03-14T10:00:00-04:00",
        "ends_at": "2027-03-14T12:00:00-04:00",
    }
    created = call("POST", "/sessions", host, body).json()
    call("POST", f"/sessions/{created['id']}/publish", host)
    assert call("POST", f"/sessions/{created['id']}/bookings", learner).status == 201
    rows = deliveries(admin_conn, kind="reminder")
    assert rows[0][3] == datetime(2027, 3, 13, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert rows[1][3] == datetime(2027, 3, 14, 13, 0, tzinfo=UTC)  # 09:00 EDT
    run_dispatcher()
    (message,) = [m for m in ses_sent() if m["To"] == learner.email]
    (to_host,) = [m for m in ses_sent() if m["To"] == host.email]
    assert str(to_host["Subject"]).startswith("New booking:")
    (vevent,) = invite_of(message).walk("VEVENT")
    assert vevent.decoded("DTSTART") == datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Sunday 14 March 2027, 10:00 EDT" in text


def test_a_bad_address_is_dead_lettered_and_the_rest_are_sent(
    publish: Any, book: Any, make_user: Any, admin_conn: Any, ses_sent: Any
) -> None:
    _, session = publish(capacity=5)
    broken = make_user()
    admin_conn.execute("update auth.users set email = 'not an address' where id = %s", (broken.id,))
    book(session["id"], broken)
    for _ in range(3):
        book(session["id"])
    result = run_dispatcher()
    assert (result["sent"], result["dead"]) == (3, 1)
    assert len(ses_sent()) == 3
    assert deliveries(admin_conn, user_id=broken.id, kind="booking_confirmed")[0][1::3] == ("dead", "bad address")


def test_an_ses_account_refusal_parks_the_message_instead_of_dead_lettering_it(
    publish: Any, book: Any, admin_conn: Any, ses_sent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new SES account is in the sandbox: every mail to an unverified recipient is refused with MessageRejected
    "Email address is not verified…" (moto does not model the sandbox, so SES's documented answer is stubbed on
    a real boto3 client). That is the account's state, not the message's fault: the message waits with the
    reason, its attempts untouched, and goes out once the account is out of the sandbox."""
    import boto3
    from botocore.stub import Stubber

    from reminders import logic
    from reminders.transports import SesTransport

    _, session = publish(capacity=3)
    learner, _ = book(session["id"])
    sandboxed = boto3.client("sesv2", endpoint_url=os.environ["SES_ENDPOINT_URL"])
    stub = Stubber(sandboxed)
    refusal = (
        f"Email address is not verified. The following identities failed the check in region EU-WEST-1: {learner.email}"
    )
    for _ in range(3):
        stub.add_client_error("send_email", service_error_code="MessageRejected", service_message=refusal)
    stub.activate()
    monkeypatch.setattr(
        logic, "default_transport", lambda: SesTransport(client=sandboxed, sender="no-reply@skillswap.dev")
    )
    for _ in range(3):  # parked every time: never dead-lettered, attempts never spent
        admin_conn.execute(
            "update public.deliveries set due_at = now() where status = 'pending' and kind <> 'reminder'"
        )
        result = run_dispatcher()
        assert (result["parked"], result["dead"], result["sent"]) == (1, 0, 0), result
    stub.assert_no_pending_responses()
    status, attempts, due_at, error = admin_conn.execute(
        "select status::text, attempts, due_at, last_error from public.deliveries"
        " where kind = 'booking_confirmed' and user_id = %s",
        (learner.id,),
    ).fetchone()
    assert (status, attempts) == ("pending", 0)
    assert error.startswith("parked: MessageRejected")
    assert "production access" in error
    assert due_at > datetime.now(UTC) + timedelta(minutes=14)

    monkeypatch.undo()  # production access granted: the real (moto) SES takes it
    admin_conn.execute("update public.deliveries set due_at = now() where status = 'pending' and kind <> 'reminder'")
    assert run_dispatcher()["sent"] == 1
    assert [m["To"] for m in ses_sent()] == [learner.email]


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("MessageRejected", "Email address is not verified. The following identities failed the check", "parked"),
        ("SendingPausedException", "Sending is paused", "parked"),
        ("AccountSuspendedException", "suspended", "parked"),
        ("LimitExceededException", "Daily message quota exceeded", "parked"),
        ("MessageRejected", "Illegal address", "rejected"),
        ("BadRequestException", "bad", "rejected"),
        ("TooManyRequestsException", "Maximum sending rate exceeded", "unavailable"),
    ],
)
def test_ses_errors_are_told_apart_by_whose_fault_they_are(code: str, message: str, kind: str) -> None:
    from reminders.transports import MailParked, MailRejected, MailUnavailable, classify_ses_error

    expected = {"parked": MailParked, "rejected": MailRejected, "unavailable": MailUnavailable}[kind]
    assert type(classify_ses_error(code, message)) is expected


def test_a_refused_change_writes_no_notification(publish: Any, book: Any, admin_conn: Any) -> None:
    _, session = publish(capacity=1, waitlist_enabled=False)
    book(session["id"])
    before = admin_conn.execute("select count(*) from public.deliveries").fetchone()
    problem(book(session["id"])[1], 409)
    assert admin_conn.execute("select count(*) from public.deliveries").fetchone() == before

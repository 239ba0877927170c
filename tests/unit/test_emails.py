"""What each notification says (composed from its delivery row, no mail service involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reminders.emails import compose


def test_a_removed_participant_is_told_the_hosts_reason_and_the_refund() -> None:
    starts = datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    email = compose(
        {
            "kind": "booking_removed",
            "email": "learner@example.org",
            "learner_name": "Linus",
            "session_title": "Compilers",
            "host_name": "Ada",
            "timezone": "Europe/Paris",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "booking_id": "b0000000-0000-4000-8000-000000000001",
            "booking_status": "cancelled",
            "payload": {"reason": "Double booking", "refund_amount": 2000, "currency": "usd"},
        },
        mail_from="SkillSwap <no-reply@skillswap.dev>",
        app_url="https://app.skillswap.dev",
        now=starts - timedelta(days=1),
    )
    assert email.subject == "You were removed from Compilers"
    assert 'The host removed you from this session. Their reason: "Double booking".' in email.text
    assert "A refund of 20.00 USD is on its way." in email.text
    assert email.invite is not None
    assert "METHOD:CANCEL" in email.invite

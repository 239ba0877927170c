"""What each notification says (composed from its delivery row, no mail service involved)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminders.emails import TEMPLATES, compose


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


MIGRATIONS = Path(__file__).resolve().parents[2] / "supabase" / "migrations"


def _catalogue() -> dict[str, bool]:
    """The kinds the database knows (notification_kinds, as its migration inserts them) and whether each is optional."""
    sql = (MIGRATIONS / "20261130001000_notifications_for_everyone.sql").read_text()
    rows = re.findall(r"\('([a-z_]+)', '[a-z_]+', (true|false), '", sql)
    return {kind: optional == "true" for kind, optional in rows}


def test_every_kind_the_database_knows_has_its_own_text() -> None:
    kinds = _catalogue()
    assert len(kinds) >= 25
    assert set(kinds) == set(TEMPLATES)
    assert len({t.subject for t in TEMPLATES.values()}) == len(TEMPLATES), "each kind its own subject"


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_each_kind_composes_text_and_html_and_optional_ones_say_how_to_mute(kind: str) -> None:
    optional = _catalogue()[kind]
    email = compose(
        {
            "kind": kind,
            "email": "someone@example.org",
            "learner_name": "Grace <b>",
            "session_id": "5e550000-0000-4000-8000-000000000001",
            "session_title": "SQL & you",
            "seats_taken": 3,
            "capacity": 10,
            "optional": optional,
            "payload": {
                "mentor_name": "Ada",
                "mentee_name": "Linus",
                "thread_id": "7e7e0000-0000-4000-8000-000000000001",
                "thread_title": "Why <script>?",
                "replier_name": "Maya",
                "group_id": "6e0e0000-0000-4000-8000-000000000001",
                "group_name": "Rustaceans",
                "requester_name": "Ken",
                "learner_name": "Linus",
                "content_id": "c0000000-0000-4000-8000-000000000001",
            },
        },
        mail_from="SkillSwap <no-reply@skillswap.dev>",
        app_url="https://app.skillswap.dev",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert email.subject
    assert "{" not in email.subject + email.text, "every field filled"
    assert "<script>" not in email.html, "the HTML body escapes what users wrote"
    assert "<b>" not in email.html
    assert ("/settings/notifications" in email.text) == optional
    assert "https://app.skillswap.dev/" in email.text


def test_host_and_community_emails_name_who_and_what() -> None:
    base = {"email": "x@example.org", "learner_name": "Ada", "payload": {}}
    new = compose(
        {
            **base,
            "kind": "host_booking_new",
            "session_title": "Parsing",
            "seats_taken": 4,
            "capacity": 5,
            "payload": {"learner_name": "Linus"},
        },
        mail_from="no-reply@skillswap.dev",
        app_url="https://app",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert new.subject == "New booking: Linus joins Parsing"
    assert "(4 of 5 taken)" in new.text
    reply = compose(
        {
            **base,
            "kind": "forum_reply",
            "payload": {"thread_title": "Indexes", "replier_name": "Maya", "thread_id": "t1"},
        },
        mail_from="no-reply@skillswap.dev",
        app_url="https://app",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert "Maya replied to your thread" in reply.text
    assert "https://app/forums/threads/t1" in reply.text


def test_an_organizer_whose_name_has_a_colon_stays_one_name_in_the_invite() -> None:
    """The hand-written writer emitted `ORGANIZER;CN=Dr: Who:mailto:…`, which calendars split at the first colon."""
    from icalendar import Calendar

    starts = datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    email = compose(
        {
            "kind": "booking_confirmed",
            "email": "learner@example.org",
            "session_title": "Time travel; a primer, part 1",
            "host_name": "Dr: Who",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "booking_id": "b0000000-0000-4000-8000-000000000002",
            "booking_status": "confirmed",
            "meeting_url": "https://meet.example.org/tardis",
            "payload": {},
        },
        mail_from="SkillSwap <no-reply@skillswap.dev>",
        app_url="https://app.skillswap.dev",
        now=starts - timedelta(days=1),
    )
    assert email.invite is not None
    assert 'ORGANIZER;CN="Dr: Who":mailto:no-reply@skillswap.dev' in email.invite
    (event,) = Calendar.from_ical(email.invite).walk("VEVENT")
    assert str(event["organizer"].params["cn"]) == "Dr: Who"
    assert str(event["summary"]) == "Time travel; a primer, part 1"
    assert str(event["location"]) == "https://meet.example.org/tardis"
    assert event.decoded("dtstart") == starts


@pytest.mark.parametrize(
    "text",
    ["Hello", "", "Grüße, Zoë — 東京 🎉\r\nline two\n" * 40, "<p>a &amp; b</p>\n" * 300, "x" * 10_000],
)
@pytest.mark.parametrize("subtype", ["plain", "html"])
def test_a_text_part_is_what_the_standard_library_writes(text: str, subtype: str) -> None:
    from email.mime.text import MIMEText

    from reminders.emails import text_part

    assert text_part(text, subtype).as_bytes() == MIMEText(text, subtype, "utf-8").as_bytes()

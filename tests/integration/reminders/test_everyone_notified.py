"""Everyone involved hears of what concerns them, each kind with its own words, counted at the mail service (moto's
SES): hosts (new bookings, cancellations, their own reminders), mentors and mentees, forum authors, group admins;
and a member mutes an optional kind as themselves (RLS), while the kinds about money and seats cannot be muted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from infra.lambda_events import LambdaContext
from tests.factories import User
from tests.helpers import call
from tests.integration.bookings.conftest import in_hours, publish_as
from tests.integration.reminders.conftest import deliveries


def run_dispatcher() -> dict[str, int]:
    from reminders.handler import lambda_handler

    return lambda_handler({"source": "aws.scheduler", "detail-type": "Scheduled Event"}, LambdaContext())


def as_user(user: User, query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """One statement as the member, through the grants and policies a Supabase client has."""
    from shared import db

    with db.user_transaction(user.claims) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def mail_to(sent: list[Any], user: User) -> list[Any]:
    return [m for m in sent if m["To"] == user.email]


def text_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def test_hosts_hear_of_bookings_and_cancellations_and_get_their_own_reminders(
    make_user: Any, admin_conn: Any, ses_sent: Any
) -> None:
    host, learner = make_user(name="Grace"), make_user(name="Linus")
    session = publish_as(admin_conn, host, capacity=3, starts_at=in_hours(48))
    assert [row[:3] for row in deliveries(admin_conn, kind="host_reminder")] == [
        ("host_reminder", "pending", 1440),
        ("host_reminder", "pending", 60),
    ]
    booking = call("POST", f"/sessions/{session['id']}/bookings", learner).json()
    assert call("POST", f"/bookings/{booking['id']}/cancel", learner).status == 200
    run_dispatcher()
    to_host = mail_to(ses_sent(), host)
    assert [str(m["Subject"]) for m in to_host] == [
        f"New booking: Linus joins {session['title']}",
        f"Cancellation: Linus left {session['title']}",
    ]
    assert "(1 of 3 taken)" in text_of(to_host[0]) or "of 3 taken" in text_of(to_host[0])
    assert "/settings/notifications" in text_of(to_host[0]), "an optional kind says how to mute it"

    # The host moves the session: the old reminders are void at send time, fresh ones are scheduled.
    moved = call(
        "PATCH",
        f"/sessions/{session['id']}",
        host,
        {"starts_at": in_hours(30).isoformat(), "ends_at": in_hours(31).isoformat()},
    )
    assert moved.status == 200, moved.text
    fresh = admin_conn.execute(
        "select count(*) from public.deliveries where kind = 'host_reminder' and for_starts_at = %s",
        (moved.json()["starts_at"],),
    ).fetchone()
    assert fresh == (2,)
    admin_conn.execute("update public.deliveries set due_at = now() where kind = 'host_reminder'")
    result = run_dispatcher()
    assert result["void"] == 2, "the reminders of the old start are void"
    reminders = [m for m in mail_to(ses_sent(), host) if str(m["Subject"]).startswith("You host")]
    assert len(reminders) == 2
    assert "0 of 3 seats are taken" in text_of(reminders[0])


def test_a_host_who_mutes_new_bookings_as_themselves_hears_nothing_of_them(
    make_user: Any, admin_conn: Any, ses_sent: Any
) -> None:
    host, learner = make_user(), make_user()
    as_user(host, "insert into public.notification_mutes (kind) values ('host_booking_new')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_user(host, "insert into public.notification_mutes (kind) values ('refund_succeeded')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_user(host, "insert into public.notification_mutes (user_id, kind) values (%s, 'reminder')", (learner.id,))
    kinds = as_user(host, "select kind from public.notification_kinds where optional order by kind")
    assert {"host_booking_new", "forum_reply", "reminder"} <= {k["kind"] for k in kinds}
    session = publish_as(admin_conn, host, capacity=2, starts_at=in_hours(48))
    assert call("POST", f"/sessions/{session['id']}/bookings", learner).status == 201
    assert deliveries(admin_conn, kind="host_booking_new") == []
    # Muting later stops what is already queued: the host's reminders are void when their time comes.
    as_user(host, "insert into public.notification_mutes (kind) values ('host_reminder')")
    admin_conn.execute("update public.deliveries set due_at = now() where kind = 'host_reminder'")
    run_dispatcher()
    assert mail_to(ses_sent(), host) == []
    assert {row[1] for row in deliveries(admin_conn, kind="host_reminder")} == {"void"}
    as_user(host, "delete from public.notification_mutes where kind = 'host_reminder'")
    assert as_user(host, "select kind from public.notification_mutes") == [{"kind": "host_booking_new"}]


def test_mentors_and_mentees_hear_of_requests_answers_and_expiry(
    make_user: Any, admin_conn: Any, ses_sent: Any
) -> None:
    mentor, mentee, other = make_user(name="Ada"), make_user(name="Maya"), make_user(name="Ken")
    for user in (mentor, other):
        admin_conn.execute(
            "insert into public.mentor_profiles (user_id, capacity, timezone) values (%s, 2, 'UTC')", (user.id,)
        )
    (first,) = as_user(
        mentee,
        "select id from public.request_mentorship(%s, 'I want to learn SQL', %s)",
        (mentor.id, timedelta(days=7)),
    )
    as_user(mentor, "select public.respond_mentorship(%s, true)", (first["id"],))
    (second,) = as_user(mentee, "select id from public.request_mentorship(%s, '', %s)", (other.id, timedelta(days=7)))
    admin_conn.execute(
        "update public.mentorships set expires_at = now() - interval '1 minute' where id = %s", (second["id"],)
    )
    admin_conn.execute("select public.expire_mentorship_requests()")
    run_dispatcher()
    (asked,) = mail_to(ses_sent(), mentor)
    assert str(asked["Subject"]) == "Maya asks you to be their mentor"
    assert 'Their message: "I want to learn SQL"' in text_of(asked)
    subjects = [str(m["Subject"]) for m in mail_to(ses_sent(), mentee)]
    assert subjects == ["Ada accepted your mentorship request", "Your mentorship request to Ken expired"]
    assert "booking" not in " ".join(text_of(m) for m in mail_to(ses_sent(), mentee)).lower()


def test_forum_authors_and_group_admins_hear_what_concerns_them(make_user: Any, admin_conn: Any, ses_sent: Any) -> None:
    asker, helper, owner, joiner = (make_user(name=n) for n in ("Asker", "Helper", "Owner", "Joiner"))
    (category,) = admin_conn.execute(
        "insert into public.forum_categories (slug, name) values ('sql', 'SQL') returning id"
    ).fetchall()
    (thread,) = as_user(
        asker,
        "insert into public.forum_threads (category_id, title, body) values (%s, %s, 'How?') returning id",
        (category[0], "Why is my <index> unused?"),
    )
    (reply,) = as_user(
        helper,
        "insert into public.forum_replies (thread_id, body) values (%s, 'Analyze it') returning id",
        (thread["id"],),
    )
    as_user(asker, "insert into public.forum_replies (thread_id, body) values (%s, 'Thanks')", (thread["id"],))
    as_user(asker, "select public.accept_answer(%s, %s)", (thread["id"], reply["id"]))
    (group,) = as_user(
        owner, "insert into public.groups (name, visibility) values ('Query planners', 'private') returning id"
    )
    as_user(joiner, "select public.join_group(%s)", (group["id"],))
    run_dispatcher()
    (replied,) = mail_to(ses_sent(), asker)  # not for their own reply
    assert str(replied["Subject"]) == "New reply to \u201cWhy is my <index> unused?\u201d"
    assert f"/forums/threads/{thread['id']}" in text_of(replied)
    assert "&lt;index&gt;" in str(replied.get_body(preferencelist=("html",)).get_content())
    (accepted,) = mail_to(ses_sent(), helper)
    assert str(accepted["Subject"]) == "Your answer was accepted"
    (join,) = mail_to(ses_sent(), owner)
    assert str(join["Subject"]) == "Joiner asks to join Query planners"
    assert mail_to(ses_sent(), joiner) == []

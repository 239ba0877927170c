"""A mentorship in use, through the real handlers: the mentor opens a 1:1 reserved for their mentee (only the mentee
sees and books it; the meeting link follows the usual rules), the pair talks in their private thread; and session
suggestions from a learner's goals (the same goals matching reads), ranked and explained."""

from __future__ import annotations

from typing import Any

from tests.factories import User
from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours, session_body


def mentorship(admin_conn: Any, mentor: User, mentee: User) -> str:
    admin_conn.execute(
        "insert into public.mentor_profiles (user_id, capacity, timezone) values (%s, 3, 'UTC') on conflict do nothing",
        (mentor.id,),
    )
    request = call("POST", "/requests", mentee, {"mentor_id": str(mentor.id), "message": "Hi"}, function="matching")
    assert request.status == 201, request.text
    accepted = call("POST", f"/requests/{request.json()['id']}/accept", mentor, function="matching")
    assert accepted.status == 200, accepted.text
    return str(request.json()["id"])


def test_a_mentor_reserves_a_one_on_one_only_their_mentee_sees_and_books(make_user: Any, admin_conn: Any) -> None:
    mentor, mentee, stranger = make_user(name="Ada"), make_user(name="Maya"), make_user()
    body = session_body(
        format="one_on_one", capacity=None, reserved_for=str(mentee.id), meeting_url="https://meet.example.org/ada-maya"
    )
    problem(call("POST", "/sessions", mentor, body), 409, "reserved_for")  # no mentorship yet
    thread = mentorship(admin_conn, mentor, mentee)
    created = call("POST", "/sessions", mentor, body)
    assert created.status == 201, created.text
    session_id = created.json()["id"]
    assert created.json()["reserved_for"] == str(mentee.id)
    assert call("POST", f"/sessions/{session_id}/publish", mentor).status == 200

    assert session_id not in [s["id"] for s in call("GET", "/sessions").json()["data"]]
    assert session_id not in [s["id"] for s in call("GET", "/sessions", stranger).json()["data"]]
    problem(call("GET", f"/sessions/{session_id}", stranger), 404)
    problem(call("POST", f"/sessions/{session_id}/bookings", stranger), 404)
    assert session_id in [s["id"] for s in call("GET", "/sessions", mentee).json()["data"]]
    booked = call("POST", f"/sessions/{session_id}/bookings", mentee)
    assert booked.status == 201, booked.text
    assert booked.json()["status"] == "confirmed"
    seen = call("GET", f"/sessions/{session_id}", mentee).json()
    assert seen["meeting_url"] == "https://meet.example.org/ada-maya", "the confirmed mentee gets the link"

    # The pair's thread, written as themselves (supabase-js in the web client; RLS decides).
    from shared import db

    with db.user_transaction(mentee.claims) as conn:
        conn.execute("insert into public.mentorship_messages (mentorship_id, body) values (%s, 'See you!')", (thread,))
    with db.user_transaction(mentor.claims) as conn:
        rows = conn.execute("select body from public.mentorship_messages where mentorship_id = %s", (thread,))
        assert [r["body"] for r in rows.fetchall()] == ["See you!"]
    with db.user_transaction(stranger.claims) as conn:
        assert conn.execute("select body from public.mentorship_messages").fetchall() == []


def test_suggestions_follow_the_learners_goals_and_say_why(make_user: Any, admin_conn: Any) -> None:
    learner, host = make_user(name="Linus"), make_user(name="Grace")
    skills = {
        slug: admin_conn.execute(
            "insert into public.skills (slug, name, category) values (%s, %s, 'Test') returning id",
            (slug, slug.upper()),
        ).fetchone()[0]
        for slug in ("sql", "rust", "python")
    }
    # A goal set for matching (mentee_goals) is the learner's goal: suggestions read the same row.
    admin_conn.execute("insert into public.mentee_profiles (user_id) values (%s)", (learner.id,))
    admin_conn.execute("insert into public.mentee_goals values (%s, %s, 1, 5)", (learner.id, skills["sql"]))
    admin_conn.execute(
        "insert into public.profile_skills (profile_id, skill_id, relation, level) values (%s, %s, 'learns', 1)",
        (learner.id, skills["rust"]),
    )
    ids = {}
    for title, skill, hours in (("SQL deep dive", "sql", 30), ("Rust basics", "rust", 50), ("Python", "python", 20)):
        created = call(
            "POST",
            "/sessions",
            host,
            session_body(
                title=title,
                skill_ids=[skills[skill]],
                starts_at=in_hours(hours),
            ),
        )
        assert created.status == 201, created.text
        assert call("POST", f"/sessions/{created.json()['id']}/publish", host).status == 200
        ids[title] = created.json()["id"]
    reply = call("GET", "/me/suggestions", learner)
    assert reply.status == 200, reply.text
    data = reply.json()["data"]
    assert [s["title"] for s in data] == ["SQL deep dive", "Rust basics"], "goals first; unrelated skills never"
    top = data[0]
    assert top["goals"] == [
        {"skill_id": skills["sql"], "skill": top["goals"][0]["skill"], "current_level": 1, "target_level": 5}
    ]
    assert top["reasons"][0].startswith("works toward your goal in")
    weights = {"goals": 0.5, "learning": 0.15, "rating": 0.15, "soon": 0.1, "seats": 0.1}
    assert abs(top["score"] - sum(weights[k] * v for k, v in top["components"].items())) < 1e-3
    assert "which you are learning" in " ".join(data[1]["reasons"])
    # Once booked, a session is no longer suggested.
    assert call("POST", f"/sessions/{ids['SQL deep dive']}/bookings", learner).status == 201
    assert [s["title"] for s in call("GET", "/me/suggestions", learner).json()["data"]] == ["Rust basics"]
    problem(call("GET", "/me/suggestions"), 401)
    assert call("GET", "/me/suggestions", make_user()).json() == {"data": []}

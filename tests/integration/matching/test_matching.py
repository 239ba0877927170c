"""Matching through the real handler against Postgres: explained recommendations, requests with capacity kept
atomically, expiry by the sweep, and cohort runs proposed and confirmed by an admin."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from infra.lambda_events import LambdaContext, Reply
from tests import helpers
from tests.factories import User


def call(
    method: str, path: str, user: User | None = None, body: Any = None, query: dict[str, str] | None = None
) -> Reply:
    return helpers.call(method, path, user, body, query=query, function="matching")


@pytest.fixture
def skills(admin_conn: psycopg.Connection[Any]) -> dict[str, int]:
    admin_conn.execute(
        "insert into public.skills (slug, name, category) values ('python', 'Python', 'Tech'),"
        " ('sql', 'SQL', 'Tech'), ('rust', 'Rust', 'Tech')"
    )
    return {r[0]: r[1] for r in admin_conn.execute("select slug, id from public.skills").fetchall()}


@pytest.fixture
def make_mentor(make_user: Any, admin_conn: psycopg.Connection[Any], skills: dict[str, int]) -> Callable[..., User]:
    def _make(
        name: str,
        levels: dict[str, int],
        *,
        capacity: int = 2,
        accepting: bool = True,
        languages: list[str] | None = None,
        tz: str = "UTC",
        windows: list[tuple[int, int, int]] | None = None,
    ) -> User:
        user = make_user(name=name)
        admin_conn.execute(
            "insert into public.mentor_profiles (user_id, capacity, accepting, languages, timezone)"
            " values (%s, %s, %s, %s, %s)",
            (user.id, capacity, accepting, languages or ["en"], tz),
        )
        for slug, level in levels.items():
            admin_conn.execute("insert into public.mentor_skills values (%s, %s, %s)", (user.id, skills[slug], level))
        for day, start, end in windows if windows is not None else [(0, 540, 720)]:
            admin_conn.execute(
                "insert into public.availability_windows (user_id, weekday, start_minute, end_minute)"
                " values (%s, %s, %s, %s)",
                (user.id, day, start, end),
            )
        return user

    return _make


@pytest.fixture
def mentee(make_user: Any, admin_conn: psycopg.Connection[Any], skills: dict[str, int]) -> User:
    user = make_user(name="Mia Mentee")
    admin_conn.execute(
        "insert into public.mentee_profiles (user_id, languages, timezone) values (%s, '{en}', 'UTC')", (user.id,)
    )
    admin_conn.execute(
        "insert into public.mentee_goals values (%s, %s, 1, 4), (%s, %s, 0, 2)",
        (user.id, skills["python"], user.id, skills["sql"]),
    )
    admin_conn.execute(
        "insert into public.availability_windows (user_id, weekday, start_minute, end_minute) values (%s, 0, 600, 780)",
        (user.id,),
    )
    return user


def test_recommendations_are_ranked_and_explained(make_mentor: Any, mentee: User) -> None:
    strong = make_mentor("Strong", {"python": 5, "sql": 3})
    partial = make_mentor("Partial", {"python": 3})
    make_mentor("Full", {"python": 5, "sql": 5}, capacity=1)
    make_mentor("Closed", {"python": 5, "sql": 5}, accepting=False)
    make_mentor("Unrelated", {"rust": 5})
    reply = call("GET", "/recommendations", mentee, query={"k": "5"})
    assert reply.status == 200, reply.text
    data = reply.json()["data"]
    names = [r["display_name"] for r in data]
    assert names[0] in {"Strong", "Full"}
    assert "Closed" not in names
    assert "Unrelated" not in names
    top = next(r for r in data if r["mentor_id"] == str(strong.id))
    assert top["components"]["skills"] == 1.0
    assert top["availability_overlap_hours"] == 2.0  # 10:00-12:00 UTC on Mondays
    assert top["shared_languages"] == ["en"]
    assert {s["gap_covered"] for s in top["skills"]} == {1.0}
    weaker = next(r for r in data if r["mentor_id"] == str(partial.id))
    assert weaker["score"] < top["score"]


def test_mentors_at_capacity_are_never_recommended(make_mentor: Any, mentee: User, make_user: Any) -> None:
    full = make_mentor("Full", {"python": 5, "sql": 5}, capacity=1)
    other = make_user()
    call("POST", "/requests", other, {"mentor_id": str(full.id)})
    request = call("GET", "/mentorships", full).json()["data"][0]
    assert call("POST", f"/requests/{request['id']}/accept", full).status == 200
    names = [r["display_name"] for r in call("GET", "/recommendations", mentee).json()["data"]]
    assert "Full" not in names


def test_recommendations_need_a_profile_and_goals(make_user: Any, admin_conn: Any) -> None:
    nobody = make_user()
    assert call("GET", "/recommendations", nobody).status == 404
    admin_conn.execute("insert into public.mentee_profiles (user_id) values (%s)", (nobody.id,))
    reply = call("GET", "/recommendations", nobody)
    assert reply.status == 422
    assert reply.json()["errors"][0]["field"] == "goals"
    assert call("GET", "/recommendations", nobody, query={"k": "500"}).status == 422


def test_request_accept_end_frees_the_place(make_mentor: Any, mentee: User, admin_conn: Any) -> None:
    mentor = make_mentor("Mentor", {"python": 5}, capacity=1)
    requested = call("POST", "/requests", mentee, {"mentor_id": str(mentor.id), "message": "Hi!"})
    assert requested.status == 201, requested.text
    assert requested.json()["status"] == "requested"
    assert call("POST", "/requests", mentee, {"mentor_id": str(mentor.id)}).status == 409
    assert call("POST", f"/requests/{requested.json()['id']}/accept", mentee).status == 404, "only the mentor answers"
    accepted = call("POST", f"/requests/{requested.json()['id']}/accept", mentor)
    assert accepted.json()["status"] == "active"
    assert [m["status"] for m in call("GET", "/mentorships", mentee).json()["data"]] == ["active"]
    assert [m["mentee_name"] for m in call("GET", "/mentorships", mentor).json()["data"]] == ["Mia Mentee"]
    ended = call("POST", f"/mentorships/{requested.json()['id']}/end", mentee)
    assert ended.json()["status"] == "ended"
    row = admin_conn.execute("select active_mentees from public.mentor_profiles where user_id = %s", (mentor.id,))
    assert row.fetchone() == (0,)
    kinds = [r[0] for r in admin_conn.execute("select kind from public.outbox_events order by id").fetchall()]
    assert kinds == ["mentorship_requested", "mentorship_accepted"]


def test_acceptance_never_exceeds_capacity_even_when_racing(make_mentor: Any, make_user: Any, admin_conn: Any) -> None:
    mentor = make_mentor("Popular", {"python": 5}, capacity=3)
    requests = []
    for _ in range(8):
        reply = call("POST", "/requests", make_user(), {"mentor_id": str(mentor.id)})
        assert reply.status == 201
        requests.append(reply.json()["id"])
    barrier = threading.Barrier(8)

    def accept(request_id: str) -> int:
        barrier.wait()
        return call("POST", f"/requests/{request_id}/accept", mentor).status

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(accept, requests))
    assert codes == [200] * 3 + [409] * 5
    row = admin_conn.execute(
        "select active_mentees, capacity from public.mentor_profiles where user_id = %s", (mentor.id,)
    ).fetchone()
    assert row == (3, 3)


def test_declines_self_requests_and_unknown_mentors(make_mentor: Any, mentee: User, admin_conn: Any) -> None:
    mentor = make_mentor("Mentor", {"python": 5})
    request = call("POST", "/requests", mentee, {"mentor_id": str(mentor.id)}).json()
    assert call("POST", f"/requests/{request['id']}/decline", mentor).json()["status"] == "declined"
    assert call("POST", "/requests", mentor, {"mentor_id": str(mentor.id)}).status == 422
    assert call("POST", "/requests", mentee, {"mentor_id": "00000000-0000-4000-8000-000000000000"}).status == 404
    assert call("POST", "/requests", mentee, {"mentor_id": "nope"}).status == 422


def test_unanswered_requests_expire_through_the_sweep(make_mentor: Any, mentee: User, admin_conn: Any) -> None:
    from matching.jobs import expire_requests_handler

    mentor = make_mentor("Slow", {"python": 5})
    request = call("POST", "/requests", mentee, {"mentor_id": str(mentor.id)}).json()
    assert expire_requests_handler({"source": "aws.scheduler"}, LambdaContext()) == {
        "expired_requests": 0,
        "stale_cohort_runs": 0,
        "stale_weeks": 0,
    }
    admin_conn.execute(
        "update public.mentorships set expires_at = now() - interval '1 minute' where id = %s", (request["id"],)
    )
    assert expire_requests_handler({"source": "aws.scheduler"}, LambdaContext()) == {
        "expired_requests": 1,
        "stale_cohort_runs": 0,
        "stale_weeks": 0,
    }
    assert call("POST", f"/requests/{request['id']}/accept", mentor).status == 409


def test_cohort_run_is_proposed_exactly_and_confirmed_by_an_admin(
    make_mentor: Any, make_user: Any, admin_conn: Any, skills: dict[str, int]
) -> None:
    admin = make_user(app_role="admin")
    a = make_mentor("A", {"python": 5}, capacity=1)
    b = make_mentor("B", {"sql": 4}, capacity=1)
    mentees = []
    for goals in ({"python": (1, 4)}, {"python": (2, 5), "sql": (0, 2)}, {"rust": (0, 3)}):
        user = make_user()
        admin_conn.execute("insert into public.mentee_profiles (user_id) values (%s)", (user.id,))
        for slug, (cur, tgt) in goals.items():
            admin_conn.execute(
                "insert into public.mentee_goals values (%s, %s, %s, %s)", (user.id, skills[slug], cur, tgt)
            )
        mentees.append(user)
    program = admin_conn.execute("insert into public.programs (name) values ('Spring cohort') returning id").fetchone()[
        0
    ]
    for user, role in [(a, "mentor"), (b, "mentor"), *[(m, "mentee") for m in mentees]]:
        admin_conn.execute("insert into public.program_members values (%s, %s, %s)", (program, user.id, role))

    assert call("POST", f"/programs/{program}/cohort-runs", mentees[0]).status == 403
    run = call("POST", f"/programs/{program}/cohort-runs", admin)
    assert run.status == 202, run.text
    body = run.json()
    assert body["status"] == "proposed"  # no cohort function configured: solved in the request
    assert len(body["matches"]) == 2
    assert {m["mentor_id"] for m in body["matches"]} == {str(a.id), str(b.id)}
    (unmatched,) = body["unmatched"]
    assert unmatched["mentee_id"] == str(mentees[2].id)
    assert "covers any of their goals" in unmatched["reason"]
    assert (body["match_count"], body["unmatched_count"], body["matches_next_cursor"]) == (2, 1, None)

    # The results are keyset-paged: best score first, each match once.
    first = call("GET", f"/cohort-runs/{body['id']}/matches", admin, query={"limit": "1"}).json()
    assert first["next_cursor"] is not None
    second = call(
        "GET", f"/cohort-runs/{body['id']}/matches", admin, query={"limit": "1", "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    assert [m["score"] for m in first["data"] + second["data"]] == sorted(
        (m["score"] for m in body["matches"]), reverse=True
    )
    assert {m["mentee_id"] for m in first["data"] + second["data"]} == {m["mentee_id"] for m in body["matches"]}
    unmatched_page = call("GET", f"/cohort-runs/{body['id']}/unmatched", admin).json()
    assert [u["mentee_id"] for u in unmatched_page["data"]] == [str(mentees[2].id)]
    assert call("GET", f"/cohort-runs/{body['id']}/matches", mentees[0]).status == 403

    confirmed = call("POST", f"/cohort-runs/{body['id']}/confirm", admin)
    assert confirmed.json() == {"run_id": body["id"], "mentorships_created": 2}
    assert call("POST", f"/cohort-runs/{body['id']}/confirm", admin).status == 409
    rows = admin_conn.execute("select status::text, count(*) from public.mentorships group by 1").fetchall()
    assert rows == [("active", 2)]


@pytest.fixture
def cohort_program(
    make_mentor: Any, make_user: Any, admin_conn: psycopg.Connection[Any], skills: dict[str, int]
) -> str:
    """A program with one mentor (one place) and two mentees who both want that mentor's skill."""
    mentor = make_mentor("Solo", {"python": 5}, capacity=1)
    row = admin_conn.execute("insert into public.programs (name) values ('Queue cohort') returning id").fetchone()
    assert row is not None
    program = str(row[0])
    admin_conn.execute("insert into public.program_members values (%s, %s, 'mentor')", (program, mentor.id))
    for _ in range(2):
        user = make_user()
        admin_conn.execute("insert into public.mentee_profiles (user_id) values (%s)", (user.id,))
        admin_conn.execute("insert into public.mentee_goals values (%s, %s, 1, 3)", (user.id, skills["python"]))
        admin_conn.execute("insert into public.program_members values (%s, %s, 'mentee')", (program, user.id))
    return program


class FakeLambda:
    """Stands in for boto3's Lambda client: records asynchronous invocations, or fails like the service."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        if self.fail:
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, "Invoke")
        self.calls.append(kwargs)
        return {"StatusCode": 202}


def test_with_a_cohort_function_the_run_is_queued_and_solved_once_by_the_job(
    cohort_program: str, make_user: Any, admin_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import boto3

    from matching.jobs import cohort_handler
    from shared.settings import get_settings

    fake = FakeLambda()
    monkeypatch.setattr(boto3, "client", lambda service, **_: fake if service == "lambda" else None)
    monkeypatch.setenv("COHORT_FUNCTION_NAME", "skillswap-cohort")
    get_settings.cache_clear()
    admin = make_user(app_role="admin")
    try:
        reply = call("POST", f"/programs/{cohort_program}/cohort-runs", admin)
    finally:
        monkeypatch.delenv("COHORT_FUNCTION_NAME")
        get_settings.cache_clear()
    assert reply.status == 202, reply.text
    queued = reply.json()
    assert (queued["status"], queued["matches"], queued["total_score"]) == ("queued", [], None)
    (invocation,) = fake.calls
    assert invocation["FunctionName"] == "skillswap-cohort"
    assert invocation["InvocationType"] == "Event"
    event = json.loads(invocation["Payload"])
    assert event["run_id"] == queued["id"]

    assert cohort_handler(event, LambdaContext()) == {"run_id": queued["id"], "status": "proposed"}
    assert cohort_handler(event, LambdaContext()) == {"run_id": queued["id"], "status": "skipped"}  # redelivery
    solved = call("GET", f"/cohort-runs/{queued['id']}", admin).json()
    assert solved["status"] == "proposed"
    assert len(solved["matches"]) == 1
    assert len(solved["unmatched"]) == 1
    assert "places ran out" in solved["unmatched"][0]["reason"]
    count = admin_conn.execute("select count(*) from public.proposed_matches where run_id = %s", (queued["id"],))
    assert count.fetchone() == (1,)


def test_a_cohort_function_that_cannot_be_started_is_a_502_and_a_failed_run(
    cohort_program: str, make_user: Any, admin_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from shared.settings import get_settings

    monkeypatch.setattr(boto3, "client", lambda service, **_: FakeLambda(fail=True))
    monkeypatch.setenv("COHORT_FUNCTION_NAME", "skillswap-cohort")
    get_settings.cache_clear()
    try:
        reply = call("POST", f"/programs/{cohort_program}/cohort-runs", make_user(app_role="admin"))
    finally:
        monkeypatch.delenv("COHORT_FUNCTION_NAME")
        get_settings.cache_clear()
    assert reply.status == 502
    assert reply.headers["content-type"].startswith("application/problem+json")
    row = admin_conn.execute("select status, error from public.cohort_runs where program_id = %s", (cohort_program,))
    found = row.fetchone()
    assert found is not None
    assert found[0] == "failed"
    assert found[1].startswith("could not start the cohort function: An error occurred (TooManyRequestsException)")


def test_a_solver_failure_marks_the_run_failed_with_the_reason(
    cohort_program: str, make_user: Any, admin_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matching.cohort
    from matching.jobs import cohort_handler

    def broken(*_: Any) -> Any:
        raise MemoryError("graph too large")

    monkeypatch.setattr(matching.cohort, "solve_exact", broken)
    admin = make_user(app_role="admin")
    with pytest.raises(MemoryError):
        cohort_handler({"program_id": cohort_program, "requested_by": str(admin.id)}, LambdaContext())
    row = admin_conn.execute(
        "select id, status, error from public.cohort_runs where program_id = %s", (cohort_program,)
    )
    found = row.fetchone()
    assert found is not None
    run_id, status, error = found
    assert (status, error) == ("failed", "MemoryError: graph too large")
    assert call("POST", f"/cohort-runs/{run_id}/confirm", admin).status == 409
    assert call("POST", "/programs/00000000-0000-4000-8000-000000000000/cohort-runs", admin).status == 404


def test_the_hourly_sweep_fails_cohort_runs_whose_job_died(
    cohort_program: str, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    from matching.jobs import expire_requests_handler

    admin = make_user(app_role="admin")
    runs = {}
    for status, age in (
        ("running", "21 minutes"),
        ("running", "5 minutes"),
        ("queued", "8 hours"),
        ("queued", "1 hour"),
    ):
        row = admin_conn.execute(
            "insert into public.cohort_runs (program_id, status, created_by, created_at)"
            " values (%s, %s, %s, now() - %s::interval) returning id",
            (cohort_program, status, admin.id, age),
        ).fetchone()
        assert row is not None
        runs[(status, age)] = str(row[0])
    assert expire_requests_handler({"source": "aws.scheduler"}, LambdaContext()) == {
        "expired_requests": 0,
        "stale_cohort_runs": 2,
        "stale_weeks": 0,
    }
    seen = {key: call("GET", f"/cohort-runs/{run_id}", admin).json() for key, run_id in runs.items()}
    assert seen["running", "21 minutes"]["status"] == "failed"
    assert "timed out" in seen["running", "21 minutes"]["error"]
    assert seen["queued", "8 hours"]["status"] == "failed"
    assert seen["running", "5 minutes"]["status"] == "running"
    assert seen["queued", "1 hour"]["status"] == "queued"


def test_the_ranking_function_ranks_for_its_caller_only(make_mentor: Any, mentee: User, make_user: Any) -> None:
    """public.mentor_candidates can be called through the Data API by anyone signed in: it takes no mentee to rank
    for (it ranks for auth.uid()), and whatever pool it is asked for it returns between 1 and 1,000 mentors."""
    from shared import db

    make_mentor("Berlin", {"python": 4, "sql": 2}, tz="Europe/Berlin", windows=[(0, 600, 720)])
    make_mentor("Utc", {"python": 2}, capacity=4)
    ranked = "select candidate_id from public.mentor_candidates(%s)"
    with db.user_transaction(mentee.claims) as conn:
        counts = [len(conn.execute(ranked, (pool,)).fetchall()) for pool in (None, -5, 0, 1, 2**31 - 1)]
    assert counts == [1, 1, 1, 1, 2]
    stranger = make_user(name="Sam Stranger")  # no mentee profile, no goals: nothing to rank for
    with db.user_transaction(stranger.claims) as conn:
        assert conn.execute(ranked, (50,)).fetchall() == []


def sql_and_python_scores(mentee: User) -> dict[str, tuple[float, float]]:
    """Each candidate of the SQL ranking for the mentee: (its SQL score, the pure scoring's score for this week)."""
    from datetime import UTC, datetime

    from matching.dal import MatchingRepo
    from matching.scoring import score
    from shared import db

    today = datetime.now(UTC).date()
    with db.user_transaction(mentee.claims) as conn:
        repo = MatchingRepo(conn)
        me = repo.mentee(mentee.id, today)
        assert me is not None
        candidates = dict(repo.candidates(50))
        mentors = {m.id: m for m in repo.mentors(list(candidates), today)}
    out = {}
    for mentor_id, sql_score in candidates.items():
        scored = score(mentors[str(mentor_id)], me)
        assert scored is not None
        out[str(mentor_id)] = (sql_score, scored.score)
    return out


def test_sql_ranking_agrees_with_the_python_scoring(make_mentor: Any, mentee: User) -> None:
    """SQL preselects by the same weights the pure scoring uses; their scores agree for every candidate."""
    make_mentor("Berlin", {"python": 4, "sql": 2}, tz="Europe/Berlin", windows=[(0, 600, 720), (2, 60, 180)])
    make_mentor("Delhi", {"sql": 5}, tz="Asia/Kolkata", languages=["hi"], windows=[(6, 1380, 1440)])
    make_mentor("Utc", {"python": 2}, capacity=4)
    scores = sql_and_python_scores(mentee)
    assert len(scores) == 3
    for mentor_id, (sql_score, python_score) in scores.items():
        assert abs(python_score - sql_score) < 1e-6, mentor_id


def test_the_sweep_brings_weeks_stored_before_a_clock_change_to_this_weeks(
    make_mentor: Any, make_user: Any, mentee: User, admin_conn: psycopg.Connection[Any]
) -> None:
    """A stored week is computed for the week of the write that made it; when the clocks have changed since, the
    hourly sweep recomputes it (and the mentor's search rows), so the SQL ranking scores with the week Python
    re-scores and explains with. Weeks whose zone kept its offsets are left as they are."""
    from datetime import UTC, date, datetime, timedelta

    from matching import sweep
    from matching.jobs import expire_requests_handler
    from matching.scoring import Window, to_utc_week

    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    # New York: 07:00-09:00 on Mondays is 12:00-14:00 UTC in winter and 11:00-13:00 in summer, against the
    # mentee's 10:00-13:00 UTC: an hour's overlap or two.
    new_york = make_mentor("Nora", {"python": 5, "sql": 2}, tz="America/New_York", windows=[(0, 420, 540)])
    other = make_mentor("Otto", {"python": 4}, tz="America/New_York", windows=[(0, 480, 600)])
    delhi = make_mentor("Dev", {"python": 5}, tz="Asia/Kolkata", windows=[(0, 900, 1020)])

    def one(query: str, params: tuple[Any, ...]) -> Any:
        row = admin_conn.execute(query, params).fetchone()
        assert row is not None
        return row[0]

    # A Monday (January's or July's) on which Nora's window falls at another UTC hour than this week, as if the
    # profiles were written then (this week may hold a clock change: then its Monday has the offsets of one of them).
    nora = [Window(0, 420, 540)]
    before = next(
        d
        for d in (date(2026, 1, 5), date(2026, 7, 6))
        if to_utc_week(nora, "America/New_York", d) != to_utc_week(nora, "America/New_York", today)
    )
    admin_conn.execute(
        "update public.mentor_profiles set week_of = %s, week_utc = public.utc_week_at(user_id, timezone, %s)"
        " where user_id = any(%s)",
        (before, before, [new_york.id, other.id, delhi.id]),
    )
    learner = make_user(name="Lee")  # a mentee's stored week too, in a zone no mentor has (US rules, as New York)
    admin_conn.execute(
        "insert into public.mentee_profiles (user_id, languages, timezone) values (%s, '{en}', 'America/Chicago')",
        (learner.id,),
    )
    admin_conn.execute(
        "insert into public.availability_windows (user_id, weekday, start_minute, end_minute) values (%s, 0, 420, 540)",
        (learner.id,),
    )
    stale_mentee = (
        "update public.mentee_profiles set week_of = %s, week_utc = public.utc_week_at(user_id, timezone, %s)"
    )
    admin_conn.execute(stale_mentee + " where user_id = %s", (before, before, learner.id))

    stale = sql_and_python_scores(mentee)
    assert abs(stale[str(new_york.id)][0] - stale[str(new_york.id)][1]) > 0.01  # the stale week scores otherwise

    assert sweep.refresh_stale_weeks(batch=1) == 3  # the New York mentors and mentee, one transaction each
    admin_conn.execute(  # and once more as it was, through the job
        "update public.mentor_profiles set week_of = %s, week_utc = public.utc_week_at(user_id, timezone, %s)"
        " where user_id = any(%s)",
        (before, before, [new_york.id, other.id]),
    )
    admin_conn.execute(stale_mentee + " where user_id = %s", (before, before, learner.id))
    assert expire_requests_handler({"source": "aws.scheduler"}, LambdaContext()) == {
        "expired_requests": 0,
        "stale_cohort_runs": 0,
        "stale_weeks": 3,
    }
    fresh = sql_and_python_scores(mentee)
    assert all(abs(sql - python) < 1e-6 for sql, python in fresh.values()), fresh
    rows = admin_conn.execute(
        "select p.user_id, p.week_of, p.week_utc = s.week_utc and p.week_utc = all(array("
        "   select b.week_utc from public.mentor_search_by_bucket b where b.mentor_id = p.user_id))"
        " from public.mentor_profiles p join public.mentor_search s on s.mentor_id = p.user_id"
    ).fetchall()
    assert {(str(user_id), week_of, same) for user_id, week_of, same in rows} == {
        (str(new_york.id), monday, True),
        (str(other.id), monday, True),
        (str(delhi.id), before, True),  # Kolkata kept its offsets: not rewritten
    }
    assert one(
        "select (week_of, week_utc) = (%s, public.utc_week_at(user_id, timezone, %s)) from public.mentee_profiles"
        " where user_id = %s",
        (monday, monday, learner.id),
    )
    assert sweep.refresh_stale_weeks() == 0

"""The recommendations the handler serves are the exact scorer's: on generated populations, GET /recommendations
answers the same mentors, in the same order, with the same scores as matching.scoring.top_k run over every
mentor in the database. The SQL that preselects candidates may be as clever as it likes; this holds it to the
pure definition (ties broken by mentor id included: the generated windows are quarter-hour aligned and no mentor
has reviews or mentees yet, so all share their rating and room and many scores tie)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from matching.dal import MatchingRepo
from matching.scoring import score, top_k
from shared import db
from tests import helpers
from tests.factories import User

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
LANGUAGES = ["en", "de", "fr", "hi"]


def _windows(rng: random.Random, most: int) -> list[tuple[int, int, int]]:
    out = []
    for _ in range(rng.randint(0, most)):
        start = rng.randrange(6 * 4, 21 * 4) * 15
        out.append((rng.randrange(7), start, min(1440, start + rng.choice([30, 60, 90, 120, 240]))))
    return out


def _insert_windows(conn: psycopg.Connection[Any], user: User, windows: list[tuple[int, int, int]]) -> None:
    for day, start, end in windows:
        conn.execute(
            "insert into public.availability_windows (user_id, weekday, start_minute, end_minute)"
            " values (%s, %s, %s, %s)",
            (user.id, day, start, end),
        )


def _population(
    rng: random.Random, make_user: Any, conn: psycopg.Connection[Any], skills: list[int], mentors: int, mentees: int
) -> list[User]:
    for i in range(mentors):
        user = make_user(name=f"Mentor {i}")
        capacity = rng.randint(1, 3)
        conn.execute(
            "insert into public.mentor_profiles (user_id, capacity, accepting, languages, timezone)"
            " values (%s, %s, %s, %s, %s)",
            (user.id, capacity, rng.random() > 0.1, sorted({"en"} | set(rng.sample(LANGUAGES, 1))), rng.choice(ZONES)),
        )
        # Popular skills first (many candidates per goal, more than the preselected pool), levels skewed senior.
        for skill in rng.sample(skills, rng.randint(1, 3)):
            conn.execute(
                "insert into public.mentor_skills values (%s, %s, %s)", (user.id, skill, rng.choice([2, 3, 4, 4, 5, 5]))
            )
        _insert_windows(conn, user, _windows(rng, 4))
    people = []
    for i in range(mentees):
        user = make_user(name=f"Mentee {i}")
        conn.execute(
            "insert into public.mentee_profiles (user_id, languages, timezone) values (%s, %s, %s)",
            (user.id, sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2)))), rng.choice(ZONES)),
        )
        for skill in rng.sample(skills, rng.randint(1, 3)):
            current = rng.randint(0, 3)
            conn.execute(
                "insert into public.mentee_goals values (%s, %s, %s, %s)",
                (user.id, skill, current, min(5, current + rng.randint(1, 2))),
            )
        _insert_windows(conn, user, _windows(rng, 3))
        people.append(user)
    return people


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recommendations_are_the_exact_top_k_over_every_mentor(
    seed: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    rng = random.Random(20261130 + seed)
    admin_conn.execute(
        "insert into public.skills (slug, name, category) select 'x' || i, 'Skill ' || i, 'Tech'"
        " from generate_series(1, 4) i"
    )
    skills = [r[0] for r in admin_conn.execute("select id from public.skills order by id").fetchall()]
    mentees = _population(rng, make_user, admin_conn, skills, mentors=150, mentees=12)
    everyone = [r[0] for r in admin_conn.execute("select user_id from public.mentor_profiles").fetchall()]
    widest = 0
    for mentee in mentees:
        k = rng.choice([1, 3, 10, 25])
        reply = helpers.call("GET", "/recommendations", mentee, query={"k": str(k)}, function="matching")
        assert reply.status == 200, reply.text
        served = [(r["mentor_id"], r["score"]) for r in reply.json()["data"]]
        with db.user_transaction(mentee.claims) as conn:
            repo = MatchingRepo(conn)
            week_of = datetime.now(UTC).date()
            me = repo.mentee(mentee.id, week_of)
            assert me is not None
            mentors = repo.mentors(everyone, week_of)
        assert len(mentors) == len(everyone)  # the mentee reads every mentor's facts: top_k sees them all
        exact = [(s.mentor_id, s.score) for s in top_k(mentors, me, k)]
        assert served == exact, (seed, mentee.id, k)
        widest = max(widest, sum(score(m, me) is not None for m in mentors))
    # Some mentee has more eligible mentors than the SQL preselects (a pool of 50): the cut is exercised.
    assert widest > 50

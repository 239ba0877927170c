"""The recommendations the handler serves are the exact scorer's: on generated populations, GET /recommendations
answers the same mentors, in the same order, with the same scores as matching.scoring.top_k run over every
mentor in the database. The SQL that preselects candidates may be as clever as it likes; this holds it to the
pure definition (ties broken by mentor id included: the generated windows are quarter-hour aligned and no mentor
has reviews or mentees yet, so all share their rating and room and many scores tie). A second population has more
mentors available through most days than the pool holds, so the SQL's floor (matching.dal.candidates_sql) is set,
and both of its cases occur: the floor above anything a mentor apart from the mentee's week could score, and the
floor below it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from matching.dal import MatchingRepo, candidates_function
from matching.logic import POOL_FACTOR
from matching.scoring import FULL_OVERLAP_HOURS, WEIGHTS, Mentee, Mentor, overlap_minutes, score, top_k
from shared import db
from tests import helpers
from tests.factories import User

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
LANGUAGES = ["en", "de", "fr", "hi"]


def _windows(rng: random.Random, most: int, broad: bool = False) -> list[tuple[int, int, int]]:
    if broad and rng.random() < 0.6:  # a mentor free from 08:00 to 20:00 on a few days
        return [(day, 8 * 60, 20 * 60) for day in rng.sample(range(7), rng.randint(2, 6))]
    out = []
    for _ in range(rng.randint(0, most)):
        start = rng.randrange(6 * 4, 21 * 4) * 15
        out.append((rng.randrange(7), start, min(1440, start + rng.choice([30, 60, 90, 120, 240]))))
    return out


def _mentor(
    make_user: Any,
    conn: psycopg.Connection[Any],
    name: str,
    *,
    skills: dict[int, int],
    windows: list[tuple[int, int, int]],
    languages: list[str],
    zone: str = "UTC",
    capacity: int = 1,
    accepting: bool = True,
) -> None:
    user = make_user(name=name)
    conn.execute(
        "insert into public.mentor_profiles (user_id, capacity, accepting, languages, timezone)"
        " values (%s, %s, %s, %s, %s)",
        (user.id, capacity, accepting, languages, zone),
    )
    for skill, level in skills.items():
        conn.execute("insert into public.mentor_skills values (%s, %s, %s)", (user.id, skill, level))
    _insert_windows(conn, user, windows)


def _mentee(
    make_user: Any,
    conn: psycopg.Connection[Any],
    name: str,
    *,
    goals: dict[int, tuple[int, int]],
    windows: list[tuple[int, int, int]],
    languages: list[str],
    zone: str = "UTC",
) -> User:
    user = make_user(name=name)
    conn.execute(
        "insert into public.mentee_profiles (user_id, languages, timezone) values (%s, %s, %s)",
        (user.id, languages, zone),
    )
    for skill, (current, target) in goals.items():
        conn.execute("insert into public.mentee_goals values (%s, %s, %s, %s)", (user.id, skill, current, target))
    _insert_windows(conn, user, windows)
    return user


def _insert_windows(conn: psycopg.Connection[Any], user: User, windows: list[tuple[int, int, int]]) -> None:
    for day, start, end in windows:
        conn.execute(
            "insert into public.availability_windows (user_id, weekday, start_minute, end_minute)"
            " values (%s, %s, %s, %s)",
            (user.id, day, start, end),
        )


def _population(
    rng: random.Random,
    make_user: Any,
    conn: psycopg.Connection[Any],
    skills: list[int],
    mentors: int,
    mentees: int,
    broad: bool = False,
) -> list[User]:
    for i in range(mentors):
        capacity = rng.randint(1, 3)
        accepting = rng.random() > 0.1
        languages = sorted({"en"} | set(rng.sample(LANGUAGES, 1)))
        zone = rng.choice(ZONES)
        # Popular skills first (many candidates per goal, more than the preselected pool), levels skewed senior.
        taught = {skill: rng.choice([2, 3, 4, 4, 5, 5]) for skill in rng.sample(skills, rng.randint(1, 3))}
        windows = _windows(rng, 4, broad)
        _mentor(
            make_user,
            conn,
            f"Mentor {i}",
            skills=taught,
            windows=windows,
            languages=languages,
            zone=zone,
            capacity=capacity,
            accepting=accepting,
        )
    people = []
    for i in range(mentees):
        languages = sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2))))
        zone = rng.choice(ZONES)
        goals = {}
        for skill in rng.sample(skills, rng.randint(1, 3)):
            current = rng.randint(0, 3)
            goals[skill] = (current, min(5, current + rng.randint(1, 2)))
        windows = _windows(rng, 3)
        people.append(
            _mentee(make_user, conn, f"Mentee {i}", goals=goals, windows=windows, languages=languages, zone=zone)
        )
    return people


def _skills(conn: psycopg.Connection[Any], count: int) -> list[int]:
    conn.execute(
        "insert into public.skills (slug, name, category) select 'x' || i, 'Skill ' || i, 'Tech'"
        " from generate_series(1, %s) i",
        (count,),
    )
    return [r[0] for r in conn.execute("select id from public.skills order by id").fetchall()]


def _served_equals_exact(
    rng: random.Random,
    mentees: list[User],
    admin_conn: psycopg.Connection[Any],
    label: Any,
    ks: tuple[int, ...] = (1, 3, 10, 25),
) -> list[tuple[Mentee, list[Mentor], int]]:
    """Each mentee's served recommendations (a k drawn from `ks`) are the exact top-k; returns each mentee's facts
    with every mentor's, and the k served."""
    everyone = [r[0] for r in admin_conn.execute("select user_id from public.mentor_profiles").fetchall()]
    seen = []
    for mentee in mentees:
        k = rng.choice(ks)
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
        assert served == exact, (label, mentee.id, k)
        seen.append((me, mentors, k))
    return seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recommendations_are_the_exact_top_k_over_every_mentor(
    seed: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    rng = random.Random(20261130 + seed)
    skills = _skills(admin_conn, 4)
    mentees = _population(rng, make_user, admin_conn, skills, mentors=150, mentees=12)
    seen = _served_equals_exact(rng, mentees, admin_conn, seed)
    widest = max(sum(score(m, me) is not None for m in mentors) for me, mentors, _ in seen)
    # Some mentee has more eligible mentors than the SQL preselects (a pool of 50): the cut is exercised.
    assert widest > 50


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recommendations_stay_exact_where_the_floor_prunes(
    seed: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    rng = random.Random(20261201 + seed)
    skills = _skills(admin_conn, 3)
    mentees = _population(rng, make_user, admin_conn, skills, mentors=260, mentees=14, broad=True)
    weekdays_at_ten = [(day, 10 * 60, 10 * 60 + 15) for day in range(5)]
    # Three mentors free only on Sunday night who speak Swahili, which no other mentor does, and teach every skill.
    for i in range(3):
        every_skill = dict.fromkeys(skills, 5)
        night = [(6, 22 * 60, 23 * 60)]
        _mentor(make_user, admin_conn, f"Night {i}", skills=every_skill, windows=night, languages=["en", "sw"])
    # Fifty-five mentors of the first two skills free a quarter of an hour every weekday morning, and a learner of
    # both skills free then who speaks Swahili: the pool-th of the mentors who share the learner's week covers both
    # goals, so the floor is above what one goal alone can give a mentor apart from the week; the night mentors
    # reach it only with their second goal.
    two = dict.fromkeys(skills[:2], 5)
    for i in range(55):
        _mentor(make_user, admin_conn, f"Morning {i}", skills=two, windows=weekdays_at_ten, languages=["en"])
    goals = dict.fromkeys(skills[:2], (0, 1))
    mentees.append(_mentee(make_user, admin_conn, "Two", goals=goals, windows=weekdays_at_ten, languages=["sw"]))
    # And learners free when most of the others are, with one easy goal each: those free four hours a weekday have
    # a pool-th best mentor who shares enough of their week to beat anyone apart from it; those free half an hour a
    # weekday who speak Hindi have mentors who speak it on both sides of the floor; those free a quarter of an hour
    # a weekday who speak Swahili have the night mentors, apart from their week, at the top.
    for skill in skills:
        for language, minutes in (("en", 240), ("hi", 30), ("sw", 15)):
            windows = [(day, 10 * 60, 10 * 60 + minutes) for day in range(5)]
            name = f"Learner {skill} {language}"
            mentees.append(
                _mentee(make_user, admin_conn, name, goals={skill: (0, 1)}, windows=windows, languages=[language])
            )
    seen = _served_equals_exact(rng, mentees, admin_conn, ("floor", seed))
    # Which case of the SQL's second step each mentee met, from the exact scores: the floor is the pool-th best
    # score among mentors sharing part of the mentee's week (set only when there are a pool's worth of them);
    # the highest score a mentor apart could have is every goal's best share and the highest fixed part.
    highest_fixed = WEIGHTS["languages"] + WEIGHTS["rating"] + WEIGHTS["room"]
    cases = set()
    for me, mentors, k in seen:
        meeting = sorted(
            (s.score for m in mentors if overlap_minutes(m.week, me.week) and (s := score(m, me)) is not None),
            reverse=True,
        )
        pool = max(50, POOL_FACTOR * k)  # as matching.logic.recommend_mentors asks
        if len(meeting) < pool:
            cases.add("no floor")
            continue
        best = sum(WEIGHTS["skills"] * min(5 - cur, tgt - cur) / (tgt - cur) for cur, tgt in me.goals.values())
        if meeting[pool - 1] > best / len(me.goals) + highest_fixed + 1e-6:
            cases.add("apart skipped")
        elif any(not overlap_minutes(s_mentor.week, me.week) for s_mentor in _top_mentors(mentors, me, k)):
            cases.add("apart read and served")
        else:
            cases.add("apart read")
    assert {"apart skipped", "apart read and served"} <= cases, cases


@pytest.mark.parametrize("k", [3, 10])
def test_availability_can_lift_a_mentor_over_the_pool(
    k: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    """The SQL intersects weeks only for mentors whose skills and fixed part, plus the most availability could
    add, reach the pool-th best of those parts: here sixty mentors a level above twelve others share half an
    hour of the learner's four hours and fill the pool by that part alone, while the twelve share all four hours
    and score higher. (Counting no availability in that bound would drop the twelve.)"""
    (skill,) = _skills(admin_conn, 1)
    monday_morning = [(0, 10 * 60, 14 * 60)]
    for i in range(60):
        windows = [(0, 10 * 60, 10 * 60 + 30)]
        _mentor(make_user, admin_conn, f"Brief {i:02}", skills={skill: 5}, windows=windows, languages=["en"])
    for i in range(12):
        _mentor(make_user, admin_conn, f"Free {i:02}", skills={skill: 4}, windows=monday_morning, languages=["en"])
    for i in range(10):  # and some who cannot reach the pool even with all four hours
        _mentor(make_user, admin_conn, f"Novice {i:02}", skills={skill: 1}, windows=monday_morning, languages=["en"])
    learner = _mentee(make_user, admin_conn, "Learner", goals={skill: (0, 5)}, windows=monday_morning, languages=["en"])
    ((me, mentors, _),) = _served_equals_exact(random.Random(k), [learner], admin_conn, "lift", ks=(k,))
    best = _top_mentors(mentors, me, k)
    assert all(m.skills[skill] == 4 for m in best)  # the twelve lead the answer
    assert len([m for m in mentors if overlap_minutes(m.week, me.week)]) >= max(50, POOL_FACTOR * k)


@pytest.mark.parametrize("k", [3, 10])
def test_the_pool_reaches_below_its_best_part(k: int, make_user: Any, admin_conn: psycopg.Connection[Any]) -> None:
    """That bound is the pool-th best part, not the best: a learner free half an hour (availability adds at most
    0.025) with one mentor a level above sixty others answers the one and then the best of the sixty."""
    (skill,) = _skills(admin_conn, 1)
    half_hour = [(2, 18 * 60, 18 * 60 + 30)]
    _mentor(make_user, admin_conn, "Star", skills={skill: 5}, windows=half_hour, languages=["en"])
    for i in range(60):
        _mentor(make_user, admin_conn, f"Steady {i:02}", skills={skill: 4}, windows=half_hour, languages=["en"])
    learner = _mentee(make_user, admin_conn, "Learner", goals={skill: (0, 5)}, windows=half_hour, languages=["en"])
    ((me, mentors, _),) = _served_equals_exact(random.Random(k), [learner], admin_conn, "below best", ks=(k,))
    assert [m.skills[skill] for m in _top_mentors(mentors, me, k)] == [5] + [4] * (k - 1)


def _top_mentors(mentors: list[Mentor], me: Mentee, k: int) -> list[Mentor]:
    by_id = {m.id: m for m in mentors}
    return [by_id[s.mentor_id] for s in top_k(mentors, me, k)]


def test_only_the_rarest_goals_are_read_when_a_floor_allows(
    make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    """The SQL's first step reads only a learner's rarest goals when a floor from the rarest goal's mentors shows
    that a mentor must cover more goals than the others to reach it (matching.dal.candidates_sql, `near`), and
    looks the other goals up. Three learners of two goals each (a rare goal and a common one), none sharing a skill
    with another's mentors:
    - "Both", free a quarter of an hour every weekday: fifty-five mentors of both goals share it, so a mentor needs
      both goals: only the rare goal is read, and the common goal's share is looked up (a bound without it, or no
      look-up, loses them);
    - "Edge", free four hours every weekday, whose fifty-five mentors of both goals share a quarter of an hour on
      Monday only: their floor lies between what a mentor of the common goal alone could reach without the
      learner's availability and with it, so both goals are read, and the mentor of the common goal alone who
      shares all four hours and speaks the learner's language leads;
    - "Shadow", likewise free: the rare goal's mentors list the common goal below the learner's level, so their
      signatures have its bit and their bounds count its best share, but their scores do not: the floor is set by
      scores, and again both goals are read."""
    rare1, common1, rare2, common2, rare3, common3 = _skills(admin_conn, 6)
    quarter = [(day, 10 * 60, 10 * 60 + 15) for day in range(5)]
    four_hours = [(day, 10 * 60, 14 * 60) for day in range(5)]

    def mentors(name: str, count: int, skills: dict[int, int], windows: list[tuple[int, int, int]]) -> None:
        for i in range(count):
            _mentor(make_user, admin_conn, f"{name} {i:02}", skills=skills, windows=windows, languages=["en"])

    mentors("Pair", 55, {rare1: 5, common1: 5}, quarter)
    mentors("Crowd", 10, {common1: 5}, quarter)
    mentors("Pair two", 55, {rare2: 5, common2: 5}, quarter[:1])
    mentors("Crowd two", 10, {common2: 5}, quarter)
    mentors("Shadow", 55, {rare3: 5, common3: 2}, four_hours)
    mentors("Crowd three", 60, {common3: 5}, quarter)  # the common goal has more mentors above the learner's level
    for skill, name in ((common2, "Star two"), (common3, "Star three")):
        _mentor(make_user, admin_conn, name, skills={skill: 5}, windows=four_hours, languages=["en", "sw"])
    learners = [
        _mentee(
            make_user, admin_conn, "Both", goals={rare1: (0, 1), common1: (0, 1)}, windows=quarter, languages=["sw"]
        ),
        _mentee(
            make_user, admin_conn, "Edge", goals={rare2: (0, 1), common2: (0, 1)}, windows=four_hours, languages=["sw"]
        ),
        _mentee(
            make_user,
            admin_conn,
            "Shadow",
            goals={rare3: (0, 1), common3: (2, 3)},
            windows=four_hours,
            languages=["sw"],
        ),
    ]
    seen = _served_equals_exact(random.Random(7), learners, admin_conn, "rarest", ks=(10,))
    names = dict(admin_conn.execute("select id::text, display_name from public.profiles").fetchall())
    tops = [[names[m.id] for m in _top_mentors(mentors_, me, k)] for me, mentors_, k in seen]
    assert all(name.startswith("Pair ") and not name.startswith("Pair two") for name in tops[0])
    assert tops[1][0] == "Star two"
    assert tops[2][0] == "Star three"


SAMPLE = 4  # rows a bucket for the first floor in the tests below (the function reads matching.dal.PROBE)


@pytest.fixture
def sampled_floor(admin_conn: psycopg.Connection[Any]) -> Iterator[int]:
    """public.mentor_candidates taking its first floor from SAMPLE rows of each bucket: the bench's databases hold far
    more meeting rows in a bucket than the function's sample, these populations fewer. Restored afterwards."""
    admin_conn.execute(candidates_function(WEIGHTS, FULL_OVERLAP_HOURS, probe=SAMPLE))
    try:
        yield SAMPLE
    finally:
        admin_conn.execute(candidates_function(WEIGHTS, FULL_OVERLAP_HOURS))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recommendations_stay_exact_when_the_first_floor_is_sampled(
    seed: int, sampled_floor: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    """The ranking's first floor is the pool-th real score among a sample of the rarest goal's meeting rows, and
    every row grouped after it must bound its mentor at or above it: on the generated populations, with a sample
    smaller than most buckets hold, the answer is still the exact top-k."""
    rng = random.Random(20261202 + seed)
    skills = _skills(admin_conn, 3)
    mentees = _population(rng, make_user, admin_conn, skills, mentors=160, mentees=12, broad=True)
    _served_equals_exact(rng, mentees, admin_conn, ("sampled", seed))


def test_a_sampled_floor_drops_no_mentor_of_the_answer(
    sampled_floor: int, make_user: Any, admin_conn: psycopg.Connection[Any]
) -> None:
    """A learner free six hours every day, in more buckets than a pool's worth of samples needs. Eighty mentors a
    level above twelve others share a quarter of an hour of it: the sample, highest levels first, is theirs, and
    its floor is their score. The twelve share four hours and score higher, though their skills and fixed part
    alone stay below that floor: every row after the sample must be bounded with its availability (and with the
    learner's language, which the twelve speak, before languages are compared) or the twelve are lost."""
    rng = random.Random(20261202)
    (skill,) = _skills(admin_conn, 1)
    for i in range(80):
        brief = [(i % 7, 9 * 60 + 15 * (i // 7), 9 * 60 + 15 * (i // 7) + 15)]
        _mentor(make_user, admin_conn, f"Brief {i:02}", skills={skill: 5}, windows=brief, languages=["en", "de"])
    for i in range(12):
        free = [(i % 7, 10 * 60, 14 * 60), ((i + 3) % 7, 10 * 60, 14 * 60)]
        _mentor(make_user, admin_conn, f"Free {i:02}", skills={skill: 4}, windows=free, languages=["en", "de"])
    for i in range(40):  # and some below both, an hour at a random time, at a lower level
        start = rng.randrange(8 * 4, 15 * 4) * 15
        other = [(rng.randrange(7), start, start + 60)]
        _mentor(
            make_user, admin_conn, f"Other {i:02}", skills={skill: rng.randint(1, 3)}, windows=other, languages=["en"]
        )
    days = [(day, 9 * 60, 15 * 60) for day in range(7)]
    learner = _mentee(make_user, admin_conn, "Learner", goals={skill: (0, 5)}, windows=days, languages=["de"])
    ((me, mentors, k),) = _served_equals_exact(random.Random(1), [learner], admin_conn, "sampled floor", ks=(10,))
    assert all(m.skills[skill] == 4 for m in _top_mentors(mentors, me, k))  # the twelve lead the answer
    row = admin_conn.execute(
        "select bit_count(public.week_buckets(week_utc)::bit(64)) from public.mentee_profiles where user_id = %s",
        (learner.id,),
    ).fetchone()
    assert row is not None
    # The sample fills a pool (so the floor is set) and is smaller than the meeting mentors it is drawn from.
    meeting = [m for m in mentors if overlap_minutes(m.week, me.week)]
    assert row[0] * sampled_floor >= 50
    assert len(meeting) > row[0] * sampled_floor

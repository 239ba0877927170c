"""Scoring and cohort solving: pure functions, unit tested and property tested with hypothesis."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.cohort import eligible_edges, solve_dense, solve_exact, solve_greedy
from matching.scoring import Mentee, Mentor, Window, merge, overlap_minutes, score, to_utc_week, top_k

EN = frozenset({"en"})


def mentor(
    mid: str = "m",
    *,
    skills: dict[int, int] | None = None,
    capacity: int = 3,
    active: int = 0,
    accepting: bool = True,
    languages: frozenset[str] = EN,
    rating: float | None = None,
    week: tuple[tuple[int, int], ...] = ((0, 600),),
) -> Mentor:
    return Mentor(
        id=mid,
        skills=skills if skills is not None else {1: 4},
        capacity=capacity,
        active_mentees=active,
        accepting=accepting,
        languages=languages,
        rating=rating,
        week=week,
    )


def mentee(
    mid: str = "e",
    *,
    goals: dict[int, tuple[int, int]] | None = None,
    languages: frozenset[str] = EN,
    week: tuple[tuple[int, int], ...] = ((0, 600),),
) -> Mentee:
    return Mentee(id=mid, goals=goals if goals is not None else {1: (1, 4)}, languages=languages, week=week)


def test_a_mentor_covering_the_whole_gap_is_explained() -> None:
    scored = score(mentor(skills={1: 5, 2: 2}, rating=4.5), mentee(goals={1: (1, 4), 2: (1, 3)}))
    assert scored is not None
    assert [c.gap_covered for c in scored.skills] == [1.0, 0.5]
    assert scored.components["skills"] == 0.75
    assert scored.overlap_hours == 10.0
    assert scored.shared_languages == ("en",)
    assert scored.capacity_left == 3


def test_ineligible_mentors_are_never_scored() -> None:
    assert score(mentor(active=3), mentee()) is None
    assert score(mentor(accepting=False), mentee()) is None
    assert score(mentor("same"), mentee("same")) is None
    assert score(mentor(skills={9: 5}), mentee()) is None


def test_overlap_across_timezones_and_daylight_saving() -> None:
    # Monday 09:00-11:00 in New York and Monday 14:00-16:00 in London overlap fully in a normal week...
    ny = to_utc_week([Window(0, 540, 660)], "America/New_York", date(2027, 1, 11))
    london = to_utc_week([Window(0, 840, 960)], "Europe/London", date(2027, 1, 11))
    assert overlap_minutes(ny, london) == 120
    # ...but in the weeks when the US has moved its clocks and the UK has not, only one hour overlaps.
    ny = to_utc_week([Window(0, 540, 660)], "America/New_York", date(2027, 3, 15))
    london = to_utc_week([Window(0, 840, 960)], "Europe/London", date(2027, 3, 15))
    assert overlap_minutes(ny, london) == 60


def test_a_window_that_crosses_the_end_of_the_week_wraps() -> None:
    # Monday 08:00-10:00 in Tokyo is Sunday 23:00 to Monday 01:00 UTC: it wraps around the week's end.
    week = to_utc_week([Window(0, 480, 600)], "Asia/Tokyo", date(2027, 1, 11))
    assert week == ((0, 60), (10020, 10080))
    assert merge([(0, 10), (5, 20), (30, 40)]) == ((0, 20), (30, 40))


mentor_st = st.builds(
    mentor,
    mid=st.sampled_from(["m1", "m2", "m3", "m4"]),
    skills=st.dictionaries(st.integers(1, 4), st.integers(1, 5), max_size=4),
    capacity=st.integers(1, 3),
    active=st.integers(0, 3),
    accepting=st.booleans(),
    languages=st.sampled_from([EN, frozenset({"fr"}), frozenset({"en", "fr"})]),
    rating=st.one_of(st.none(), st.floats(1, 5)),
    week=st.lists(st.tuples(st.integers(0, 10000), st.integers(1, 80)), max_size=3).map(
        lambda ws: merge((s, min(s + d, 10080)) for s, d in ws)
    ),
)
goals_st = st.dictionaries(
    st.integers(1, 4),
    st.tuples(st.integers(0, 3), st.integers(1, 2)).map(lambda t: (t[0], min(5, t[0] + t[1]))),
    min_size=1,
    max_size=3,
)
mentee_st = st.builds(
    mentee,
    mid=st.sampled_from(["e1", "e2", "e3", "m1"]),
    goals=goals_st,
    languages=st.sampled_from([EN, frozenset({"fr"})]),
)


@given(st.lists(mentor_st, max_size=6), mentee_st, st.integers(1, 5))
def test_recommendations_never_include_the_full_the_closed_or_the_mentee(
    mentors: list[Mentor], who: Mentee, k: int
) -> None:
    unique = {m.id: m for m in mentors}.values()
    for scored in top_k(unique, who, k):
        chosen = next(m for m in unique if m.id == scored.mentor_id)
        assert chosen.accepting
        assert chosen.active_mentees < chosen.capacity
        assert chosen.id != who.id
        assert 0 < scored.score <= 1


@given(mentor_st, mentee_st, st.integers(1, 4))
def test_a_better_skill_match_never_scores_lower(base: Mentor, who: Mentee, skill_id: int) -> None:
    before = score(base, who)
    improved_level = min(5, base.skills.get(skill_id, 0) + 1)
    better = Mentor(**{**base.__dict__, "skills": {**base.skills, skill_id: improved_level}})
    after = score(better, who)
    if before is not None:
        assert after is not None
        assert after.score >= before.score


@settings(max_examples=200, deadline=None)
@given(
    st.lists(mentor_st, min_size=1, max_size=5, unique_by=lambda m: m.id),
    st.lists(mentee_st, min_size=1, max_size=4, unique_by=lambda m: m.id),
)
def test_the_cohort_scores_all_pairs_at_once_exactly_as_score_does(
    mentors: list[Mentor], mentees: list[Mentee]
) -> None:
    edges = eligible_edges(mentors, mentees)
    found = {(int(i), int(j)): float(s) for i, j, s in zip(edges.mentee, edges.mentor, edges.score, strict=True)}
    expected = {}
    for i, who in enumerate(mentees):
        for j, m in enumerate(mentors):
            scored = score(m, who)
            if scored is not None:
                expected[(i, j)] = scored.score
    assert found.keys() == expected.keys()
    for pair, value in expected.items():
        assert abs(found[pair] - value) <= 1.5e-6, pair
    assert [edges.count(i) for i in range(len(mentees))] == [
        sum(1 for i2, _ in expected if i2 == i) for i in range(len(mentees))
    ]


def brute_force_best(mentors: list[Mentor], mentees: list[Mentee]) -> float:
    edges = eligible_edges(mentors, mentees)
    options = [[None, *edges.of(i)] for i in range(len(mentees))]
    best = 0.0
    for combo in itertools.product(*options):
        used: dict[str, int] = {}
        ok = True
        for s in combo:
            if s is not None:
                used[s.mentor_id] = used.get(s.mentor_id, 0) + 1
        for m in mentors:
            if used.get(m.id, 0) > max(0, m.capacity - m.active_mentees):
                ok = False
        if ok:
            best = max(best, sum(s.score for s in combo if s is not None))
    return best


@settings(max_examples=60, deadline=None)
@given(
    st.lists(mentor_st, min_size=1, max_size=3, unique_by=lambda m: m.id),
    st.lists(mentee_st, min_size=1, max_size=4, unique_by=lambda m: m.id),
)
def test_the_cohort_solver_is_exact_and_respects_capacity(mentors: list[Mentor], mentees: list[Mentee]) -> None:
    exact = solve_exact(mentors, mentees)
    assert abs(exact.total_score - brute_force_best(mentors, mentees)) < 1e-6
    assert abs(exact.total_score - solve_dense(mentors, mentees).total_score) < 1e-6
    assert exact.total_score + 1e-9 >= solve_greedy(mentors, mentees).total_score
    per_mentor: dict[str, int] = {}
    for scored in exact.matches.values():
        per_mentor[scored.mentor_id] = per_mentor.get(scored.mentor_id, 0) + 1
    for m in mentors:
        assert per_mentor.get(m.id, 0) <= max(0, m.capacity - m.active_mentees)
    assert set(exact.matches) | set(exact.unmatched) == {e.id for e in mentees}
    assert all(reason for reason in exact.unmatched.values())

"""The cohort solver at scale: it solves over a subset of the pairs and proves, by the dual, that no pair left out
could improve the assignment. These tests force it through many rounds of that on random cohorts (each mentee's
first pairs cut to one or two) and hold it to the dense reference and to the certificate's own arithmetic."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.cohort as cohort
from matching.cohort import POINTS, eligible_edges, solve_certified, solve_dense
from matching.scoring import Mentee, Mentor, merge


def random_cohort(seed: int, n_mentees: int, n_mentors: int) -> tuple[list[Mentor], list[Mentee]]:
    """Popular skills are popular (mentees compete for the same mentors), capacities 1-5, some mentors closed or
    partly taken, availability in a few random windows, a few people on both sides."""
    rng = random.Random(seed)
    skills = list(range(1, 9))
    popularity = [1 / rank for rank in skills]

    def week() -> tuple[tuple[int, int], ...]:
        return merge((s, s + rng.choice([60, 90, 120])) for s in (rng.randrange(0, 9900) for _ in range(3)))

    mentors = [
        Mentor(
            id=f"m{j}",
            skills={rng.choices(skills, popularity)[0]: rng.randint(2, 5) for _ in range(rng.randint(1, 3))},
            capacity=(capacity := rng.randint(1, 5)),
            active_mentees=rng.randint(0, capacity),
            accepting=rng.random() > 0.1,
            languages=frozenset(rng.sample(["en", "fr", "es"], rng.randint(1, 2))),
            rating=round(rng.uniform(3, 5), 2) if rng.random() > 0.3 else None,
            week=week(),
        )
        for j in range(n_mentors)
    ]
    mentees = []
    for i in range(n_mentees):
        goals = {}
        for _ in range(rng.randint(1, 3)):
            current = rng.randint(0, 3)
            goals[rng.choices(skills, popularity)[0]] = (current, min(5, current + rng.randint(1, 2)))
        # A few mentees are mentors too (never matched with themselves).
        mentees.append(
            Mentee(
                id=f"m{i}" if i % 17 == 0 else f"e{i}",
                goals=goals,
                languages=frozenset(rng.sample(["en", "fr", "es"], rng.randint(1, 2))),
                week=week(),
            )
        )
    return mentors, mentees


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_mentees=st.integers(1, 160),
    n_mentors=st.integers(1, 40),
    first=st.integers(1, 3),
    more=st.integers(1, 3),
)
def test_solving_over_a_few_pairs_and_adding_what_the_dual_finds_reaches_the_dense_optimum(
    seed: int, n_mentees: int, n_mentors: int, first: int, more: int
) -> None:
    mentors, mentees = random_cohort(seed, n_mentees, n_mentors)
    edges = eligible_edges(mentors, mentees)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cohort, "FIRST_PAIRS_PER_MENTEE", first)
        patch.setattr(cohort, "MORE_PAIRS_PER_MENTEE", more)
        result, certificate = solve_certified(mentors, mentees, edges)
    reference = solve_dense(mentors, mentees, edges)
    assert certificate.total == certificate.bound
    assert certificate.ratio == 1.0
    assert abs(result.total_score - reference.total_score) < 1e-6 * max(1, len(mentees))
    # The certificate counts the numpy scores; the result explains each match with score() (the two may differ by
    # a millionth at a rounding boundary: see the scoring property test).
    explained = round(sum(s.score for s in result.matches.values()) * POINTS)
    assert abs(certificate.total - explained) <= len(result.matches)
    # Capacity held, each mentee at most once (a dict), never their own mentor, every mentee accounted for.
    taken: dict[str, int] = {}
    for mentee_id, scored in result.matches.items():
        assert scored.mentor_id != mentee_id
        taken[scored.mentor_id] = taken.get(scored.mentor_id, 0) + 1
    for m in mentors:
        assert taken.get(m.id, 0) <= (m.capacity - m.active_mentees if m.accepting else 0)
    assert set(result.matches) | set(result.unmatched) == {e.id for e in mentees}


def test_a_large_cohort_is_solved_over_a_small_share_of_its_pairs_in_several_rounds() -> None:
    mentors, mentees = random_cohort(11, 1500, 200)
    edges = eligible_edges(mentors, mentees)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cohort, "FIRST_PAIRS_PER_MENTEE", 4)
        patch.setattr(cohort, "MORE_PAIRS_PER_MENTEE", 4)
        result, certificate = solve_certified(mentors, mentees, edges)
    assert certificate.rounds > 1
    assert certificate.pairs_used < len(edges) / 4
    assert certificate.total == certificate.bound
    assert abs(result.total_score - solve_dense(mentors, mentees, edges).total_score) < 1e-3


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n_mentees=st.integers(1, 40), n_mentors=st.integers(1, 12))
def test_the_bound_is_never_below_any_assignment_whatever_the_prices(seed: int, n_mentees: int, n_mentors: int) -> None:
    """Weak duality, the certificate's one premise: for ANY prices p >= 0, sum of the mentees' gains (best score -
    price over all their pairs, or 0) + sum of places x price >= the optimum."""
    mentors, mentees = random_cohort(seed, n_mentees, n_mentors)
    edges = eligible_edges(mentors, mentees)
    optimum = round(solve_dense(mentors, mentees, edges).total_score * POINTS)
    rng = np.random.default_rng(seed)
    places = np.array(cohort._free_places(mentors), dtype=np.int64)
    for _ in range(5):
        prices = rng.integers(0, POINTS, len(mentors)).astype(np.int64)
        assert int(cohort._gains(edges, prices).sum() + (places * prices).sum()) >= optimum - len(mentees)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, (1 << 20) - 1)), max_size=200),
    st.integers(1, 8),
)
def test_each_rows_best_values_are_found_as_a_sort_would(entries: list[tuple[int, int]], keep: int) -> None:
    row = np.array([r for r, _ in entries], dtype=np.int64)
    value = np.array([v for _, v in entries], dtype=np.int64)
    picked = cohort._top_per_row(row, value, 6, keep)
    for r in range(6):
        mine = sorted(value[row == r].tolist(), reverse=True)
        assert sorted(value[picked][row[picked] == r].tolist(), reverse=True) == mine[:keep]


def test_empty_cohorts_are_solved_and_certified() -> None:
    mentors, mentees = random_cohort(3, 5, 3)
    for some_mentors, some_mentees in (([], mentees), (mentors, []), ([], [])):
        result, certificate = solve_certified(some_mentors, some_mentees)
        assert result.matches == {}
        assert certificate.total == certificate.bound == 0


def test_every_unmatched_mentee_is_told_why() -> None:
    week = ((0, 600),)
    en = frozenset({"en"})

    def teacher(mid: str, skills: dict[int, int], *, accepting: bool = True, active: int = 0) -> Mentor:
        return Mentor(mid, skills, 1, active, accepting, en, week=week)

    mentors = [
        teacher("open", {1: 5}),
        teacher("closed", {2: 5}, accepting=False),
        teacher("full", {2: 5}, active=1),
        teacher("junior", {3: 1}),
    ]
    mentees = [
        Mentee("first", {1: (1, 3)}, en, week),
        Mentee("second", {1: (1, 3)}, en, week),  # the one place of "open" went to "first" (a tie, by order)
        Mentee("closed-or-full", {2: (1, 3)}, en, week),
        Mentee("too-advanced", {3: (2, 4)}, en, week),
        Mentee("untaught", {9: (0, 2)}, en, week),
        Mentee("no-goals", {}, en, week),
    ]
    result = solve_certified(mentors, mentees)[0]
    assert len(result.matches) == 1
    reasons = result.unmatched
    assert set(reasons) == {e.id for e in mentees} - set(result.matches)
    assert "places ran out" in next(reasons[e] for e in ("first", "second") if e in reasons)
    assert reasons["closed-or-full"] == (
        "every mentor covering their goals is unavailable (at capacity, not accepting mentees)"
    )
    assert reasons["too-advanced"] == "every mentor covering their goals is unavailable (covers none of the gap)"
    assert reasons["untaught"] == "no mentor in the cohort covers any of their goals"
    assert reasons["no-goals"] == "no learning goals declared"

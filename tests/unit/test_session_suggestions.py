"""Session suggestions as pure functions: what counts, in what order, and what is said about it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from bookings.suggestions import WEIGHTS, Candidate, Goal, rank, score

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
SQL, RUST, GO = 1, 2, 3


def candidate(skills: dict[int, str], *, days: float = 3, rating: float | None = 4.5, seats: int = 2) -> Candidate:
    return Candidate(
        session_id=uuid.uuid4(),
        title="t",
        starts_at=NOW + timedelta(days=days),
        host_name="Grace",
        rating=rating,
        seats_left=seats,
        skills=skills,
    )


def test_the_weights_sum_to_one() -> None:
    assert abs(sum(WEIGHTS.values()) - 1) < 1e-9


def test_a_session_for_no_goal_and_no_learned_skill_is_never_suggested() -> None:
    assert score(candidate({GO: "Go"}), [Goal(SQL, "SQL", 1, 4)], {RUST: "Rust"}, NOW) is None


def test_bigger_steps_rank_first_then_the_sooner_session() -> None:
    goals = [Goal(SQL, "SQL", 1, 5), Goal(RUST, "Rust", 3, 4)]
    big, small = candidate({SQL: "SQL"}), candidate({RUST: "Rust"})
    soon, late = candidate({SQL: "SQL"}, days=1), candidate({SQL: "SQL"}, days=20)
    ranked = rank([small, late, big, soon], goals, {}, NOW, k=10)
    assert [s.session_id for s in ranked][:2] == [soon.session_id, big.session_id]
    assert ranked[-1].session_id == small.session_id


def test_the_explanation_names_the_goal_the_host_and_a_full_session() -> None:
    suggestion = score(candidate({SQL: "SQL"}, seats=0, days=0.5), [Goal(SQL, "SQL", 1, 4)], {}, NOW)
    assert suggestion is not None
    assert suggestion.reasons == (
        "works toward your goal in SQL (level 1 → 4)",
        "Grace is rated 4.5/5",
        "starts within a day",
        "full: you would join the waitlist",
    )
    assert suggestion.components["seats"] == 0.0
    assert abs(suggestion.score - sum(WEIGHTS[k] * v for k, v in suggestion.components.items())) < 1e-3


def test_a_host_without_reviews_counts_as_neutral_and_ties_are_stable() -> None:
    a, b = candidate({SQL: "SQL"}, rating=None), candidate({SQL: "SQL"}, rating=None)
    first = rank([a, b], [Goal(SQL, "SQL", 0, 2)], {}, NOW, k=2)
    again = rank([b, a], [Goal(SQL, "SQL", 0, 2)], {}, NOW, k=2)
    assert [s.session_id for s in first] == [s.session_id for s in again]
    assert first[0].components["rating"] == 0.6

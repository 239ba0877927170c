"""Session suggestions for a learner, as pure functions: each upcoming session scored against the learner's goals
and the skills they learn, ranked, and explained (the parts of the score and the reasons in words), the way mentor
recommendations are (matching.scoring). No I/O: the repository supplies the candidates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

# Weights of the score's parts (sum 1): what the learner wants first, then who teaches, when, and whether a seat is
# free.
WEIGHTS: Mapping[str, float] = {"goals": 0.5, "learning": 0.15, "rating": 0.15, "soon": 0.1, "seats": 0.1}
HORIZON_DAYS = 30  # a session this far away or later earns nothing for being soon
NEUTRAL_RATING = 3.0  # a host without reviews is neither good nor bad news


@dataclass(frozen=True)
class Goal:
    skill_id: int
    skill: str
    current_level: int
    target_level: int


@dataclass(frozen=True)
class Candidate:
    session_id: UUID
    title: str
    starts_at: datetime
    host_name: str
    rating: float | None
    seats_left: int
    skills: Mapping[int, str]  # skill id -> name


@dataclass(frozen=True)
class Suggestion:
    session_id: UUID
    score: float
    components: Mapping[str, float]
    goals: tuple[Goal, ...]
    reasons: tuple[str, ...]


def score(candidate: Candidate, goals: Iterable[Goal], learning: Mapping[int, str], now: datetime) -> Suggestion | None:
    """The session's score for this learner, with its explanation; None if it serves no goal and no skill they
    learn (suggestions are about what the learner asked for, not everything on offer)."""
    matched = tuple(g for g in goals if g.skill_id in candidate.skills)
    learns = sorted(name for skill_id, name in learning.items() if skill_id in candidate.skills)
    if not matched and not learns:
        return None
    # A goal counts by the step it asks for (a 1→4 goal needs more sessions than a 3→4 one).
    goal_part = max(((g.target_level - g.current_level) / 5 for g in matched), default=0.0)
    days = max((candidate.starts_at - now).total_seconds() / 86400, 0.0)
    rating = candidate.rating if candidate.rating is not None else NEUTRAL_RATING
    components = {
        "goals": min(goal_part * 1.25, 1.0) if matched else 0.0,
        "learning": 1.0 if learns else 0.0,
        "rating": rating / 5,
        "soon": max(0.0, 1 - days / HORIZON_DAYS),
        "seats": 1.0 if candidate.seats_left > 0 else 0.0,
    }
    total = sum(WEIGHTS[k] * v for k, v in components.items())
    reasons = [f"works toward your goal in {g.skill} (level {g.current_level} → {g.target_level})" for g in matched]
    if learns:
        reasons.append(f"covers {', '.join(learns)}, which you are learning")
    if candidate.rating is not None:
        reasons.append(f"{candidate.host_name or 'the host'} is rated {candidate.rating:.1f}/5")
    reasons.append("starts within a day" if days < 1 else f"starts in {round(days)} days")
    if candidate.seats_left <= 0:
        reasons.append("full: you would join the waitlist")
    return Suggestion(
        session_id=candidate.session_id,
        score=round(total, 6),
        components={k: round(v, 4) for k, v in components.items()},
        goals=matched,
        reasons=tuple(reasons),
    )


def rank(
    candidates: Iterable[Candidate], goals: Iterable[Goal], learning: Mapping[int, str], now: datetime, k: int
) -> list[Suggestion]:
    """The k best sessions, best first (ties broken by session id, so results are stable)."""
    goal_list = tuple(goals)
    scored = [s for s in (score(c, goal_list, learning, now) for c in candidates) if s is not None]
    scored.sort(key=lambda s: (-s.score, str(s.session_id)))
    return scored[:k]

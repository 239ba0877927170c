"""Mentor-mentee scoring: pure functions, no I/O. Every score comes with its explanation.

score = 0.55 * skills (share of each goal's level gap the mentor covers)
      + 0.20 * availability (weekly overlap, full at 4 h)
      + 0.10 * languages (any shared)
      + 0.10 * rating (average review / 5; unknown counts as 3/5)
      + 0.05 * room (capacity left / capacity)
An ineligible mentor (not accepting, at capacity, the mentee themself, or covering no goal) scores None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_WEEK = 7 * 24 * 60
WEIGHTS = {"skills": 0.55, "availability": 0.20, "languages": 0.10, "rating": 0.10, "room": 0.05}
FULL_OVERLAP_HOURS = 4.0


@dataclass(frozen=True)
class Window:
    """A weekly window in the owner's timezone: weekday 0 = Monday, minutes from midnight."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Mentor:
    id: str
    skills: dict[int, int]  # skill id -> level 1..5
    capacity: int
    active_mentees: int
    accepting: bool
    languages: frozenset[str]
    years: float = 0.0
    rating: float | None = None
    week: tuple[tuple[int, int], ...] = ()  # availability as UTC minute-of-week intervals


@dataclass(frozen=True)
class Mentee:
    id: str
    goals: dict[int, tuple[int, int]]  # skill id -> (current level, target level)
    languages: frozenset[str]
    week: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SkillCover:
    skill_id: int
    mentor_level: int
    current_level: int
    target_level: int
    gap_covered: float  # 0..1 of (target - current)


@dataclass(frozen=True)
class Scored:
    mentor_id: str
    score: float
    components: dict[str, float]
    skills: tuple[SkillCover, ...]
    overlap_hours: float
    shared_languages: tuple[str, ...]
    capacity_left: int
    rating: float | None
    notes: tuple[str, ...] = field(default=())


# Availability ------------------------------------------------------------------------------------------
def to_utc_week(windows: Iterable[Window], tz: str, week_of: date) -> tuple[tuple[int, int], ...]:
    """Weekly windows in `tz` as UTC minute-of-week intervals, for the week containing `week_of` (so the
    offsets in force that week, DST included, are the ones used). Intervals crossing the week's end wrap."""
    zone = ZoneInfo(tz)
    monday = week_of - timedelta(days=week_of.weekday())
    utc_monday = datetime(monday.year, monday.month, monday.day, tzinfo=ZoneInfo("UTC"))
    out: list[tuple[int, int]] = []
    for w in windows:
        day = monday + timedelta(days=w.weekday)
        local_start = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=w.start_minute)
        start = int((local_start - utc_monday).total_seconds() // 60) % MINUTES_PER_WEEK
        length = w.end_minute - w.start_minute
        end = start + length
        if end <= MINUTES_PER_WEEK:
            out.append((start, end))
        else:
            out += [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]
    return merge(out)


def merge(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def overlap_minutes(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Total overlap of two merged, sorted interval lists (two-pointer sweep)."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


# Scoring ----------------------------------------------------------------------------------------------
def skill_cover(mentor: Mentor, mentee: Mentee) -> tuple[float, tuple[SkillCover, ...]]:
    """Mean share of each goal's level gap the mentor can cover (a goal the mentor lacks covers 0)."""
    covers = []
    for skill_id, (current, target) in sorted(mentee.goals.items()):
        level = mentor.skills.get(skill_id)
        if level is None:
            continue
        covered = min(max(level - current, 0), target - current) / (target - current)
        covers.append(SkillCover(skill_id, level, current, target, covered))
    if not mentee.goals:
        return 0.0, ()
    return sum(c.gap_covered for c in covers) / len(mentee.goals), tuple(covers)


def ineligible(mentor: Mentor, mentee: Mentee) -> str | None:
    if mentor.id == mentee.id:
        return "the mentee themself"
    if not mentor.accepting:
        return "not accepting mentees"
    if mentor.active_mentees >= mentor.capacity:
        return "at capacity"
    return None


def score(mentor: Mentor, mentee: Mentee) -> Scored | None:
    """The mentor's score for this mentee, with its explanation; None if the mentor cannot be proposed."""
    if ineligible(mentor, mentee) is not None:
        return None
    skills, covers = skill_cover(mentor, mentee)
    if skills <= 0:
        return None
    overlap = overlap_minutes(mentor.week, mentee.week) / 60
    shared = tuple(sorted(mentor.languages & mentee.languages))
    left = mentor.capacity - mentor.active_mentees
    components = {
        "skills": skills,
        "availability": min(overlap / FULL_OVERLAP_HOURS, 1.0),
        "languages": 1.0 if shared else 0.0,
        "rating": (mentor.rating if mentor.rating is not None else 3.0) / 5,
        "room": left / mentor.capacity,
    }
    total = sum(WEIGHTS[k] * v for k, v in components.items())
    notes = []
    if not shared:
        notes.append("no shared language")
    if overlap == 0:
        notes.append("no overlapping availability")
    return Scored(
        mentor_id=mentor.id,
        score=round(total, 6),
        components={k: round(v, 4) for k, v in components.items()},
        skills=covers,
        overlap_hours=round(overlap, 2),
        shared_languages=shared,
        capacity_left=left,
        rating=mentor.rating,
        notes=tuple(notes),
    )


def top_k(mentors: Iterable[Mentor], mentee: Mentee, k: int) -> list[Scored]:
    """The k best eligible mentors, best first (ties broken by mentor id, so results are stable)."""
    scored = [s for s in (score(m, mentee) for m in mentors) if s is not None]
    scored.sort(key=lambda s: (-s.score, s.mentor_id))
    return scored[:k]

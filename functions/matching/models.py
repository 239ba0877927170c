"""Input and output models of the matching function."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from shared.schema import MULTILINE, Model, Strict


class SkillExplanation(Model):
    skill_id: int
    mentor_level: int
    current_level: int
    target_level: int
    gap_covered: float = Field(description="share of the level gap (target - current) the mentor covers")


class RecommendationPublic(Model):
    mentor_id: UUID
    display_name: str
    score: float
    components: dict[str, float]
    skills: list[SkillExplanation]
    availability_overlap_hours: float
    shared_languages: list[str]
    rating: float | None
    capacity_left: int
    notes: list[str]


class RecommendationsPublic(Model):
    data: list[RecommendationPublic]


class MentorshipRequestCreate(Strict):
    mentor_id: UUID
    message: str = Field("", max_length=2000, json_schema_extra=MULTILINE)


class MentorshipPublic(Model):
    id: UUID
    mentor_id: UUID
    mentee_id: UUID
    status: str
    message: str
    expires_at: datetime | None
    responded_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    mentor_name: str | None = None
    mentee_name: str | None = None


class MentorshipsPublic(Model):
    data: list[MentorshipPublic]
    next_cursor: str | None = Field(None, description="the next page's cursor; null on the last page")


class CohortMatchPublic(Model):
    mentee_id: UUID
    mentor_id: UUID
    score: float
    explanation: dict[str, Any]


class UnmatchedPublic(Model):
    mentee_id: UUID
    reason: str


class CohortRunPublic(Model):
    id: UUID
    program_id: UUID
    status: str = Field(description="queued, running, proposed, confirmed, discarded or failed")
    total_score: float | None
    solver: str | None
    solve_ms: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    confirmed_at: datetime | None
    matches: list[CohortMatchPublic] = Field(description="the first page of proposed matches, best score first")
    matches_next_cursor: str | None = Field(None, description="GET /cohort-runs/{id}/matches?cursor= for more")
    unmatched: list[UnmatchedPublic] = Field(description="the first page of unmatched mentees")
    unmatched_next_cursor: str | None = Field(None, description="GET /cohort-runs/{id}/unmatched?cursor= for more")
    match_count: int = 0
    unmatched_count: int = 0


class CohortMatchesPublic(Model):
    data: list[CohortMatchPublic]
    next_cursor: str | None = None


class UnmatchedListPublic(Model):
    data: list[UnmatchedPublic]
    next_cursor: str | None = None


class CohortConfirmedPublic(Model):
    run_id: UUID
    mentorships_created: int

"""HTTP routes of the matching function."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from matching import logic
from matching.models import (
    CohortConfirmedPublic,
    CohortMatchesPublic,
    CohortRunPublic,
    MentorshipPublic,
    MentorshipRequestCreate,
    MentorshipsPublic,
    RecommendationsPublic,
    UnmatchedListPublic,
)
from shared.auth import Principal
from shared.deps import DEFAULT_LIMIT, Cursor, Limit, current_user
from shared.openapi import EXTRA_STATUSES
from shared.routing import LazyRoute

router = APIRouter(route_class=LazyRoute)
User = Annotated[Principal, Depends(current_user)]


@router.get(
    "/recommendations",
    response_model=RecommendationsPublic,
    tags=["recommendations"],
    openapi_extra={EXTRA_STATUSES: [404]},  # no mentee profile or goals yet
)
async def recommend_mentors(user: User, k: Annotated[int, Query(ge=1, le=50)] = 10) -> RecommendationsPublic:
    return logic.recommend_mentors(principal=user, k=k)


@router.post("/requests", status_code=201, response_model=MentorshipPublic, tags=["mentorships"])
async def request_mentorship(data: MentorshipRequestCreate, user: User) -> MentorshipPublic:
    return logic.request_mentorship(principal=user, mentor_id=data.mentor_id, message=data.message)


@router.post("/requests/{mentorship_id}/accept", response_model=MentorshipPublic, tags=["mentorships"])
async def accept_request(mentorship_id: UUID, user: User) -> MentorshipPublic:
    return logic.respond_to_request(principal=user, mentorship_id=mentorship_id, accept=True)


@router.post("/requests/{mentorship_id}/decline", response_model=MentorshipPublic, tags=["mentorships"])
async def decline_request(mentorship_id: UUID, user: User) -> MentorshipPublic:
    return logic.respond_to_request(principal=user, mentorship_id=mentorship_id, accept=False)


@router.get("/mentorships", response_model=MentorshipsPublic, tags=["mentorships"])
async def list_mentorships(user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> MentorshipsPublic:
    return logic.list_mentorships(principal=user, cursor=cursor, limit=limit)


@router.post("/mentorships/{mentorship_id}/end", response_model=MentorshipPublic, tags=["mentorships"])
async def end_mentorship(mentorship_id: UUID, user: User) -> MentorshipPublic:
    return logic.end_mentorship(principal=user, mentorship_id=mentorship_id)


@router.post("/programs/{program_id}/cohort-runs", status_code=202, response_model=CohortRunPublic, tags=["cohorts"])
async def start_cohort_run(program_id: UUID, user: User) -> CohortRunPublic:
    """Queues a run (202): the cohort function solves it; poll GET /cohort-runs/{id} until it is proposed."""
    return logic.start_cohort_run(principal=user, program_id=program_id)


@router.get("/cohort-runs/{run_id}", response_model=CohortRunPublic, tags=["cohorts"])
async def get_cohort_run(run_id: UUID, user: User) -> CohortRunPublic:
    return logic.get_cohort_run(principal=user, run_id=run_id)


@router.get("/cohort-runs/{run_id}/matches", response_model=CohortMatchesPublic, tags=["cohorts"])
async def list_cohort_matches(
    run_id: UUID, user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> CohortMatchesPublic:
    return logic.list_cohort_matches(principal=user, run_id=run_id, cursor=cursor, limit=limit)


@router.get("/cohort-runs/{run_id}/unmatched", response_model=UnmatchedListPublic, tags=["cohorts"])
async def list_unmatched(
    run_id: UUID, user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> UnmatchedListPublic:
    return logic.list_unmatched(principal=user, run_id=run_id, cursor=cursor, limit=limit)


@router.post("/cohort-runs/{run_id}/confirm", response_model=CohortConfirmedPublic, tags=["cohorts"])
async def confirm_cohort_run(run_id: UUID, user: User) -> CohortConfirmedPublic:
    return logic.confirm_cohort_run(principal=user, run_id=run_id)

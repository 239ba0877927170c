"""Matching use cases: recommendations (SQL candidates, Python scoring), mentorship requests, cohort runs."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from matching.dal import MatchingRepo
from matching.models import (
    CohortConfirmedPublic,
    CohortRunPublic,
    MentorshipPublic,
    MentorshipsPublic,
    RecommendationPublic,
    RecommendationsPublic,
    SkillExplanation,
)
from matching.scoring import Scored, top_k
from shared import db
from shared.auth import Principal
from shared.errors import Forbidden, NotFound, Unprocessable

REQUEST_TTL_DAYS = 7
POOL_FACTOR = 5


def _public(scored: Scored, name: str) -> RecommendationPublic:
    return RecommendationPublic(
        mentor_id=UUID(scored.mentor_id),
        display_name=name,
        score=scored.score,
        components=scored.components,
        skills=[SkillExplanation(**asdict(c)) for c in scored.skills],
        availability_overlap_hours=scored.overlap_hours,
        shared_languages=list(scored.shared_languages),
        rating=scored.rating,
        capacity_left=scored.capacity_left,
        notes=list(scored.notes),
    )


def recommend_mentors(*, principal: Principal, k: int = 10, today: datetime | None = None) -> RecommendationsPublic:
    """The signed-in mentee's top-k mentors: SQL ranks the eligible candidates by the scoring weights (index-backed,
    availability overlaps included) and keeps a pool of POOL_FACTOR x k; the pure scoring functions re-score the
    pool and decide the order and the explanations."""
    week_of = (today or datetime.now(UTC)).date()
    with db.user_transaction(principal.claims) as conn:
        repo = MatchingRepo(conn)
        mentee = repo.mentee(principal.user_id, week_of)
        if mentee is None:
            raise NotFound("create your mentee profile and goals first", field="mentee_profile")
        if not mentee.goals:
            raise Unprocessable("add at least one learning goal", field="goals")
        candidates = repo.candidates(principal.user_id, max(50, POOL_FACTOR * k))
        best = top_k(repo.mentors([c for c, _ in candidates], week_of), mentee, k)
        names = repo.names([UUID(s.mentor_id) for s in best])
    return RecommendationsPublic(data=[_public(s, names.get(s.mentor_id, "")) for s in best])


def _mentorship(row: dict[str, Any]) -> MentorshipPublic:
    return MentorshipPublic(**{k: v for k, v in row.items() if k in MentorshipPublic.model_fields})


def request_mentorship(*, principal: Principal, mentor_id: UUID, message: str) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).request(mentor_id, message, REQUEST_TTL_DAYS))


def respond_to_request(*, principal: Principal, mentorship_id: UUID, accept: bool) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).respond(mentorship_id, accept))


def end_mentorship(*, principal: Principal, mentorship_id: UUID) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).end(mentorship_id))


def list_mentorships(*, principal: Principal) -> MentorshipsPublic:
    with db.user_transaction(principal.claims) as conn:
        return MentorshipsPublic(data=[_mentorship(r) for r in MatchingRepo(conn).mentorships(principal.user_id)])


def expire_requests() -> dict[str, int]:
    with db.transaction() as conn:
        return {"expired_requests": MatchingRepo(conn).expire_requests()}


# Cohorts ---------------------------------------------------------------------------------------------
def _require_admin(principal: Principal) -> None:
    if principal.app_role != "admin":
        raise Forbidden("only platform admins run cohort matching")


def run_cohort(*, program_id: UUID, requested_by: UUID, today: datetime | None = None) -> UUID:
    """Solve a program's cohort exactly and store the proposal (the admin confirms it later). Reads every
    member's profile, so it runs as the system after the caller was checked (HTTP) or from the async job."""
    from matching.cohort import solve_exact

    week_of = (today or datetime.now(UTC)).date()
    with db.transaction() as conn:
        repo = MatchingRepo(conn)
        members = repo.program_members(program_id)
        if members is None:
            raise NotFound("program not found", field="program_id")
        mentor_ids, mentee_ids = members
        mentors, mentees = repo.mentors(mentor_ids, week_of), repo.mentees(mentee_ids, week_of)
    started = time.perf_counter()
    result = solve_exact(mentors, mentees)
    solve_ms = int((time.perf_counter() - started) * 1000)
    matches = [
        (
            mentee_id,
            s.mentor_id,
            s.score,
            {
                "components": s.components,
                "skills": [asdict(c) for c in s.skills],
                "overlap_hours": s.overlap_hours,
                "languages": list(s.shared_languages),
            },
        )
        for mentee_id, s in result.matches.items()
    ]
    with db.transaction() as conn:
        return MatchingRepo(conn).save_run(
            program_id,
            requested_by,
            result.total_score,
            result.solver,
            solve_ms,
            matches,
            list(result.unmatched.items()),
        )


def start_cohort_run(*, principal: Principal, program_id: UUID) -> CohortRunPublic:
    _require_admin(principal)
    run_id = run_cohort(program_id=program_id, requested_by=principal.user_id)
    return get_cohort_run(principal=principal, run_id=run_id)


def get_cohort_run(*, principal: Principal, run_id: UUID) -> CohortRunPublic:
    _require_admin(principal)
    with db.user_transaction(principal.claims) as conn:
        run = MatchingRepo(conn).run(run_id)
    if run is None:
        raise NotFound("cohort run not found", field="run_id")
    return CohortRunPublic(**run)


def confirm_cohort_run(*, principal: Principal, run_id: UUID) -> CohortConfirmedPublic:
    _require_admin(principal)
    with db.user_transaction(principal.claims) as conn:
        created = MatchingRepo(conn).confirm(run_id)
    return CohortConfirmedPublic(run_id=run_id, mentorships_created=created)

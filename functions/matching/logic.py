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
    CohortMatchesPublic,
    CohortRunPublic,
    MentorshipPublic,
    MentorshipsPublic,
    RecommendationPublic,
    RecommendationsPublic,
    SkillExplanation,
    UnmatchedListPublic,
)
from matching.scoring import Scored, top_k
from shared import db
from shared.auth import Principal
from shared.errors import BadGateway, Forbidden, NotFound, Unprocessable
from shared.paging import MAX_PAGE, decode_cursor, page
from shared.settings import get_settings

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
        candidates = repo.candidates(max(50, POOL_FACTOR * k))
        pool = repo.mentors_named([c for c, _ in candidates], week_of)
        best = top_k([mentor for mentor, _ in pool], mentee, k)
        names = {mentor.id: name for mentor, name in pool}
    return RecommendationsPublic(data=[_public(s, names.get(s.mentor_id, "")) for s in best])


_MENTORSHIP_FIELDS = frozenset(MentorshipPublic.model_fields)  # read once (see bookings.dal)


def _mentorship(row: dict[str, Any]) -> MentorshipPublic:
    return MentorshipPublic(**{k: v for k, v in row.items() if k in _MENTORSHIP_FIELDS})


def request_mentorship(*, principal: Principal, mentor_id: UUID, message: str) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).request(mentor_id, message, REQUEST_TTL_DAYS))


def respond_to_request(*, principal: Principal, mentorship_id: UUID, accept: bool) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).respond(mentorship_id, accept))


def end_mentorship(*, principal: Principal, mentorship_id: UUID) -> MentorshipPublic:
    with db.user_transaction(principal.claims) as conn:
        return _mentorship(MatchingRepo(conn).end(mentorship_id))


def list_mentorships(*, principal: Principal, cursor: str | None, limit: int) -> MentorshipsPublic:
    """Open requests and active mentorships, as mentor or mentee, newest first, a page at a time."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        rows = MatchingRepo(conn).mentorships(principal.user_id, after=after, limit=limit + 1)
    shown, next_cursor = page(rows, limit, lambda r: (r["created_at"], r["id"]))
    return MentorshipsPublic(data=[_mentorship(r) for r in shown], next_cursor=next_cursor)


# Cohorts ---------------------------------------------------------------------------------------------
def _require_admin(principal: Principal) -> None:
    if principal.app_role != "admin":
        raise Forbidden("only platform admins run cohort matching")


def solve_cohort_run(run_id: UUID, today: datetime | None = None) -> bool:
    """Solve a queued cohort run exactly and store the proposal (an admin confirms it later). Claims the run
    first, so a repeated delivery of the same job does nothing (returns False). A failure marks the run failed
    with the reason, then propagates (the async invocation's failure destination gets the event). Reads every
    member's profile, so it runs as the system: callers were checked when the run was queued."""
    from matching.cohort import solve_exact

    week_of = (today or datetime.now(UTC)).date()
    with db.transaction() as conn:
        program_id = MatchingRepo(conn).claim_run(run_id)
    if program_id is None:
        return False
    try:
        with db.transaction() as conn:
            repo = MatchingRepo(conn)
            members = repo.program_members(program_id)
            mentor_ids, mentee_ids = members or ([], [])
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
            MatchingRepo(conn).complete_run(
                run_id, result.total_score, result.solver, solve_ms, matches, list(result.unmatched.items())
            )
    except Exception as exc:
        with db.transaction() as conn:
            MatchingRepo(conn).fail_run(run_id, f"{type(exc).__name__}: {exc}")
        raise
    return True


def queue_run(program_id: UUID, requested_by: UUID) -> UUID:
    with db.transaction() as conn:
        run_id = MatchingRepo(conn).queue_run(program_id, requested_by)
    if run_id is None:
        raise NotFound("program not found", field="program_id")
    return run_id


def queue_cohort_run(*, program_id: UUID, requested_by: UUID) -> UUID:
    """A queued run for the program, handed to the cohort function (COHORT_FUNCTION_NAME, invoked
    asynchronously) or, where there is none (local stack, tests), solved right here."""
    run_id = queue_run(program_id, requested_by)
    function_name = get_settings().cohort_function_name
    if function_name is None:
        solve_cohort_run(run_id)
        return run_id
    import json

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    payload = {"run_id": str(run_id), "program_id": str(program_id), "requested_by": str(requested_by)}
    try:
        boto3.client("lambda").invoke(
            FunctionName=function_name, InvocationType="Event", Payload=json.dumps(payload).encode()
        )
    except (BotoCoreError, ClientError) as exc:
        with db.transaction() as conn:
            MatchingRepo(conn).fail_run(run_id, f"could not start the cohort function: {exc}")
        raise BadGateway("the cohort solver could not be started; try again") from exc
    return run_id


def start_cohort_run(*, principal: Principal, program_id: UUID) -> CohortRunPublic:
    _require_admin(principal)
    run_id = queue_cohort_run(program_id=program_id, requested_by=principal.user_id)
    return get_cohort_run(principal=principal, run_id=run_id)


def get_cohort_run(*, principal: Principal, run_id: UUID, limit: int = MAX_PAGE) -> CohortRunPublic:
    """The run, with the first page of its matches and of its unmatched mentees (and the cursors for more)."""
    _require_admin(principal)
    with db.user_transaction(principal.claims) as conn:
        repo = MatchingRepo(conn)
        run = repo.run(run_id)
        if run is None:
            raise NotFound("cohort run not found", field="run_id")
        match_rows = repo.matches(run_id, after=None, limit=limit + 1)
        unmatched_rows = repo.unmatched(run_id, after=None, limit=limit + 1)
    matches, matches_next = page(match_rows, limit, _match_key)
    unmatched, unmatched_next = page(unmatched_rows, limit, lambda u: (u["mentee_id"],))
    return CohortRunPublic(
        **run,
        matches=matches,
        matches_next_cursor=matches_next,
        unmatched=unmatched,
        unmatched_next_cursor=unmatched_next,
    )


def _match_key(match: dict[str, Any]) -> tuple[str, UUID]:
    # The score travels as its exact decimal text (repr round-trips a float; Postgres reads it back exactly).
    return (repr(float(match["score"])), match["mentee_id"])


def list_cohort_matches(*, principal: Principal, run_id: UUID, cursor: str | None, limit: int) -> CohortMatchesPublic:
    _require_admin(principal)
    after = None
    if cursor:
        score_text, mentee_id = decode_cursor(cursor, str, UUID)
        try:
            after = (float(score_text), mentee_id)
        except ValueError as exc:
            raise Unprocessable("not a cursor returned by this API", field="cursor") from exc
    with db.user_transaction(principal.claims) as conn:
        rows = MatchingRepo(conn).matches(run_id, after=after, limit=limit + 1)
    data, next_cursor = page(rows, limit, _match_key)
    return CohortMatchesPublic(data=data, next_cursor=next_cursor)


def list_unmatched(*, principal: Principal, run_id: UUID, cursor: str | None, limit: int) -> UnmatchedListPublic:
    _require_admin(principal)
    after = decode_cursor(cursor, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        rows = MatchingRepo(conn).unmatched(run_id, after=after, limit=limit + 1)
    data, next_cursor = page(rows, limit, lambda u: (u["mentee_id"],))
    return UnmatchedListPublic(data=data, next_cursor=next_cursor)


def confirm_cohort_run(*, principal: Principal, run_id: UUID) -> CohortConfirmedPublic:
    _require_admin(principal)
    with db.user_transaction(principal.claims) as conn:
        created = MatchingRepo(conn).confirm(run_id)
    return CohortConfirmedPublic(run_id=run_id, mentorships_created=created)

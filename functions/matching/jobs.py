"""Scheduled and asynchronous entries of the matching function (no HTTP app is built for them)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.coldstart import init_phase

with init_phase():
    from matching.sweep import expire_requests
    from shared.errors import BadRequest
    from shared.jobs import scheduled_entry
    from shared.observability import logger

    expire_requests_handler = scheduled_entry(expire_requests, metric_prefix="mentorship_requests")


def cohort_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Asynchronous cohort run. Invoked with {"run_id": ...} for a run queued through HTTP, or directly with
    {"program_id": ..., "requested_by": ...} (an admin's user id), which queues one first. (The cohort logic is
    imported here, not with the module: the hourly sweep's cold start loads none of it; a cohort run solves for
    minutes, and its import is nothing beside that.)"""
    from matching.logic import queue_run, solve_cohort_run

    try:
        if "run_id" in event:
            run_id = UUID(str(event["run_id"]))
        else:
            program_id, requested_by = UUID(str(event["program_id"])), UUID(str(event["requested_by"]))
            run_id = queue_run(program_id, requested_by)
    except (KeyError, ValueError) as exc:
        raise BadRequest("the event needs run_id, or program_id and requested_by") from exc
    solved = solve_cohort_run(run_id)
    logger.info("cohort run done" if solved else "cohort run already claimed", extra={"run_id": str(run_id)})
    return {"run_id": str(run_id), "status": "proposed" if solved else "skipped"}

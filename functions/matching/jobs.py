"""Scheduled and asynchronous entries of the matching function (no HTTP app is built for them)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from matching.logic import expire_requests, run_cohort
from shared.app import scheduled_entry
from shared.errors import BadRequest
from shared.observability import logger

expire_requests_handler = scheduled_entry(expire_requests, metric_prefix="mentorship_requests")


def cohort_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Asynchronous cohort run: invoke with {"program_id": ..., "requested_by": ...} (an admin's user id)."""
    try:
        program_id, requested_by = UUID(str(event["program_id"])), UUID(str(event["requested_by"]))
    except (KeyError, ValueError) as exc:
        raise BadRequest("the event needs program_id and requested_by") from exc
    run_id = run_cohort(program_id=program_id, requested_by=requested_by)
    logger.info("cohort run stored", extra={"run_id": str(run_id), "program_id": str(program_id)})
    return {"run_id": str(run_id)}

"""The hourly sweep of the matching function, a scheduled job: unanswered mentorship requests past their time
expired, and cohort runs whose job never finished marked failed. Its logic and its two SQL calls live here, apart
from matching.logic and matching.dal, so that the job's cold start loads none of the request models and none of
the scoring (bench/coldstart.py; the same split as bookings.holds)."""

from __future__ import annotations

from shared import db


def expire_requests() -> dict[str, int]:
    """Expire what is past its time, both in one statement (one transaction, one round trip); the counts, for the
    job's metrics."""
    rows = db.system_rows(
        "select public.expire_mentorship_requests() as expired_requests,"
        " public.fail_stale_cohort_runs() as stale_cohort_runs",
        (),
    )
    return {name: int(count) for name, count in rows[0].items()}

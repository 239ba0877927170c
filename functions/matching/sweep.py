"""The hourly sweep of the matching function, a scheduled job: unanswered mentorship requests past their time
expired, and cohort runs whose job never finished marked failed. Its logic and its two SQL calls live here, apart
from matching.logic and matching.dal, so that the job's cold start loads none of the request models and none of
the scoring (bench/coldstart.py; the same split as bookings.holds)."""

from __future__ import annotations

from shared import db


def expire_requests() -> dict[str, int]:
    """Expire what is past its time; the counts, for the job's metrics."""
    with db.transaction() as conn:
        expired = conn.execute("select public.expire_mentorship_requests() as n").fetchone()
        stale = conn.execute("select public.fail_stale_cohort_runs() as n").fetchone()
    return {
        "expired_requests": int(expired["n"]) if expired else 0,
        "stale_cohort_runs": int(stale["n"]) if stale else 0,
    }

"""The hourly sweep of the matching function, a scheduled job: unanswered mentorship requests past their time
expired, cohort runs whose job never finished marked failed, and stored UTC weeks recomputed after the clocks
change. Its logic and its SQL calls live here, apart from matching.logic and matching.dal, so that the job's cold
start loads none of the request models and none of the scoring (bench/coldstart.py; the same split as
bookings.holds)."""

from __future__ import annotations

import time

from shared import db

# Stored weeks recomputed per transaction (each batch rebuilds its mentors' search rows: about 0.7 ms a mentor, so a
# batch stays well inside the 5 s statement timeout), and how long one run goes on starting batches (the function's
# timeout is 300 s; what a run leaves is the next hour's).
WEEKS_BATCH = 1000
WEEKS_BUDGET_S = 240.0


def expire_requests() -> dict[str, int]:
    """Expire what is past its time, both in one statement (one transaction, one round trip), then bring stored
    weeks up to this week's offsets; the counts, for the job's metrics."""
    rows = db.system_rows(
        "select public.expire_mentorship_requests() as expired_requests,"
        " public.fail_stale_cohort_runs() as stale_cohort_runs",
        (),
    )
    counts = {name: int(count) for name, count in rows[0].items()}
    counts["stale_weeks"] = refresh_stale_weeks()
    return counts


def refresh_stale_weeks(batch: int = WEEKS_BATCH, budget_s: float = WEEKS_BUDGET_S) -> int:
    """Recompute the stored UTC weeks whose zone's offsets changed since they were computed (migration
    20261201000800): the zones' patterns noted once, then a batch per transaction until none is left or the time is
    spent; how many were recomputed."""
    started = time.monotonic()
    db.system_rows("select public.note_week_patterns() as added", ())
    total = 0
    while True:
        done = int(db.system_rows("select public.refresh_stale_weeks(%s) as done", (batch,))[0]["done"])
        total += done
        if done < batch or time.monotonic() - started >= budget_s:
            return total

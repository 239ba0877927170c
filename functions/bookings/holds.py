"""The hold sweep, a scheduled job: lapsed holds freed (waitlists promoted) in short batches, day-old idempotency
keys and write counters purged. Its logic and its three SQL calls live here, apart from bookings.logic and
bookings.dal, so that the job's cold start loads none of the request models (bench/coldstart.py)."""

from __future__ import annotations

from typing import Any

import psycopg

from shared import db

Conn = psycopg.Connection[dict[str, Any]]


class HoldsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def _count(self, query: str, params: tuple[Any, ...] = ()) -> int:
        row = self.conn.execute(query, params).fetchone()
        return int(row["n"]) if row else 0

    def expire_holds(self, limit: int) -> int:
        return self._count("select public.expire_holds(%s) as n", (limit,))

    def purge_idempotency_keys(self) -> int:
        return self._count("select public.purge_idempotency_keys() as n")

    def purge_write_counters(self) -> int:
        return self._count("select public.purge_write_counters() as n")


def expire_lapsed_holds(*, batch_size: int = 500, max_batches: int = 20) -> dict[str, int]:
    """Free every lapsed hold (promoting waitlists) in short batches; purge day-old idempotency keys and write
    counters."""
    expired = 0
    for _ in range(max_batches):
        with db.transaction() as conn:
            n = HoldsRepo(conn).expire_holds(batch_size)
        expired += n
        if n < batch_size:
            break
    with db.transaction() as conn:
        repo = HoldsRepo(conn)
        purged, counters = repo.purge_idempotency_keys(), repo.purge_write_counters()
    return {"expired_holds": expired, "purged_idempotency_keys": purged, "purged_write_counters": counters}

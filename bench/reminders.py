"""Dispatcher benchmark: `python -m bench.reminders` (starts its own Postgres cluster, stops it at the end).

100,000 due deliveries, 2 dispatcher workers (processes, each with its own connection, as two Lambda
invocations would be) claiming batches with leases and FOR UPDATE SKIP LOCKED, composing each email (MIME,
text + HTML) and handing it to an in-memory transport, so the figure measures our code. Prints `due`,
`workers`, `sent_per_s`, `duplicates` and `missing` as its last line (one JSON object).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from typing import Any

import psycopg

from bench.common import create_users, emit, fresh_database, run_processes, running_cluster, use_database

DUE = int(os.environ.get("BENCH_REMINDERS_DUE", "100000"))
WORKERS = int(os.environ.get("BENCH_REMINDERS_WORKERS", "2"))
BATCH = int(os.environ.get("BENCH_REMINDERS_BATCH", "500"))


def seed(dsn: str, due: int) -> None:
    users = [u for u, _ in create_users(dsn, 1000, "member")]
    host = create_users(dsn, 1, "host")[0][0]
    session = str(uuid.uuid4())
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status)"
            " values (%s, %s, 'webinar', 'Bench webinar', now() + interval '2 days', now() + interval '2 days 1 hour',"
            " 10000, 'published')",
            (session, host),
        )
        conn.execute(
            """
            insert into public.deliveries (user_id, kind, session_id, payload, due_at)
            select (%s::uuid[])[1 + (i %% %s)], 'session_changed', %s, '{}'::jsonb, now() - interval '1 second'
            from generate_series(1, %s) i
            """,
            (users, len(users), session, due),
        )
        conn.execute("vacuum analyze public.deliveries")


def _worker(dsn: str, barrier: Any, out: Any) -> None:
    try:
        use_database(dsn)
        from reminders.logic import dispatch
        from reminders.transports import MemoryTransport

        transport = MemoryTransport()
        barrier.wait()
        started = time.perf_counter()
        result = dispatch(transport=transport, batch_size=BATCH, time_budget_seconds=900)
        out.put(
            {"ids": [m for m, _ in transport.sent], "started": started, "ended": time.perf_counter(), "result": result}
        )
    except Exception as exc:
        out.put({"error": repr(exc)})


def main() -> int:
    with running_cluster("bench_reminders") as cluster:
        seed(fresh_database(cluster), DUE)
        results, _ = run_processes(_worker, [(cluster.dsn,)] * WORKERS, what="dispatchers", timeout=1800)
        elapsed = max(r["ended"] for r in results) - min(r["started"] for r in results)
        ids = Counter(i for r in results for i in r["ids"])
        with psycopg.connect(cluster.dsn) as conn:
            expected = {f"delivery-{r[0]}@skillswap.dev" for r in conn.execute("select id from public.deliveries")}
            statuses: dict[str, int] = dict(
                conn.execute("select status::text, count(*) from public.deliveries group by 1").fetchall()
            )
        print(
            f"{DUE} due, {WORKERS} workers: {sum(ids.values())} handed over in {elapsed:.2f}s;"
            f" per worker {[r['result']['sent'] for r in results]}; statuses {statuses}"
        )
        emit(
            {
                "due": DUE,
                "workers": WORKERS,
                "batch_size": BATCH,
                "sent_per_s": round(sum(ids.values()) / elapsed, 1),
                "duplicates": sum(n - 1 for n in ids.values() if n > 1),
                "missing": len(expected - set(ids)),
            }
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

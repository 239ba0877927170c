"""Dispatcher benchmark: `python -m bench.reminders` (starts its own Postgres cluster, stops it at the end).

At each scale (100,000 and 1,000,000 due deliveries by default, `BENCH_REMINDERS_SCALES`), two workers
(processes, each with its own connection, as two Lambda invocations would be) empty the queue twice:

- the reference: only the database work a message needs — claim the batch (leases, FOR UPDATE SKIP LOCKED),
  mark each message sent — and no email built;
- the dispatcher, unpaced: the same claims, each email composed (MIME, text + HTML) and handed to an in-memory
  transport, marked as it goes; every message handed over exactly once (counted).

`reminders_ratio` is the dispatcher's rate over the reference's at the largest scale;
`reminders_cost_growth_1m_over_100k` its cost per message at the largest scale over that at the smallest. Then,
paced: two workers with the account's rate set to `BENCH_REMINDERS_PACED_RATE` (400/s) send 4,000 messages;
`reminders_paced_ratio` is the rate they achieved over the rate allowed (at most 1), and the busiest second of
the run is printed. Last line: one JSON object.
"""

from __future__ import annotations

import os
import re
import sys
import time
import uuid
from collections import Counter
from typing import Any

import psycopg

from bench.common import (
    busiest_second,
    create_users,
    emit,
    fresh_database,
    run_processes,
    running_cluster,
    use_database,
)

SCALES = [int(n) for n in os.environ.get("BENCH_REMINDERS_SCALES", "100000,1000000").split(",")]
WORKERS = int(os.environ.get("BENCH_REMINDERS_WORKERS", "2"))
BATCH = int(os.environ.get("BENCH_REMINDERS_BATCH", "500"))
PACED_RATE = float(os.environ.get("BENCH_REMINDERS_PACED_RATE", "400"))
PACED_COUNT = int(os.environ.get("BENCH_REMINDERS_PACED_COUNT", "4000"))
_DELIVERY = re.compile(r"^delivery-(\d+)@")


def seed_people(dsn: str) -> tuple[list[str], str]:
    """1,000 members and a webinar their messages are about."""
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
    return users, session


def fill_queue(dsn: str, people: tuple[list[str], str], due: int) -> None:
    """An empty queue, then `due` deliveries due now."""
    users, session = people
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("truncate public.deliveries")
        conn.execute(
            """
            insert into public.deliveries (user_id, kind, session_id, payload, due_at)
            select (%s::uuid[])[1 + (i %% %s)], 'session_changed', %s, '{}'::jsonb, now() - interval '1 second'
            from generate_series(1, %s) i
            """,
            (users, len(users), session, due),
        )
        conn.execute("vacuum analyze public.deliveries")
    print(f"  queue of {due:,} filled in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)


def _reference_worker(dsn: str, barrier: Any, out: Any) -> None:
    """Only the database work of each message: the batch claimed, each message marked sent."""
    try:
        use_database(dsn)
        from reminders import dal
        from shared.settings import get_settings

        lease = get_settings().delivery_lease_seconds
        barrier.wait()
        started, handled = time.perf_counter(), 0
        while True:
            batch = dal.claim_batch(BATCH, lease)
            for item in batch:
                dal.mark_sent(item["id"], f"ref-{item['id']}")
            handled += len(batch)
            if len(batch) < BATCH:
                break
        out.put({"handled": handled, "started": started, "ended": time.perf_counter()})
    except Exception as exc:
        out.put({"error": repr(exc)})


def _dispatcher(dsn: str, rate: float | None, barrier: Any, out: Any) -> None:
    """The dispatcher itself; the delivery ids it handed over, and when."""
    try:
        use_database(dsn)
        from reminders.logic import dispatch
        from reminders.transports import MemoryTransport

        transport = MemoryTransport()
        times: list[float] = []
        send = transport.send

        def timed(message: Any, *, to: str) -> str:
            times.append(time.perf_counter())
            return send(message, to=to)

        transport.send = timed  # type: ignore[method-assign]
        barrier.wait()
        started = time.perf_counter()
        result = dispatch(transport=transport, batch_size=BATCH, time_budget_seconds=3600, max_send_rate=rate)
        ids = [int(m.group(1)) for mid, _ in transport.sent if (m := _DELIVERY.match(mid))]
        out.put(
            {
                "ids": ids,
                "times": times if rate else [],
                "started": started,
                "ended": time.perf_counter(),
                "result": result,
            }
        )
    except Exception as exc:
        out.put({"error": repr(exc)})


def _span(results: list[dict[str, Any]]) -> float:
    return float(max(r["ended"] for r in results) - min(r["started"] for r in results))


def run_scale(dsn: str, people: tuple[list[str], str], due: int) -> dict[str, Any]:
    fill_queue(dsn, people, due)
    ref, _ = run_processes(_reference_worker, [(dsn,)] * WORKERS, what="reference", timeout=3600)
    ref_rate = sum(r["handled"] for r in ref) / _span(ref)
    fill_queue(dsn, people, due)
    ours, _ = run_processes(_dispatcher, [(dsn, None)] * WORKERS, what="dispatchers", timeout=3600)
    elapsed = _span(ours)
    ids = Counter(i for r in ours for i in r["ids"])
    with psycopg.connect(dsn) as conn:
        expected = {row[0] for row in conn.execute("select id from public.deliveries")}
        statuses: dict[str, int] = dict(
            conn.execute("select status::text, count(*) from public.deliveries group by 1").fetchall()
        )
    rate = sum(ids.values()) / elapsed
    figures = {
        "due": due,
        "sent_per_s": round(rate, 1),
        "ref_per_s": round(ref_rate, 1),
        "ratio": round(rate / ref_rate, 3),
        "us_per_message": round(elapsed * WORKERS / due * 1e6, 1),
        "duplicates": sum(n - 1 for n in ids.values() if n > 1),
        "missing": len(expected - set(ids)),
    }
    print(
        f"{due:>9,} due, {WORKERS} workers: dispatcher {rate:,.0f}/s, reference (claim + mark only)"
        f" {ref_rate:,.0f}/s, ratio {figures['ratio']}; {figures['us_per_message']} µs of a worker per message;"
        f" duplicates {figures['duplicates']}, missing {figures['missing']}; statuses {statuses}",
        flush=True,
    )
    return figures


def run_paced(dsn: str, people: tuple[list[str], str]) -> dict[str, Any]:
    fill_queue(dsn, people, PACED_COUNT)
    results, _ = run_processes(_dispatcher, [(dsn, PACED_RATE)] * WORKERS, what="paced dispatchers", timeout=600)
    times = sorted(t for r in results for t in r["times"])
    ids = Counter(i for r in results for i in r["ids"])
    span = times[-1] - times[0]
    achieved = (len(times) - 1) / span
    busiest = busiest_second(times)
    figures = {
        "paced_ratio": round(achieved / PACED_RATE, 3),
        "paced_busiest_second": busiest,
        "paced_duplicates": sum(n - 1 for n in ids.values() if n > 1),
        "paced_sent": sum(ids.values()),
    }
    print(
        f"paced at {PACED_RATE:g}/s, {WORKERS} workers, {PACED_COUNT:,} messages: {achieved:,.1f}/s achieved"
        f" ({figures['paced_ratio']} of the allowed rate); busiest second {busiest} messages;"
        f" per worker {[r['result']['sent'] for r in results]}",
        flush=True,
    )
    return figures


def main() -> int:
    with running_cluster("bench_reminders") as cluster:
        dsn = fresh_database(cluster)
        people = seed_people(dsn)
        scales = {due: run_scale(dsn, people, due) for due in SCALES}
        paced = run_paced(dsn, people)
    small, large = scales[min(SCALES)], scales[max(SCALES)]
    emit(
        {
            "due": large["due"],
            "workers": WORKERS,
            "batch_size": BATCH,
            "sent_per_s": scales[min(SCALES)]["sent_per_s"],
            "sent_per_s_largest": large["sent_per_s"],
            "reminders_ref_per_s": large["ref_per_s"],
            "reminders_ratio": large["ratio"],
            "reminders_cost_growth_1m_over_100k": round(large["us_per_message"] / small["us_per_message"], 3),
            "duplicates": sum(s["duplicates"] for s in scales.values()) + paced["paced_duplicates"],
            "missing": sum(s["missing"] for s in scales.values()),
            "reminders_lost_or_doubled": sum(s["missing"] + s["duplicates"] for s in scales.values())
            + paced["paced_duplicates"],
            "reminders_paced_ratio": paced["paced_ratio"],
            "reminders_paced_busiest_second": paced["paced_busiest_second"],
            "reminders_paced_rate": PACED_RATE,
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

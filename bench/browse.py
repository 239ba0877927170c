"""Browse benchmark: `python -m bench.browse` (starts its own Postgres cluster, stops it at the end).

The session search, the most frequent request of all, through the bookings Lambda handler (Function URL event,
Mangum, FastAPI, pydantic, the caller's transaction, SQL) on two databases: one with BENCH_BROWSE_SMALL sessions
(default 10 k) and one with BENCH_BROWSE_LARGE (default 1 M) and BENCH_BROWSE_BOOKINGS bookings per session
(default 10: 10 M bookings). A mixed workload — the first page, filters (format and price), free text (a common, a
middling and a rare word), a skill, and the fifth keyset page — is timed in alternating blocks on both, so machine
noise hits both alike.

browse_ratio = p50 of the whole workload on the large database ÷ on the small one (target ≤ 1.3); each query's own
ratio is printed too, and the plan of every query on the large database, which must use an index (no sequential
scan of sessions). The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psycopg
import psycopg.sql

from bench.common import bench_cluster, create_users, emit, median, running_cluster, use_database

SMALL = int(os.environ.get("BENCH_BROWSE_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_BROWSE_LARGE", "1000000"))
BOOKINGS_PER_SESSION = int(os.environ.get("BENCH_BROWSE_BOOKINGS", "10"))
ROUNDS = int(os.environ.get("BENCH_BROWSE_ROUNDS", "30"))
TARGET_RATIO = 1.3
HOSTS = 200
LEARNERS = 1000

# Title words: a Zipf-like vocabulary, so free text meets common, middling and rare words as people type them.
WORDS = [f"topic{i}" for i in range(400)]
COMMON, MIDDLING, RARE = "topic0", "topic40", "topic399"
QUERIES: dict[str, dict[str, str]] = {
    "first_page": {},
    "filters": {"format": "workshop", "max_price": "2000"},
    "text_common": {"q": COMMON},
    "text_middling": {"q": MIDDLING},
    "text_rare": {"q": RARE},
    "skill": {"skill": "skill-7"},
}
PAGES_DEEP = 5


def fill(dsn: str, sessions: int, bookings_per_session: int) -> None:
    """Published sessions over the coming year (titles from the vocabulary, one skill each) and bookings, bulk-loaded
    with triggers off (the counters they keep are set directly), then analysed."""
    hosts = [h for h, _ in create_users(dsn, HOSTS, prefix="host")]
    learners = [learner for learner, _ in create_users(dsn, LEARNERS, prefix="learner")]
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into public.skills (slug, name, category) select 'skill-' || i, 'Skill ' || i, 'Bench'"
            " from generate_series(0, 49) i"
        )
        conn.execute("set session_replication_role = replica")  # bulk load: no triggers (counters set below)
        conn.execute(
            """
            insert into public.sessions (host_id, format, title, description, starts_at, ends_at, capacity,
                                         seats_taken, price_amount, currency, timezone, status, published_at)
            select (%(hosts)s::uuid[])[1 + i %% %(n_hosts)s],
                   (array['workshop', 'webinar']::public.session_format[])[1 + i %% 2],
                   'Session ' || i || ': ' || (%(words)s::text[])[1 + floor(400 * power(random(), 3))::int]
                     || ' and ' || (%(words)s::text[])[1 + floor(400 * power(random(), 3))::int],
                   'Notes on ' || (%(words)s::text[])[1 + floor(400 * power(random(), 3))::int],
                   now() + interval '1 hour' + (i %% 525600) * interval '1 minute',
                   now() + interval '2 hours' + (i %% 525600) * interval '1 minute',
                   %(per)s + 5, %(per)s, (i %% 6) * 500, 'usd', 'UTC', 'published', now()
            from generate_series(1, %(n)s) i
            """,
            {"hosts": hosts, "n_hosts": len(hosts), "words": WORDS, "per": bookings_per_session, "n": sessions},
        )
        # hashtext() is int4: its absolute value and `k * 97 + abs(...)` are taken in int8, since in int4 they
        # overflow for one session in about two million draws, which failed about one run in three at 1 M sessions.
        conn.execute(
            "insert into public.session_skills (session_id, skill_id)"
            " select s.id, (select id from public.skills"
            "               where slug = 'skill-' || (abs(hashtext(s.id::text)::int8) % 50))"
            " from public.sessions s"
        )
        conn.execute(
            """
            insert into public.bookings (session_id, learner_id, status, amount, currency, confirmed_at)
            select s.id,
                   (%(learners)s::uuid[])[(1 + (k * 97 + abs(hashtext(s.id::text)::int8)) %% %(n_learners)s)::int4],
                   'confirmed', 0, 'usd', now()
            from public.sessions s, generate_series(1, %(per)s) k
            """,
            {"learners": learners, "n_learners": len(learners), "per": bookings_per_session},
        )
        conn.execute("set session_replication_role = origin")
        conn.execute("vacuum analyze")
        count = conn.execute("select (select count(*) from public.sessions), (select count(*) from public.bookings)")
        n_sessions, n_bookings = count.fetchone() or (0, 0)
    print(
        f"browse: filled {n_sessions:,} sessions and {n_bookings:,} bookings in {time.monotonic() - started:.0f} s",
        flush=True,
    )


def _get(query: dict[str, str]) -> dict[str, Any]:
    from bookings.handler import lambda_handler
    from infra.lambda_events import function_url_event, invoke

    reply = invoke(lambda_handler, function_url_event("GET", "/sessions", query=query))
    assert reply.status == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _deep_page() -> None:
    cursor = None
    for _ in range(PAGES_DEEP):
        page = _get({"limit": "20", **({"cursor": cursor} if cursor else {})})
        cursor = page["next_cursor"]


def time_workload(dsn: str) -> dict[str, float]:
    use_database(dsn)
    timings: dict[str, float] = {}
    for name, query in QUERIES.items():
        started = time.perf_counter()
        _get({"limit": "20", **query})
        timings[name] = time.perf_counter() - started
    started = time.perf_counter()
    _deep_page()
    timings["page_5"] = (time.perf_counter() - started) / PAGES_DEEP
    return timings


def plans(dsn: str) -> dict[str, str]:
    """The plan of each main query on a database, as a visitor's search runs it: the page is chosen inside
    `search_session_ids` (a nested statement), so its plan is taken from auto_explain (Postgres contrib), sent back
    as a notice."""
    from datetime import UTC, datetime

    from bookings.dal import BookingsRepo
    from bookings.models import SessionSearch

    out: dict[str, str] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        for setting in (
            "load 'auto_explain'",
            "set auto_explain.log_min_duration = 0",
            "set auto_explain.log_nested_statements = on",
            "set auto_explain.log_level = 'notice'",
        ):
            conn.execute(setting)
        for name, query in QUERIES.items():
            search = SessionSearch.model_validate({"limit": 20, **query})
            notices.clear()
            with conn.transaction():
                conn.execute("set local role anon")
                conn.execute("select set_config('request.jwt.claims', '{\"role\": \"anon\"}', true)")
                sql_query, params = BookingsRepo(conn, visitor=True).search_query(  # type: ignore[arg-type]
                    search, datetime.now(UTC), None
                )
                conn.execute(sql_query, params).fetchall()
            inner = [n for n in notices if "from public.sessions s where s.status" in n]
            out[name] = inner[0].split("\n", 1)[1] if inner else "(no plan captured)"
    return out


def main() -> int:
    with running_cluster("bench_browse_small") as cluster:
        cluster.recreate_database()
        small_dsn = _prepared(cluster)
        fill(small_dsn, SMALL, BOOKINGS_PER_SESSION)
        large_cluster = bench_cluster("bench_browse_large")
        large_cluster.recreate_database()
        large_dsn = _prepared(large_cluster)
        fill(large_dsn, LARGE, BOOKINGS_PER_SESSION)
        samples: dict[str, dict[str, list[float]]] = {"small": {}, "large": {}}
        for dsn in (small_dsn, large_dsn):  # warm both: first connections, caches
            time_workload(dsn)
        for _ in range(ROUNDS):
            for size, dsn in (("small", small_dsn), ("large", large_dsn)):
                for name, seconds in time_workload(dsn).items():
                    samples[size].setdefault(name, []).append(seconds)
        query_plans = plans(large_dsn)
    per_query = {
        name: round(median(samples["large"][name]) / median(samples["small"][name]), 3) for name in samples["small"]
    }
    everything = {size: [s for runs in samples[size].values() for s in runs] for size in samples}
    p50_small, p50_large = median(everything["small"]), median(everything["large"])
    seq_scans = [name for name, plan in query_plans.items() if "Seq Scan on sessions" in plan]
    for name, plan in query_plans.items():
        print(f"browse: plan of {name} on {LARGE:,} sessions:\n    " + plan.replace("\n", "\n    "), flush=True)
    for name, ratio in per_query.items():
        print(
            f"browse: {name:<14} p50 {median(samples['small'][name]) * 1000:6.2f} ms at {SMALL:,} →"
            f" {median(samples['large'][name]) * 1000:6.2f} ms at {LARGE:,} ({ratio}x)",
            flush=True,
        )
    result = {
        "browse_sessions_small": SMALL,
        "browse_sessions_large": LARGE,
        "browse_bookings_large": LARGE * BOOKINGS_PER_SESSION,
        "browse_p50_ms_small": round(p50_small * 1000, 3),
        "browse_p50_ms_large": round(p50_large * 1000, 3),
        "browse_ratio": round(p50_large / p50_small, 3),
        "browse_query_ratios": per_query,
        "browse_seq_scans": seq_scans,
        "browse_seq_scan_count": len(seq_scans),
    }
    result["targets_met"] = p50_large / p50_small <= TARGET_RATIO and not seq_scans
    emit(result)
    return 0


def _prepared(cluster: Any) -> str:
    from infra.localdb import prepare

    prepare(cluster, seed=False)
    return str(cluster.dsn)


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark plumbing: a dedicated Postgres cluster (own port and folder), bulk users with tokens, timing."""

from __future__ import annotations

import bisect
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from infra.localauth import INSERT_IDENTITIES_SQL, INSTANCE_ID, TOKEN_COLUMNS
from infra.localdb import Cluster, prepare
from infra.localenv import LOCAL_DIR, function_env
from infra.token import mint_token

BENCH_DB_PORT = int(os.environ.get("SKILLSWAP_BENCH_DB_PORT", "54350"))


def bench_cluster(database: str) -> Cluster:
    return Cluster(LOCAL_DIR / "pgbench", BENCH_DB_PORT, database)


@contextmanager
def running_cluster(database: str) -> Iterator[Cluster]:
    """The bench cluster, started if it was not running (and then stopped at the end), for `database`."""
    cluster = bench_cluster(database)
    started = not cluster.is_running()
    cluster.start()
    try:
        yield cluster
    finally:
        if started:
            cluster.stop()


def fresh_database(cluster: Cluster) -> str:
    """Drop and recreate the cluster's database with the migrations applied; its DSN.

    The per-user write limits are lifted out of the way (each benchmark learner books far more than a person
    would): the benchmarks measure the write paths, and every write still pays for its counter row."""
    cluster.recreate_database()
    prepare(cluster, seed=False)
    with psycopg.connect(cluster.dsn, autocommit=True) as conn:
        conn.execute(
            "update public.platform_settings set value = (select jsonb_object_agg(action, rule || %s::jsonb)"
            " from jsonb_each(value) as r(action, rule)) where key = 'write_rate_limits'",
            ('{"max": 1000000000}',),
        )
    return cluster.dsn


def use_database(dsn: str) -> None:
    """Point the functions of this process at `dsn` (settings and connection re-read on next use)."""
    os.environ.update(function_env(database_url=dsn))
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    from shared import db
    from shared.settings import get_settings

    get_settings.cache_clear()
    db.reset_connection()


def create_users(dsn: str, count: int, prefix: str = "bench") -> list[tuple[str, str]]:
    """`count` users (auth.users rows; the sign-up trigger makes profiles). Returns (id, token) pairs."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    # As Supabase Auth writes them (infra.localauth), without passwords, by COPY for speed.
    columns = (
        "instance_id",
        "id",
        "aud",
        "role",
        "email",
        "raw_user_meta_data",
        "created_at",
        "updated_at",
        *TOKEN_COLUMNS,
    )
    copy_sql = f"copy auth.users ({', '.join(columns)}) from stdin"
    with psycopg.connect(dsn, autocommit=True) as conn:
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for i, user_id in enumerate(ids):
                meta = json.dumps({"display_name": f"{prefix} {i}"})
                email = f"{prefix}-{user_id[:13]}@bench.test"
                tokens = ("",) * len(TOKEN_COLUMNS)
                copy.write_row(
                    (INSTANCE_ID, user_id, "authenticated", "authenticated", email, meta, "now", "now", *tokens)
                )
        conn.execute(INSERT_IDENTITIES_SQL, (ids,))
    return [(user_id, mint_token(user_id=user_id, email=None, ttl_seconds=6 * 3600)) for user_id in ids]


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def busiest_second(times: list[float]) -> int:
    """The most of these moments (seconds) that fall within any one second."""
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, start + 1.0) - i for i, start in enumerate(ordered)), default=0)


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def emit(result: dict[str, Any]) -> None:
    """The benchmark's last line: one JSON object."""
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()


def run_processes(
    target: Callable[..., None], per_process_args: list[tuple[Any, ...]], *, what: str, timeout: float
) -> tuple[list[dict[str, Any]], float]:
    """One fresh interpreter per argument tuple running `target(*args, barrier, out)`; all released together
    once every one is ready. Each puts one result dict on `out` (or {"error": ...}). Returns the results and
    the moment of release; raises if any process failed."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(per_process_args) + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, out), daemon=True) for args in per_process_args]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=300)
    released = time.perf_counter()
    results = [out.get(timeout=timeout) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError(f"{what} failed: {errors[:3]}")
    return results, released

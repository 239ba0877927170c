"""Matching benchmark: `python -m bench.matching` (starts its own Postgres cluster, stops it at the end).

- Recommendations: top-10 through the real matching handler for mentees with 1-3 goals, with 5 k, 50 k and 500 k
  mentors in Postgres (a database each, measured in alternating blocks; BENCH_REC_MENTORS): `rec_p50_ms_5k`,
  `rec_p50_ms_50k`, `rec_p50_ms_500k`, and each step's growth (`rec_growth_500k_over_50k`).
- Cohort: 5,000 mentees x 1,000 mentors from the same synthetic generator, scored once; the same eligible
  pairs solved by our exact sparse solver and by the reference exact solver (SciPy's dense
  linear_sum_assignment), alternating, median of BENCH_COHORT_RUNS (3) each, and once by greedy:
  `cohort_score_ratio`, `cohort_time_ratio`, `greedy_score_ratio`. Each solver's time starts from the same
  scored pairs and includes building its own graph or matrix.
- Large cohort: 50,000 mentees x 10,000 mentors (capacities 1-5), about 10^8 eligible pairs, where no dense
  reference can run: the solver's dual certificate proves the optimum (`cohort_large_score_ratio` = total ÷ dual
  bound, 1.0 when proven), `cohort_large_solve_s` is scoring + solving, `cohort_large_peak_mb` the process's peak.
Prints one JSON object as its last line.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import time
import uuid
from typing import Any

import psycopg

from bench.common import bench_cluster, create_users, emit, fresh_database, running_cluster, use_database

SEED = int(os.environ.get("BENCH_SEED", "7"))
SKILLS = 60
LANGUAGES = ["en", "es", "fr", "de", "hi", "pt"]
TIMEZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo"]
REC_MENTEES = int(os.environ.get("BENCH_REC_MENTEES", "40"))
REC_ROUNDS = int(os.environ.get("BENCH_REC_ROUNDS", "5"))
REC_SIZES = [int(n) for n in os.environ.get("BENCH_REC_MENTORS", "5000,50000,500000").split(",")]
COHORT_MENTEES = int(os.environ.get("BENCH_COHORT_MENTEES", "5000"))
COHORT_MENTORS = int(os.environ.get("BENCH_COHORT_MENTORS", "1000"))
COHORT_RUNS = int(os.environ.get("BENCH_COHORT_RUNS", "3"))
LARGE_MENTEES = int(os.environ.get("BENCH_COHORT_LARGE_MENTEES", "50000"))
LARGE_MENTORS = int(os.environ.get("BENCH_COHORT_LARGE_MENTORS", "10000"))


# A realistic synthetic population: popular skills are popular, mentors skew senior, people speak 1-2 languages
_ZIPF = [1 / rank for rank in range(1, SKILLS + 1)]


def _skill(rng: random.Random) -> int:
    """Skill popularity with a Zipf long tail: the most popular of 60 skills is about one pick in five."""
    return rng.choices(range(1, SKILLS + 1), weights=_ZIPF)[0]


def synth_mentor(rng: random.Random) -> dict[str, Any]:
    skills = {_skill(rng): rng.choice([3, 4, 4, 5, 5]) for _ in range(rng.randint(1, 4))}
    windows = [
        (rng.randrange(7), start, start + rng.choice([60, 90, 120]))
        for start in (rng.randrange(6, 20) * 60 for _ in range(rng.randint(1, 4)))
    ]
    return {
        "skills": skills,
        "capacity": rng.randint(1, 4),
        "accepting": rng.random() > 0.1,
        "languages": sorted({"en"} | set(rng.sample(LANGUAGES, rng.randint(0, 1)))),
        "timezone": rng.choice(TIMEZONES),
        "windows": windows,
        "years": round(rng.uniform(1, 25), 1),
    }


def synth_mentee(rng: random.Random) -> dict[str, Any]:
    goals = {}
    for _ in range(rng.randint(1, 3)):
        current = rng.randint(0, 3)
        goals[_skill(rng)] = (current, min(5, current + rng.randint(1, 2)))
    windows = [
        (rng.randrange(7), start, start + rng.choice([60, 120]))
        for start in (rng.randrange(6, 21) * 60 for _ in range(rng.randint(1, 3)))
    ]
    return {
        "goals": goals,
        "languages": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2)))),
        "timezone": rng.choice(TIMEZONES),
        "windows": windows,
    }


# Recommendations against Postgres ---------------------------------------------------------------------
def seed_database(dsn: str, mentors: int, mentees: int, rng: random.Random) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into public.skills (slug, name, category) select 's' || i, 'Skill ' || i, 'Bench'"
            " from generate_series(1, %s) i",
            (SKILLS,),
        )
        skill_ids = [r[0] for r in conn.execute("select id from public.skills order by id").fetchall()]
    mentor_ids = [u for u, _ in create_users(dsn, mentors, "mentor")]
    mentee_users = create_users(dsn, mentees, "mentee")
    profiles: list[tuple[Any, ...]] = []
    skill_rows: list[tuple[Any, ...]] = []
    windows: list[tuple[Any, ...]] = []
    for user_id in mentor_ids:
        m = synth_mentor(rng)
        profiles.append((user_id, m["accepting"], m["capacity"], m["years"], m["languages"], m["timezone"]))
        skill_rows += [(user_id, skill_ids[s - 1], lvl) for s, lvl in m["skills"].items()]
        windows += [(user_id, d, s, e) for d, s, e in m["windows"]]
    goal_rows: list[tuple[Any, ...]] = []
    mentee_profiles: list[tuple[Any, ...]] = []
    for user_id, _ in mentee_users:
        e = synth_mentee(rng)
        mentee_profiles.append((user_id, e["languages"], e["timezone"]))
        goal_rows += [(user_id, skill_ids[s - 1], c, t) for s, (c, t) in e["goals"].items()]
        windows += [(user_id, d, s, end) for d, s, end in e["windows"]]
    # Windows first: a profile then takes its UTC week from them as it is inserted (the profile trigger), rather
    # than every window updating its profile and rebuilding that mentor's search rows one at a time (the
    # per-window trigger a user's edit runs; at 500 k mentors that order takes tens of minutes). Same rows.
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        for table, rows in (
            ("availability_windows (user_id, weekday, start_minute, end_minute)", windows),
            ("mentor_profiles (user_id, accepting, capacity, years_experience, languages, timezone)", profiles),
            ("mentor_skills (mentor_id, skill_id, level)", skill_rows),
            ("mentee_profiles (user_id, languages, timezone)", mentee_profiles),
            ("mentee_goals (mentee_id, skill_id, current_level, target_level)", goal_rows),
        ):
            with cur.copy(f"copy public.{table} from stdin") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.execute("vacuum analyze")
    return [token for _, token in mentee_users]


def measure_recommendations(dsns: dict[str, str], tokens: dict[str, list[str]]) -> dict[str, float]:
    from infra.lambda_events import function_url_event, invoke
    from matching.handler import lambda_handler

    samples: dict[str, list[float]] = {name: [] for name in dsns}
    for _ in range(REC_ROUNDS):
        for name, dsn in dsns.items():
            use_database(dsn)
            invoke(lambda_handler, function_url_event("GET", "/health"))  # reconnect outside the timing
            for token in tokens[name]:
                event = function_url_event("GET", "/recommendations", token=token, query={"k": "10"})
                started = time.perf_counter()
                reply = invoke(lambda_handler, event)
                samples[name].append(time.perf_counter() - started)
                if reply.status != 200:
                    raise RuntimeError(f"recommendations failed: {reply.status} {reply.text}")
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


# Cohort ----------------------------------------------------------------------------------------------
def cohort_population(
    rng: random.Random, n_mentees: int, n_mentors: int, capacities: tuple[int, int]
) -> tuple[list[Any], list[Any]]:
    """Mentors and mentees of the synthetic generator as scoring objects, their weeks in one winter week."""
    from datetime import date

    from matching.scoring import Mentee, Mentor, Window, to_utc_week

    week = date(2027, 1, 11)
    mentors = []
    for _ in range(n_mentors):
        m = synth_mentor(rng)
        mentors.append(
            Mentor(
                id=str(uuid.uuid4()),
                skills=m["skills"],
                capacity=rng.randint(*capacities),
                active_mentees=0,
                accepting=m["accepting"],
                languages=frozenset(m["languages"]),
                years=m["years"],
                rating=round(rng.uniform(3, 5), 2) if rng.random() > 0.3 else None,
                week=to_utc_week([Window(*w) for w in m["windows"]], m["timezone"], week),
            )
        )
    mentees = []
    for _ in range(n_mentees):
        e = synth_mentee(rng)
        mentees.append(
            Mentee(
                id=str(uuid.uuid4()),
                goals=e["goals"],
                languages=frozenset(e["languages"]),
                week=to_utc_week([Window(*w) for w in e["windows"]], e["timezone"], week),
            )
        )
    return mentors, mentees


def measure_cohort(rng: random.Random) -> dict[str, float]:
    from matching.cohort import eligible_edges, solve_dense, solve_exact, solve_greedy

    mentors, mentees = cohort_population(rng, COHORT_MENTEES, COHORT_MENTORS, (1, 4))
    started = time.perf_counter()
    edges = eligible_edges(mentors, mentees)
    scoring_s = time.perf_counter() - started
    # Alternating runs, median of each: neither solver profits from going second (warm caches, allocator).
    ours_runs, reference_runs = [], []
    for _ in range(COHORT_RUNS):
        ours_runs.append(solve_exact(mentors, mentees, edges))
        reference_runs.append(solve_dense(mentors, mentees, edges))
    ours = sorted(ours_runs, key=lambda r: r.solve_seconds)[COHORT_RUNS // 2]
    reference = sorted(reference_runs, key=lambda r: r.solve_seconds)[COHORT_RUNS // 2]
    greedy = solve_greedy(mentors, mentees, edges)
    pairs = len(edges)
    print(
        f"cohort {COHORT_MENTEES} x {COHORT_MENTORS}: {pairs} eligible pairs scored in {scoring_s:.2f}s;"
        f" exact {ours.total_score:.3f} in {ours.solve_seconds:.2f}s ({len(ours.matches)} matched),"
        f" reference {reference.total_score:.3f} in {reference.solve_seconds:.2f}s,"
        f" greedy {greedy.total_score:.3f} in {greedy.solve_seconds:.2f}s"
    )
    return {
        "cohort_mentees": COHORT_MENTEES,
        "cohort_mentors": COHORT_MENTORS,
        "cohort_eligible_pairs": pairs,
        "cohort_matched": len(ours.matches),
        "cohort_score_ratio": round(ours.total_score / reference.total_score, 6),
        "cohort_time_ratio": round(ours.solve_seconds / reference.solve_seconds, 4),
        "cohort_solve_s": round(ours.solve_seconds, 3),
        "reference_solve_s": round(reference.solve_seconds, 3),
        "greedy_score_ratio": round(greedy.total_score / reference.total_score, 6),
    }


def measure_cohort_large(rng: random.Random) -> dict[str, Any]:
    """50,000 mentees x 10,000 mentors (capacities 1-5): far beyond the dense reference (a 50,000 x ~27,000 matrix,
    11 GB), so the optimum is proven by the solver's dual certificate instead (matching.cohort.Certificate),
    checked here over every eligible pair. Timed as the cohort function spends it: scoring every pair, then
    solving; the peak memory of this process is printed too (the function has 3,008 MB)."""
    import resource

    from matching.cohort import eligible_edges, solve_certified

    mentors, mentees = cohort_population(rng, LARGE_MENTEES, LARGE_MENTORS, (1, 5))
    print(f"cohort {LARGE_MENTEES} x {LARGE_MENTORS}: scoring every eligible pair...", flush=True)
    started = time.perf_counter()
    edges = eligible_edges(mentors, mentees)
    scoring_s = time.perf_counter() - started
    print(f"  {len(edges)} eligible pairs scored in {scoring_s:.1f}s; solving...", flush=True)
    result, certificate = solve_certified(mentors, mentees, edges)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  total {certificate.total / 1e6:.6f}, dual bound {certificate.bound / 1e6:.6f} (certified optimal:"
        f" {certificate.total == certificate.bound}), {certificate.rounds} rounds over {certificate.pairs_used}"
        f" pairs, solved in {result.solve_seconds:.1f}s; {len(result.matches)} matched; scoring + solving"
        f" {scoring_s + result.solve_seconds:.1f}s; peak memory {peak_mb:.0f} MB",
        flush=True,
    )
    return {
        "cohort_large_mentees": LARGE_MENTEES,
        "cohort_large_mentors": LARGE_MENTORS,
        "cohort_large_eligible_pairs": len(edges),
        "cohort_large_pairs_used": certificate.pairs_used,
        "cohort_large_rounds": certificate.rounds,
        "cohort_large_matched": len(result.matches),
        "cohort_large_score_ratio": certificate.ratio,
        "cohort_large_scoring_s": round(scoring_s, 2),
        "cohort_large_solve_s": round(scoring_s + result.solve_seconds, 2),
        "cohort_large_peak_mb": round(peak_mb),
    }


def main() -> int:
    rng = random.Random(SEED)
    dsns, tokens = {}, {}
    with running_cluster("bench_matching_5k"):
        for mentors in REC_SIZES:
            name = f"{mentors // 1000}k"
            started = time.perf_counter()
            print(f"recommendations: seeding {mentors} mentors...", flush=True)
            dsns[name] = fresh_database(bench_cluster(f"bench_matching_{name}"))
            tokens[name] = seed_database(dsns[name], mentors, REC_MENTEES, rng)
            print(f"  seeded in {time.perf_counter() - started:.0f}s", flush=True)
        p50 = measure_recommendations(dsns, tokens)
        print("recommendations p50: " + ", ".join(f"{ms:.2f} ms with {name} mentors" for name, ms in p50.items()))
        result: dict[str, Any] = {f"rec_p50_ms_{name}": round(ms, 3) for name, ms in p50.items()}
        names = list(p50)
        for smaller, larger in itertools.pairwise(names):
            result[f"rec_growth_{larger}_over_{smaller}"] = round(p50[larger] / p50[smaller], 3)
    # The cohorts need no database: measured after the cluster has stopped.
    result.update(measure_cohort(rng))
    result.update(measure_cohort_large(rng))
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

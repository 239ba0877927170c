"""Every benchmark, one table: `python -m bench.all` (what `make bench` runs).

Each benchmark runs as its own process (its output, progress included, shown as it goes); the last line of each
is its JSON object. At the end: one table of every figure with a target, the target and whether it holds, then
one JSON object with every figure of every benchmark (their own names) and `targets` (each target's name →
true/false; a figure a benchmark did not produce counts as not held). `BENCH_ONLY=reminders,webhooks` runs a
subset (the table then lists only their targets).
"""

from __future__ import annotations

import json
import operator
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.common import emit

BENCHMARKS = ("bookings", "webhooks", "reminders", "coldstart", "browse", "matching")


@dataclass(frozen=True)
class Target:
    name: str
    bench: str
    figure: str
    relation: str  # "<=", ">=" or "=="
    bound: Any
    note: str = ""
    # The same figure for the decided stack's floor, where one is measured: a hello-world FastAPI app behind Mangum
    # doing exactly the reference's work (bench.bookings, bench.webhooks).
    floor: str = ""

    def holds(self, figures: dict[str, Any]) -> bool:
        if self.figure not in figures:
            return False
        compare: Callable[[Any, Any], bool] = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}[self.relation]
        return bool(compare(figures[self.figure], self.bound))


TARGETS = (
    Target(
        "p1_ratio", "bookings", "p1_ratio", ">=", 0.8, "handler ÷ direct SQL throughput, 32 clients", "p1_floor_ratio"
    ),
    Target(
        "p1_cpu_ratio",
        "bookings",
        "p1_cpu_ratio",
        "<=",
        1.5,
        "handler ÷ direct client CPU per booking",
        "p1_floor_cpu_ratio",
    ),
    Target(
        "p2_time_ratio", "bookings", "p2_time_ratio", "<=", 1.25, "1,000 attempts on 25 seats", "p2_floor_time_ratio"
    ),
    Target("p2_oversold", "bookings", "p2_oversold", "==", 0, "confirmed beyond capacity"),
    Target("p3_ratio", "bookings", "p3_ratio", "<=", 1.3, "p50 at 1 M bookings ÷ at 10 k"),
    Target(
        "webhooks_ratio",
        "webhooks",
        "webhooks_ratio",
        ">=",
        0.5,
        "÷ ledger + effect only, 8 clients",
        "webhooks_floor_ratio",
    ),
    Target(
        "webhooks_p99_ratio",
        "webhooks",
        "webhooks_p99_ratio",
        "<=",
        3.0,
        "p99 ÷ the reference's p99",
        "webhooks_floor_p99_ratio",
    ),
    Target("webhooks_state", "webhooks", "state_matches_in_order", "==", True, "storm ends as in-order delivery"),
    Target("reminders_ratio", "reminders", "reminders_ratio", ">=", 0.5, "÷ claim + mark only, 2 workers, 1 M"),
    Target("reminders_cost_growth", "reminders", "reminders_cost_growth_1m_over_100k", "<=", 1.2, "per message"),
    Target("reminders_exactly_once", "reminders", "reminders_lost_or_doubled", "==", 0, "missing + duplicates"),
    # Paced: the rate achieved at the transport over the allowed rate. Sends are spaced at their slots; the moment a
    # transport sees trails its slot by one database write, whose few milliseconds vary: 1 % of jitter allowed.
    Target("reminders_paced", "reminders", "reminders_paced_ratio", "<=", 1.01, "achieved ÷ allowed send rate"),
    Target("reminders_paced_uses_rate", "reminders", "reminders_paced_ratio", ">=", 0.95, "and not far below it"),
    Target("init_ratio_http", "coldstart", "init_ratio_http_max", "<=", 1.15, "worst HTTP function ÷ hello world"),
    Target("init_ratio_jobs", "coldstart", "init_ratio_jobs_max", "<=", 0.8, "worst scheduled job ÷ hello world"),
    Target("browse_ratio", "browse", "browse_ratio", "<=", 1.3, "p50 at 1 M sessions ÷ at 10 k"),
    Target("browse_uses_indexes", "browse", "browse_seq_scan_count", "==", 0, "main plans with a seq scan"),
    Target("rec_p50_ms_500k", "matching", "rec_p50_ms_500k", "<=", 50.0, "recommendations at 500 k mentors"),
    Target("rec_growth_500k_over_50k", "matching", "rec_growth_500k_over_50k", "<=", 1.5, "p50 500 k ÷ 50 k"),
    Target("cohort_large_score_ratio", "matching", "cohort_large_score_ratio", "==", 1.0, "50 k x 10 k optimum"),
    Target("cohort_large_solve_s", "matching", "cohort_large_solve_s", "<=", 900.0, "within the 15-minute limit"),
    Target("cohort_large_memory", "matching", "cohort_large_peak_mb", "<=", 3008, "MB: the cohort function's memory"),
    Target("cohort_time_ratio", "matching", "cohort_time_ratio", "<=", 1.0, "5 k x 1 k ÷ the reference solver"),
)


def run(bench: str) -> dict[str, Any]:
    """Run one benchmark, its output passed through; its JSON object (the last line), or {} if it failed."""
    print(f"\n=== bench.{bench} ===", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", f"bench.{bench}"], stdout=subprocess.PIPE, text=True, bufsize=1, env=os.environ
    )
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.strip():
            last = line.strip()
    code = proc.wait()
    print(f"=== bench.{bench}: exit {code} after {time.perf_counter() - started:.0f}s ===", flush=True)
    try:
        figures = json.loads(last) if code == 0 else {}
    except json.JSONDecodeError:
        figures = {}
    return figures if isinstance(figures, dict) else {}


def table(targets: list[Target], figures: dict[str, Any]) -> str:
    rows = [("target", "figure", "wanted", "held", "floor", "what")]
    for t in targets:
        value = figures.get(t.figure, "—")
        floor = str(figures.get(t.floor, "—")) if t.floor else ""
        held = "yes" if t.holds(figures) else "NO"
        rows.append((t.name, str(value), f"{t.relation} {t.bound}", held, floor, t.note))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:5])) + "  " + r[5] for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    if any(t.floor for t in targets):
        lines.append(
            "floor: the figure of a hello-world FastAPI app behind Mangum doing exactly the reference's work (nothing"
            " of ours), measured in the same run: the decided stack's own cost"
        )
    return "\n".join(lines)


def main() -> int:
    only = [b for b in os.environ.get("BENCH_ONLY", "").split(",") if b]
    chosen = [b for b in BENCHMARKS if not only or b in only]
    figures: dict[str, Any] = {}
    failed = []
    for bench in chosen:
        result = run(bench)
        if not result:
            failed.append(bench)
        for key, value in result.items():
            if key == "targets_met" or (key in figures and figures[key] != value):
                # Same name in two benchmarks: the later one is prefixed. A benchmark's own `targets_met` (its
                # first-round targets) is always prefixed: `targets` below is the one verdict.
                key = f"{bench}_{key}"
            figures[key] = value
    targets = [t for t in TARGETS if t.bench in chosen]
    print("\n" + table(targets, figures), flush=True)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", flush=True)
    figures["targets"] = {t.name: t.holds(figures) for t in targets}
    emit(figures)
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Cold start and size: `python -m bench.coldstart` (runs `sam build` if needed and the local Postgres it needs).

For each function in template.yaml: a fresh interpreter (`python -S`: only the built function folder and the
built dependencies layer on the path, as in Lambda) imports the handler module and serves its first request
(GET /health through the Function URL event, or its schedule event); the same for a hello-world FastAPI +
Mangum handler, in alternating rounds (the reference, then every function; BENCH_COLDSTART_RUNS rounds). Each
is timed from spawning the interpreter until the first event has been served (interpreter start-up included,
its teardown after that not). Prints `init_ratio_<function>` (fastest run ÷ the reference's fastest run, as
timeit advises: slower runs are other processes interfering), `median_ratio_<function>` (the same with
medians, for transparency) and `size_mb_<function>` (built function + layers, unzipped) as one JSON object on
the last line.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import emit, fresh_database, running_cluster
from infra.localenv import ROOT, function_env
from infra.template import functions, layers_of, trigger_kind

BUILD = ROOT / ".aws-sam" / "build"
RUNS = int(os.environ.get("BENCH_COLDSTART_RUNS", "15"))
PROBE = r"""
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2], sys.argv[5]]
import importlib
module_name, _, attr = sys.argv[3].rpartition(".")
handler = getattr(importlib.import_module(module_name), attr)
if sys.argv[4] == "http":
    event = {"version": "2.0", "routeKey": "$default", "rawPath": "/health", "rawQueryString": "",
             "headers": {"host": "x.lambda-url.eu-west-1.on.aws"}, "isBase64Encoded": False,
             "requestContext": {"http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1",
                                         "sourceIp": "127.0.0.1", "userAgent": "bench"},
                                "requestId": "r", "routeKey": "$default", "stage": "$default",
                                "timeEpoch": int(time.time() * 1000), "accountId": "anonymous", "apiId": "x",
                                "domainName": "x.lambda-url.eu-west-1.on.aws", "domainPrefix": "x"}}
else:
    event = {"version": "0", "source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
ctx = type("Ctx", (), {"function_name": "bench", "memory_limit_in_mb": 512, "aws_request_id": "r",
                       "invoked_function_arn": "arn:aws:lambda:eu-west-1:000000000000:function:bench",
                       "get_remaining_time_in_millis": lambda self: 30000})()
result = handler(event, ctx)
assert not isinstance(result, dict) or result.get("statusCode", 200) == 200, result
sys.stderr.write("\n__served__\n")
sys.stderr.flush()
"""


def ensure_built() -> None:
    if not (BUILD / "template.yaml").exists():
        subprocess.run(["make", "build"], cwd=ROOT, check=True)


def cold_start(function_dir: Path, handler: str, kind: str, env: dict[str, str]) -> float:
    """Seconds from spawning the interpreter until it has served its first event (the child says so on
    stderr); its teardown afterwards is not part of a cold start (a Lambda container stays up) and is left out."""
    layer = BUILD / "DepsLayer" / "python"
    args = [str(function_dir), str(layer), handler, kind, str(ROOT / "bench" / "coldstart_probe")]
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-S", "-c", PROBE, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    seen: list[str] = []
    served = None
    for line in child.stderr:
        if line.strip() == "__served__":
            served = time.perf_counter() - started
            break
        seen.append(line)
    rest = child.stderr.read()
    if child.wait(timeout=60) != 0 or served is None:
        raise RuntimeError(f"{handler} did not serve its first event:\n{''.join(seen)}{rest}")
    return served


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> int:
    ensure_built()
    with running_cluster("bench_coldstart") as cluster:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(function_env(database_url=fresh_database(cluster)))
        env.update({"MAIL_TRANSPORT": "memory", "POWERTOOLS_LOG_LEVEL": "ERROR"})
        # The asynchronous cohort job (minutes of batch work) is not latency-sensitive: left out.
        targets = {
            name: (BUILD / name, props["Handler"], trigger_kind(props))
            for name, props in sorted(functions().items())
            if trigger_kind(props) != "async"
        }
        hello = (BUILD / "BookingsFunction", "hello_handler.lambda_handler", "http")
        samples: dict[str, list[float]] = {name: [] for name in targets}
        reference: list[float] = []
        for _ in range(RUNS):  # each round: the reference once, then every function once (equal sample counts)
            reference.append(cold_start(*hello, env))
            for name, (folder, handler, kind) in targets.items():
                samples[name].append(cold_start(folder, handler, kind, env))
        # The fastest of the runs, as timeit advises: a slower run is other processes interfering, and on this
        # shared machine that interference hits the bigger processes harder. Medians are printed as well.
        ref, ref_median = min(reference), statistics.median(reference)
        result: dict[str, float] = {"hello_world_ms": round(ref * 1000, 1)}
        for name in targets:
            ours = min(samples[name])
            key = name.removesuffix("Function").lower()
            result[f"init_ms_{key}"] = round(ours * 1000, 1)
            result[f"init_ratio_{key}"] = round(ours / ref, 3)
            result[f"median_ratio_{key}"] = round(statistics.median(samples[name]) / ref_median, 3)
        for kind, label in (("http", "http"), ("schedule", "jobs")):
            ratios = [
                result[f"init_ratio_{n.removesuffix('Function').lower()}"] for n, t in targets.items() if t[2] == kind
            ]
            result[f"init_ratio_{label}_max"] = max(ratios)
        for name in sorted(functions()):  # sizes for every function, with the layers it really runs with
            key = name.removesuffix("Function").lower()
            layers = sum(size_mb(BUILD / layer) for layer in layers_of(name))
            result[f"size_mb_{key}"] = round(size_mb(BUILD / name) + layers, 1)
        print(
            f"hello world {ref * 1000:.0f} ms; "
            + ", ".join(
                f"{k.removeprefix('init_ms_')} {v:.0f} ms" for k, v in result.items() if k.startswith("init_ms_")
            )
        )
        emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Property-based fuzzing of every HTTP function's OpenAPI document with schemathesis, against the local stack
(Postgres with the migrations, localstripe as our pinned Stripe version, the functions served over HTTP by the
same app objects Lambda runs): every check on, a bounded number of examples per operation, with a valid and an
invalid bearer token. Zero failures: no 500, every status, content type, header and body as documented, invalid
input refused, valid input accepted.

`positive_data_acceptance` accepts, besides 2xx, the answers a schema cannot rule out for valid-looking input:
401/403 (the caller may not), 404 (random ids name nothing), 409 (the state forbids it: a session not yet
published, a booking already cancelled) and 422 (rules across fields: ends_at after starts_at, a workshop needs a
capacity) — see tests/e2e/schemathesis.toml. The webhook function's operations skip that check only: no
fuzzer can produce a valid Stripe signature, so every event is refused, as it must be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.localenv import LOCAL_DIR, ROOT
from tests.helpers import function_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = int(os.environ.get("SKILLSWAP_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def api(database_url: str, stripe_peer: str) -> Iterator[str]:
    """Every HTTP function served by one local ASGI server (infra.devserver), as `make dev` serves them."""
    with function_server(database_url=database_url, stripe_peer=stripe_peer, log_name="fuzz-server.log") as url:
        yield url


@pytest.fixture(scope="module")
def fuzzer_token(database_url: str) -> Iterator[str]:
    """A real member whose token the fuzzer sends, with write limits out of the fuzzer's way for the run (the
    originals restored after)."""
    import psycopg
    from psycopg.types.json import Jsonb

    from tests.factories import create_user

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("select value from public.platform_settings where key = 'write_rate_limits'").fetchone()
        assert row is not None
        limits = row[0]
        relaxed = {action: {**rule, "max": 100_000} for action, rule in limits.items()}
        conn.execute(
            "update public.platform_settings set value = %s where key = 'write_rate_limits'", (Jsonb(relaxed),)
        )
        try:
            yield create_user(conn, name="Fuzzer").token
        finally:
            conn.execute(
                "update public.platform_settings set value = %s where key = 'write_rate_limits'", (Jsonb(limits),)
            )


def run_schemathesis(base: str, function: str, token: str, *, exclude: list[str]) -> dict[str, Any]:
    report_dir = LOCAL_DIR / "fuzz" / function / ("valid" if "." in token else "invalid")
    report_dir.mkdir(parents=True, exist_ok=True)
    args = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/{function}/openapi.json",
        "--url",
        f"{base}/{function}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261130",
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / "junit.xml"),
        "--no-color",
    ]
    for check in exclude:
        args += ["--exclude-checks", check]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    (report_dir / "output.txt").write_text(done.stdout + done.stderr)
    return {"code": done.returncode, "output": done.stdout + done.stderr, "junit": report_dir / "junit.xml"}


def summary(junit: Path) -> dict[str, int]:
    import xml.etree.ElementTree as ET

    root = ET.parse(junit).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    return {key: sum(int(s.get(key, "0")) for s in suites) for key in ("tests", "failures", "errors", "skipped")}


@pytest.mark.slow
@pytest.mark.parametrize("function", ["bookings", "matching", "payments", "webhooks"])
@pytest.mark.parametrize("auth", ["valid", "invalid"])
def test_schemathesis_finds_nothing(api: str, fuzzer_token: str, function: str, auth: str) -> None:
    token = fuzzer_token if auth == "valid" else "not-a-jwt"
    exclude = []
    if function == "webhooks":
        exclude.append("positive_data_acceptance")  # no valid Stripe signature can be generated
    if auth == "invalid":
        # every authenticated operation answers 401 (as documented); valid data cannot be accepted without a token
        exclude.append("positive_data_acceptance")
    result = run_schemathesis(api, function, token, exclude=exclude)
    counts = summary(result["junit"])
    print(f"schemathesis {function} ({auth} token): {json.dumps(counts)}")
    assert result["code"] == 0, result["output"][-6000:]
    assert counts["tests"] > 0
    assert counts["failures"] == counts["errors"] == 0

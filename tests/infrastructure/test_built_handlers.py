"""The handlers in the `sam build` output behave like the local ones: each is imported from the built function
folder plus the built dependencies layer only (no virtualenv site-packages, as in Lambda) in a fresh
interpreter, and invoked with a real Function URL or schedule event against the local stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.infrastructure.template import ROOT, functions, layers_of, trigger_kind

BUILD = ROOT / ".aws-sam" / "build"
PROBE = r"""
import json, sys
sys.path[:0] = [sys.argv[1], *sys.argv[2].split(":")]
import importlib
from infra_probe import event_for
module_name, _, attr = sys.argv[3].rpartition(".")
handler = getattr(importlib.import_module(module_name), attr)
assert "site-packages" not in importlib.import_module(module_name).__file__
# The init phase keeps FastAPI from loading pydantic v1 (13 ms of a cold start; shared.coldstart)
assert sys.modules.get("pydantic.v1") is None, "pydantic.v1 was imported"
result = handler(event_for(sys.argv[4]), type("Ctx", (), {
    "function_name": "built", "memory_limit_in_mb": 512, "aws_request_id": "req-1",
    "invoked_function_arn": "arn:aws:lambda:eu-west-1:000000000000:function:built",
    "get_remaining_time_in_millis": lambda self: 30000})())
print("RESULT " + json.dumps(result, default=str))
"""


@pytest.fixture(scope="module")
def built() -> Path:
    newest_source = max(p.stat().st_mtime for p in (ROOT / "functions").rglob("*.py"))
    stale = not (BUILD / "template.yaml").exists() or (BUILD / "template.yaml").stat().st_mtime < max(
        newest_source, (ROOT / "template.yaml").stat().st_mtime
    )
    if stale:
        subprocess.run(["make", "build"], cwd=ROOT, check=True, capture_output=True)
    return BUILD


def program_for(database_url: str, kind: str) -> str:
    """A cohort program for the async cohort function to solve: two mentees want the skill of one mentor with
    one place, so the built solver (numpy and SciPy from the built layer) really runs."""
    if kind != "async":
        return ""
    import psycopg

    from infra.localauth import insert_user

    tag = uuid.uuid4().hex[:10]
    mentor, first, second = (str(uuid.uuid4()) for _ in range(3))
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        for user_id in (mentor, first, second):
            insert_user(conn, user_id=uuid.UUID(user_id), email=f"{user_id}@built.test")
        skill = conn.execute(
            "insert into public.skills (slug, name, category) values (%s, 'Probe', 'Probe') returning id",
            (f"probe-{tag}",),
        ).fetchone()
        program = conn.execute("insert into public.programs (name) values ('built-handler probe') returning id")
        program_id = program.fetchone()
        assert skill is not None
        assert program_id is not None
        conn.execute("insert into public.mentor_profiles (user_id, capacity) values (%s, 1)", (mentor,))
        conn.execute("insert into public.mentor_skills values (%s, %s, 5)", (mentor, skill[0]))
        conn.execute("insert into public.program_members values (%s, %s, 'mentor')", (program_id[0], mentor))
        for mentee, current in ((first, 1), (second, 3)):
            conn.execute("insert into public.mentee_profiles (user_id) values (%s)", (mentee,))
            conn.execute("insert into public.mentee_goals values (%s, %s, %s, 5)", (mentee, skill[0], current))
            conn.execute("insert into public.program_members values (%s, %s, 'mentee')", (program_id[0], mentee))
    return str(program_id[0])


def proposal(database_url: str, run_id: str) -> tuple[str, int, int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select status, (select count(*) from public.proposed_matches where run_id = r.id)::int,"
            " (select count(*) from public.unmatched_mentees where run_id = r.id)::int"
            " from public.cohort_runs r where id = %s",
            (run_id,),
        ).fetchone()
    assert row is not None
    return row


@pytest.mark.parametrize("logical_id", sorted(functions()))
def test_built_handler_serves_a_real_event(logical_id: str, built: Path, database_url: str, tmp_path: Path) -> None:
    props = functions()[logical_id]
    kind = trigger_kind(props)
    (tmp_path / "infra_probe.py").write_text(
        "from __future__ import annotations\n"
        "import time\n"
        "def event_for(kind):\n"
        "    if kind == 'async':\n"
        f"        return {{'program_id': {program_for(database_url, kind)!r}, 'requested_by': {str(uuid.uuid4())!r}}}\n"
        "    if kind == 'schedule':\n"
        "        return {'version': '0', 'source': 'aws.scheduler', 'detail-type': 'Scheduled Event', 'detail': {}}\n"
        "    now = time.time()\n"
        "    return {'version': '2.0', 'routeKey': '$default', 'rawPath': '/health', 'rawQueryString': '',\n"
        "            'headers': {'host': 'x.lambda-url.eu-west-1.on.aws'}, 'isBase64Encoded': False,\n"
        "            'requestContext': {'http': {'method': 'GET', 'path': '/health', 'protocol': 'HTTP/1.1',\n"
        "              'sourceIp': '127.0.0.1', 'userAgent': 'probe'}, 'requestId': 'r', 'routeKey': '$default',\n"
        "              'stage': '$default', 'timeEpoch': int(now * 1000), 'accountId': 'anonymous',\n"
        "              'apiId': 'x', 'domainName': 'x.lambda-url.eu-west-1.on.aws', 'domainPrefix': 'x'}}\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    env.update({"DATABASE_URL": database_url, "MAIL_TRANSPORT": "memory", "PYTHONPATH": str(tmp_path)})
    layer = ":".join(str(built / name / "python") for name in layers_of(logical_id))
    # -S: no site-packages at all (as in Lambda, only the function folder and the layer); PYTHONPATH brings
    # just the probe's event builder.
    proc = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, str(built / logical_id), str(layer), props["Handler"], kind],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stdout + proc.stderr
    result = json.loads(line[len("RESULT ") :])
    if kind == "http":
        assert result["statusCode"] == 200, result
        assert json.loads(result["body"]) == {"status": "ok", "database": "reachable"}
    elif kind == "async":
        assert result["status"] == "proposed", result
        assert proposal(database_url, result["run_id"]) == ("proposed", 1, 1)
    else:
        assert isinstance(result, dict)
        assert all(isinstance(v, int) for v in result.values()), result

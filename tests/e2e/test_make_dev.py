"""`make dev` as a newcomer runs it: the launcher comes up on its own ports, its printed curl lines work,
Ctrl-C stops everything it started, and a second run reuses the data and applies no migration again."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from infra.localdb import Cluster
from infra.localenv import ROOT

DEV_DIR = ROOT / ".local" / "e2e-dev"
PAID_DEMO_SESSION = "a0000000-0000-4000-8000-000000000002"  # "How compilers really work", seed.sql
PORTS = {
    "SKILLSWAP_DB_PORT": "54335",
    "SKILLSWAP_API_PORT": "18035",
    "SKILLSWAP_STRIPE_PORT": "18435",
    "SKILLSWAP_WEB_PORT": "18135",
}


class DevRun:
    def __init__(self) -> None:
        env = {
            **os.environ,
            **PORTS,
            "SKILLSWAP_DEV_DIR": str(DEV_DIR),
            "PYTHONPATH": str(ROOT / "functions"),
        }
        for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "infra.dev"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = ""

    def wait_until_ready(self, timeout: float = 120.0) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                break
            self.output += line
            if "Ctrl-C stops everything" in line:
                return self.output
        raise AssertionError(f"make dev did not come up:\n{self.output}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=60)
        self.output += out
        return self.proc.returncode


@pytest.fixture
def fresh_dev_dir() -> Iterator[Path]:
    Cluster(DEV_DIR / "pgdev", int(PORTS["SKILLSWAP_DB_PORT"])).stop()
    shutil.rmtree(DEV_DIR, ignore_errors=True)
    yield DEV_DIR
    Cluster(DEV_DIR / "pgdev", int(PORTS["SKILLSWAP_DB_PORT"])).stop()
    shutil.rmtree(DEV_DIR, ignore_errors=True)


def pay_for_a_seat_as_the_readme_says(banner: str) -> None:
    """README: book the paid demo session as Linus, pay with infra.pay, see the booking confirmed."""
    api = f"http://127.0.0.1:{PORTS['SKILLSWAP_API_PORT']}/bookings"
    token = re.search(r"linus@skillswap\.test.*\n\s+TOKEN=(\S+)", banner)
    assert token is not None, banner
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    booked = httpx.post(f"{api}/sessions/{PAID_DEMO_SESSION}/bookings", headers=headers, timeout=20)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "pending_payment"
    intent = booked.json()["payment"]["payment_intent_id"]
    env = {**os.environ, **PORTS, "SKILLSWAP_DEV_DIR": str(DEV_DIR)}
    paid = subprocess.run(
        [sys.executable, "-m", "infra.pay", intent], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert paid.returncode == 0, paid.stdout + paid.stderr
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        status = httpx.get(f"{api}/bookings/{booked.json()['id']}", headers=headers, timeout=10).json()["status"]
        if status == "confirmed":
            break
        time.sleep(0.3)
    assert status == "confirmed", f"booking still {status} after paying"
    confirmation_eml_has_a_valid_invite(booked.json()["id"])


def confirmation_eml_has_a_valid_invite(booking_id: str) -> None:
    """The dispatcher make dev runs writes the confirmation as an .eml with an invite; reminders are set."""
    import email
    import email.policy

    import icalendar
    import psycopg

    mail_dir = DEV_DIR / "mail"
    deadline = time.monotonic() + 30
    found = None
    while time.monotonic() < deadline and found is None:
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(message["Subject"]).startswith("You're booked") and message["To"] == "linus@skillswap.test":
                found = message
        time.sleep(0.5)
    assert found is not None, f"no confirmation .eml in {mail_dir}: {list(mail_dir.glob('*'))}"
    ics = next(p for p in found.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
    assert isinstance(ics, bytes)
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    dsn = f"postgresql://postgres:postgres@127.0.0.1:{PORTS['SKILLSWAP_DB_PORT']}/postgres"
    with psycopg.connect(dsn) as conn:
        starts = conn.execute("select starts_at from public.sessions where id = %s", (PAID_DEMO_SESSION,)).fetchone()
        reminders = conn.execute(
            "select offset_minutes, due_at from public.deliveries where booking_id = %s and kind = 'reminder'"
            " and status = 'pending' order by offset_minutes desc",
            (booking_id,),
        ).fetchall()
    assert starts is not None
    assert vevent.decoded("DTSTART") == starts[0]
    assert str(vevent["UID"]) == f"booking-{booking_id}@skillswap.dev"
    assert [(o, d) for o, d in reminders] == [
        (1440, starts[0] - timedelta(hours=24)),
        (60, starts[0] - timedelta(hours=1)),
    ]


def the_web_client_is_served_as_printed(banner: str) -> None:
    """The banner's web client URL serves the app, its settings point at this stack, the demo sign-in works, and the
    functions let that origin (and no other) call them."""
    web = f"http://127.0.0.1:{PORTS['SKILLSWAP_WEB_PORT']}"
    assert f"web client            {web}/" in banner
    assert '<div id="app">' in httpx.get(f"{web}/", timeout=10).text
    config = httpx.get(f"{web}/config.json", timeout=10).json()
    assert config["api"]["bookings"] == f"http://127.0.0.1:{PORTS['SKILLSWAP_API_PORT']}/bookings"
    assert config["stripe"]["jsUrl"] == f"http://127.0.0.1:{PORTS['SKILLSWAP_STRIPE_PORT']}/js.stripe.com/v3/"
    signed_in = httpx.post(f"{web}/dev/token", json={"email": "linus@skillswap.test"}, timeout=10).json()
    sessions = httpx.get(
        config["api"]["bookings"] + "/me/bookings",
        headers={"Authorization": f"Bearer {signed_in['access_token']}", "Origin": web},
        timeout=10,
    )
    assert sessions.status_code == 200
    assert sessions.headers["access-control-allow-origin"] == web
    js = httpx.get(config["stripe"]["jsUrl"], timeout=10)
    assert "confirmCardPayment" in js.text


def _curl_urls(banner: str) -> list[str]:
    return re.findall(r"^  curl -s (http://\S+)$", banner, flags=re.MULTILINE)


def test_make_dev_comes_up_serves_health_and_stops_on_ctrl_c(fresh_dev_dir: Path) -> None:
    run = DevRun()
    try:
        banner = run.wait_until_ready()
        urls = _curl_urls(banner)
        assert len(urls) == 3, banner
        for url in urls:
            reply = httpx.get(url, timeout=10)
            assert reply.status_code == 200, (url, reply.text)
            assert reply.json() == {"status": "ok", "database": "reachable"}
        assert "ada@skillswap.test" in banner
        token = re.search(r"TOKEN=(\S+)", banner)
        assert token is not None
        pay_for_a_seat_as_the_readme_says(banner)
        the_web_client_is_served_as_printed(banner)
    finally:
        code = run.stop()
    assert code == 0, run.output
    cluster = Cluster(fresh_dev_dir / "pgdev", int(PORTS["SKILLSWAP_DB_PORT"]))
    assert not cluster.is_running(), "Ctrl-C left Postgres running"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{PORTS['SKILLSWAP_STRIPE_PORT']}/v1/customers", timeout=2)

    second = DevRun()
    try:
        banner = second.wait_until_ready()
        assert "migrations applied now: none (database up to date)" in banner
        assert httpx.get(_curl_urls(banner)[0], timeout=10).status_code == 200
    finally:
        assert second.stop() == 0, second.output

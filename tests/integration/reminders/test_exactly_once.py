"""Exactly once under concurrency and crashes, counted at the mail service (moto's SES)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

from infra.localenv import ROOT
from reminders.dal import IN_DOUBT
from tests.integration.reminders.conftest import message_ids, statuses


def test_two_dispatchers_racing_on_one_backlog_send_each_message_once(
    backlog: int, ses_sent: Any, admin_conn: Any
) -> None:
    from reminders.logic import dispatch

    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        barrier.wait()
        results.append(dispatch(batch_size=4))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    ids = message_ids(ses_sent())
    assert len(ids) == backlog
    assert set(ids.values()) == {1}
    assert sum(r["sent"] for r in results) == backlog
    assert all(r["sent"] > 0 for r in results), results  # both really took part
    assert statuses(admin_conn) == Counter({"sent": backlog})


def run_crashing(mode: str, n: int) -> int:
    env = {**os.environ, "DELIVERY_LEASE_SECONDS": "1", "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.reminders.crashing_dispatcher", mode, str(n)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode


def test_killed_after_the_mail_service_accepted_is_never_sent_twice(
    backlog: int, ses_sent: Any, admin_conn: Any
) -> None:
    from reminders.logic import dispatch

    assert run_crashing("after_handover", 5) == 9
    assert len(ses_sent()) == 5
    time.sleep(1.5)  # the dead worker's leases expire
    dispatch()
    ids = message_ids(ses_sent())
    assert len(ids) == backlog, "every message delivered"
    assert set(ids.values()) == {1}, "none twice"
    assert statuses(admin_conn) == Counter({"sent": backlog - 1, "dead": 1})
    (reason,) = admin_conn.execute("select last_error from public.deliveries where status = 'dead'").fetchone()
    assert reason == IN_DOUBT


def test_killed_right_after_claiming_loses_nothing(backlog: int, ses_sent: Any, admin_conn: Any) -> None:
    from reminders.logic import dispatch

    assert run_crashing("after_claim", 0) == 9
    assert ses_sent() == []
    assert statuses(admin_conn) == Counter({"sending": backlog}), "the dead worker held them all"
    assert dispatch()["sent"] == 0, "not before its leases expire"
    time.sleep(1.5)
    assert dispatch()["sent"] == backlog
    ids = message_ids(ses_sent())
    assert len(ids) == backlog
    assert set(ids.values()) == {1}


def test_every_sent_mark_records_when_and_under_which_provider_id(backlog: int, ses_sent: Any, admin_conn: Any) -> None:
    """The sent mark is written on two paths: with the next message's hand-over and, for a batch's last message,
    by mark_sent alone (both through hand_over_delivery). Batches of 4 over the backlog take both; every delivery
    must end the same."""
    from reminders.logic import dispatch

    assert dispatch(batch_size=4)["sent"] == backlog
    rows = admin_conn.execute(
        "select status::text, sent_at is not null and sent_at >= send_started_at, provider_message_id, lease_until"
        " from public.deliveries where due_at <= now()"
    ).fetchall()
    assert len(rows) == backlog
    assert {(status, stamped, lease) for status, stamped, _, lease in rows} == {("sent", True, None)}
    provider_ids = [provider_id for _, _, provider_id, _ in rows]
    assert None not in provider_ids
    assert len(set(provider_ids)) == backlog
    assert len(message_ids(ses_sent())) == backlog

"""The mail account's maximum send rate holds across concurrent dispatchers, read from SES's quota when no
setting gives it; messages whose send slot falls after the run's time go back to the queue, still exactly once."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from email.message import Message
from typing import Any

import pytest

from bench.common import busiest_second
from tests.integration.reminders.conftest import message_ids, statuses


class Timed:
    """The real transport (moto's SES), with the moment each message was handed over."""

    def __init__(self) -> None:
        from reminders.transports import default_transport

        self.inner = default_transport()
        self.times: list[float] = []
        self.lock = threading.Lock()

    def send(self, message: Message, *, to: str) -> str:
        with self.lock:
            self.times.append(time.monotonic())
        return self.inner.send(message, to=to)


def set_rate(monkeypatch: pytest.MonkeyPatch, rate: str | None) -> None:
    """The account's rate setting from now on (None: unset); settings are read again."""
    from shared.settings import get_settings

    if rate is None:
        monkeypatch.delenv("MAIL_MAX_SEND_RATE")
    else:
        monkeypatch.setenv("MAIL_MAX_SEND_RATE", rate)
    get_settings.cache_clear()


def test_two_dispatchers_together_keep_to_the_accounts_rate(
    backlog: int, ses_sent: Any, admin_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reminders.logic import dispatch

    set_rate(monkeypatch, "20")
    transport = Timed()
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        barrier.wait()
        results.append(dispatch(transport=transport, batch_size=8))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r["sent"] > 0 for r in results) == [True, True], results  # both took part
    ids = message_ids(ses_sent())
    assert len(ids) == backlog
    assert set(ids.values()) == {1}
    # Slots are 1/20 s apart whoever holds them: 30 messages span at least 29/20 s, and no second holds more than
    # 20 (one more at most, for a send that waited a few microseconds less than its slot's edge).
    span = max(transport.times) - min(transport.times)
    assert span >= 29 / 20 - 0.01, span
    assert busiest_second(transport.times) <= 21, sorted(transport.times)
    assert span < 10, "paced, not stalled"


def test_without_a_setting_the_rate_is_the_one_ses_states(
    publish: Any, book: Any, ses_sent: Any, admin_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto answers GetSendQuota as a sandbox account: MaxSendRate 1 per second."""
    from reminders import pacing
    from reminders.logic import dispatch
    from tests.integration.bookings.conftest import in_hours

    set_rate(monkeypatch, None)
    monkeypatch.setattr(pacing, "_quota", {})
    _, session = publish(capacity=5, starts_at=in_hours(72))
    for _ in range(3):
        assert book(session["id"])[1].status == 201
    from reminders import dal

    marked: list[float] = []
    mark_sent = dal.mark_sent

    def recording_mark_sent(delivery_id: int, message_id: str) -> None:
        marked.append(time.monotonic())
        mark_sent(delivery_id, message_id)

    monkeypatch.setattr(dal, "mark_sent", recording_mark_sent)
    transport = Timed()
    assert dispatch(transport=transport)["sent"] == 3
    # Before each second-long wait, the message just handed over was marked sent (a crash while waiting cannot
    # leave it in doubt): its mark comes right after its hand-over, not with the next one's.
    assert len(marked) == 3
    assert all(mark - sent < 0.5 for mark, sent in zip(marked, transport.times, strict=True)), (marked, transport.times)
    gaps = [b - a for a, b in itertools.pairwise(transport.times)]
    assert len(gaps) == 2
    # (A message waits for its slot, then is marked as handed over, then handed over: the moment seen here trails
    # its slot by one write, which varies by a few milliseconds.)
    assert min(gaps) >= 0.95, gaps
    assert pacing._quota["rate"] == 1.0


def test_what_the_time_budget_cannot_pace_goes_back_to_the_queue_untouched(
    backlog: int, ses_sent: Any, admin_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reminders.logic import dispatch

    set_rate(monkeypatch, "10")
    first = dispatch(time_budget_seconds=1.0, batch_size=50)
    assert 5 <= first["sent"] <= 11, first
    assert first["sent"] + first["deferred"] == backlog
    assert statuses(admin_conn) == Counter({"sent": first["sent"], "pending": backlog - first["sent"]})
    attempts = admin_conn.execute(
        "select distinct attempts from public.deliveries where status = 'pending' and due_at <= now()"
    ).fetchall()
    assert attempts == [(0,)], "a deferred message has not spent an attempt"
    set_rate(monkeypatch, "10000")
    assert dispatch()["sent"] == backlog - first["sent"]
    ids = message_ids(ses_sent())
    assert len(ids) == backlog
    assert set(ids.values()) == {1}

"""Sending at the mail account's pace: the maximum send rate holds for the account, whatever number of
dispatchers run at once.

Each worker reserves consecutive send slots (1/rate apart) from one clock row in the database
(`public.reserve_mail_sends`) a few at a time, and hands a message over no earlier than its slot. The rate is
the `MAIL_MAX_SEND_RATE` setting, else SES's own MaxSendRate for the account (GetSendQuota), else none.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.observability import logger
from shared.settings import Settings

# A reservation covers about this much sending time: a worker asks for slots a few times a second, not per message.
CHUNK_SECONDS = 0.25
# SES quota answers are kept this long per container (GetSendQuota may be called at most once a second).
QUOTA_TTL_SECONDS = 300.0
# The sandbox rate ("1 email per second", docs.aws.amazon.com/ses/latest/dg/quotas.html): used when SES cannot
# tell us its quota (never faster than any account is allowed).
FALLBACK_RATE = 1.0

# A wait longer than this is worth a write first (the dispatcher marks the message it has already handed over, so
# that a crash while it waits cannot leave that one in doubt).
LONG_PAUSE_SECONDS = 0.05

Reserve = Callable[[int, float], float]


@dataclass
class Pacer:
    """This worker's send times. `reserve(count, rate)` books `count` slots from the shared clock and answers the
    seconds from now to the first; `deadline` (monotonic) is when this run must stop handing messages over."""

    rate: float
    reserve: Reserve
    deadline: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    slots: deque[float] = field(default_factory=deque)

    def next_slot(self, remaining: int) -> float | None:
        """This worker's next send slot (monotonic time), or None when it falls after the deadline (then it is
        kept for nobody: the run ends). `remaining` bounds how many slots are worth reserving (the messages left in
        the batch)."""
        if not self.slots:
            count = max(1, min(remaining, math.ceil(self.rate * CHUNK_SECONDS)))
            start = self.clock() + max(0.0, self.reserve(count, self.rate))
            self.slots.extend(start + i / self.rate for i in range(count))
        if self.slots[0] > self.deadline:
            return None
        return self.slots.popleft()

    def wait_until(self, slot: float) -> None:
        pause = slot - self.clock()
        if pause > 0:
            self.sleep(pause)


_quota: dict[str, float] = {}


def ses_max_send_rate(settings: Settings, *, client: Any = None) -> float:
    """The account's MaxSendRate (messages per second) as SES states it, cached for QUOTA_TTL_SECONDS.
    (docs.aws.amazon.com/ses/latest/APIReference/API_GetSendQuota.html: "the maximum number of emails that
    Amazon SES can accept from the user's account per second".)"""
    now = time.monotonic()
    if _quota and now - _quota["at"] < QUOTA_TTL_SECONDS:
        return _quota["rate"]
    try:
        if client is None:
            import boto3

            client = boto3.client("ses", endpoint_url=settings.ses_endpoint_url)
        rate = float(client.get_send_quota()["MaxSendRate"])
    except Exception as exc:
        logger.warning("SES send quota unavailable; pacing at the sandbox rate", extra={"error": repr(exc)[:300]})
        return FALLBACK_RATE
    rate = rate if rate > 0 else FALLBACK_RATE
    _quota.update(rate=rate, at=now)
    return rate


def send_rate(settings: Settings) -> float | None:
    """Messages per second for this account, or None for no pacing (file and memory transports, unset)."""
    if settings.mail_max_send_rate is not None:
        return settings.mail_max_send_rate
    if settings.mail_transport == "ses":
        return ses_max_send_rate(settings)
    return None

"""The dispatcher: claim due deliveries in batches (leases, FOR UPDATE SKIP LOCKED), hand each to the mail
transport, mark it. Exactly once, crash-safe:

- A claim is a lease: a worker that dies before handing a message over loses its lease and the message is
  claimed again by the next run.
- Just before the hand-over the delivery is marked `send_started_at`. If the worker dies after that mark and
  before marking the message sent, the message is *in doubt*: it is dead-lettered as such, never resent, so a
  crash can never produce a second email. What a crash can cost is bounded to the single message that was
  between that mark and the mail service's answer, per worker (it is dead-lettered, visible, and alarmed on).
- A bad address or a message the service rejects is dead-lettered at once; a refusal that concerns the mail
  account rather than the message (SES sandbox, unverified identity, paused or suspended sending, quota) parks
  the message: back in the queue after `DELIVERY_PARK_SECONDS`, its attempts untouched, the reason in
  `last_error` (and the `deliveries.parked` metric alarms). Other failures are retried with backoff and
  dead-lettered after N attempts. None of them stops the batch.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, Literal

from reminders import dal
from reminders.emails import compose, to_mime
from reminders.pacing import LONG_PAUSE_SECONDS, Pacer, send_rate
from reminders.transports import MailParked, MailRejected, MailUnavailable, Transport, default_transport
from shared.observability import logger
from shared.settings import Settings, get_settings

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


REMINDERS = {"reminder", "host_reminder"}


def _stale_reminder(item: dict[str, Any], now: datetime) -> str | None:
    """Why a reminder (a learner's or a host's) must not go out any more (checked at send time, whatever happened
    since scheduling)."""
    if item["kind"] == "reminder" and item["booking_status"] != "confirmed":
        return f"booking {item['booking_status']}"
    if item["session_status"] != "published":
        return f"session {item['session_status']}"
    if item["starts_at"] is None or item["starts_at"] <= now:
        return "session started"
    if item["for_starts_at"] != item["starts_at"]:
        return "session moved"
    return None


Sent = tuple[int, str]  # (delivery id, provider message id): handed over, not yet marked


def deliver_one(
    item: dict[str, Any],
    transport: Transport,
    settings: Settings,
    carry: Sent | None,
    pacer: Pacer | None = None,
    remaining: int = 1,
) -> tuple[str, Sent | None]:
    """Deliver one claimed message. `carry` is the previous message of this batch, sent but not yet marked: its
    mark travels with this one's hand-over mark (or is written first, when this one goes no further). With a
    `pacer`, the message waits for its send slot; `deferred` when this run's time ends first (`remaining`: the
    messages left in the batch, this one included)."""
    now = datetime.now(UTC)
    reason = "opted out" if item["muted"] and item["optional"] else None
    if reason is None and item["kind"] in REMINDERS:
        reason = _stale_reminder(item, now)
    if reason:
        _flush(carry)
        dal.mark_void(item["id"], reason)
        return "void", None
    if not item["email"] or not _ADDRESS.match(item["email"]):
        _flush(carry)
        dal.mark_failed(item["id"], "bad address", permanent=True, max_attempts=settings.delivery_max_attempts)
        return "dead", None
    email = compose(item, mail_from=settings.mail_from, app_url=settings.web_app_url, now=now)
    message = to_mime(email, mail_from=settings.mail_from, delivery_id=item["id"], now=now)
    if pacer is not None:
        slot = pacer.next_slot(remaining)
        if slot is None:
            _flush(carry)
            return "deferred", None
        if slot - pacer.clock() > LONG_PAUSE_SECONDS:
            # A long wait: the message already handed over is marked sent first, so that a crash while this worker
            # waits cannot leave it in doubt.
            _flush(carry)
            carry = None
        pacer.wait_until(slot)
    if not dal.mark_handing_over(item["id"], carry):
        return "lease_lost", None
    try:
        message_id = transport.send(message, to=email.to)
    except MailParked as exc:
        dal.mark_parked(item["id"], f"parked: {exc}", wait_seconds=settings.delivery_park_seconds)
        return "parked", None
    except MailRejected as exc:
        dal.mark_failed(item["id"], f"rejected: {exc}", permanent=True, max_attempts=settings.delivery_max_attempts)
        return "dead", None
    except (MailUnavailable, OSError) as exc:
        dal.mark_failed(item["id"], f"unavailable: {exc}", permanent=False, max_attempts=settings.delivery_max_attempts)
        return "retry", None
    return "sent", (item["id"], message_id)


def _flush(carry: Sent | None) -> None:
    if carry is not None:
        dal.mark_sent(*carry)


def dispatch(
    *,
    transport: Transport | None = None,
    batch_size: int = 100,
    time_budget_seconds: float = 50.0,
    max_send_rate: float | Literal["account"] | None = "account",
) -> dict[str, int]:
    """Send everything due, batch by batch, until nothing is due or the time budget is spent. Messages go out at
    no more than `max_send_rate` per second across all dispatchers (default: the account's, see pacing.send_rate;
    None: unpaced); those whose send slot falls after the budget go back to the queue (`deferred`)."""
    settings = get_settings()
    transport = transport or default_transport()
    deadline = time.monotonic() + time_budget_seconds
    rate = send_rate(settings) if max_send_rate == "account" else max_send_rate
    pacer = Pacer(rate=rate, reserve=dal.reserve_sends, deadline=deadline) if rate else None
    counts: Counter[str] = Counter()
    deferred = False
    while time.monotonic() < deadline and not deferred:
        batch = dal.claim_batch(batch_size, settings.delivery_lease_seconds)
        carry: Sent | None = None
        for index, item in enumerate(batch):
            outcome, carry = deliver_one(item, transport, settings, carry, pacer, len(batch) - index)
            if outcome == "deferred":
                left = [later["id"] for later in batch[index:]]
                dal.release(left)
                counts[outcome] += len(left)
                deferred = True
                break
            counts[outcome] += 1
        _flush(carry)
        if len(batch) < batch_size:
            break
    keys = ("sent", "void", "retry", "parked", "dead", "lease_lost", "deferred")
    result = {key: counts.get(key, 0) for key in keys}
    if result["dead"]:
        logger.warning("deliveries dead-lettered", extra=result)
    if result["parked"]:
        logger.warning("deliveries parked: the mail account refuses to send (see last_error)", extra=result)
    return result


def dispatch_due() -> dict[str, int]:
    return dispatch()

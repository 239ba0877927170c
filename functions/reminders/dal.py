"""SQL of the dispatcher: leases over deliveries (FOR UPDATE SKIP LOCKED), and the per-message marks."""

from __future__ import annotations

from typing import Any

import psycopg

from shared import db

Conn = psycopg.Connection[dict[str, Any]]

IN_DOUBT = "in doubt: the worker stopped while handing this message to the mail service; not resent (no duplicate)"

# Expired leases: never handed to the mail service → back in the queue; hand-over started → dead, in doubt.
# (Its own statement: rows a CTE changes are invisible to the rest of the same statement.)
_RECOVER = """
update public.deliveries
   set status = case when send_started_at is null then 'pending'::public.delivery_status else 'dead' end,
       last_error = case when send_started_at is null then last_error else %(in_doubt)s end,
       lease_until = null
 where status = 'sending' and lease_until < now()
"""

_CLAIM = """
with picked as (
  select id from public.deliveries
   where status = 'pending' and due_at <= now()
   order by due_at, id
   limit %(limit)s
   for update skip locked
), claimed as (
  update public.deliveries d
     set status = 'sending', lease_until = now() + make_interval(secs => %(lease)s), attempts = d.attempts + 1
    from picked where d.id = picked.id
  returning d.*
)
select c.id, c.kind, c.user_id, c.booking_id, c.session_id, c.offset_minutes, c.for_starts_at, c.payload, c.attempts,
       u.email, coalesce(lp.display_name, '') as learner_name,
       s.title as session_title, s.starts_at, s.ends_at, s.timezone, s.status::text as session_status,
       s.updated_at as session_updated_at, coalesce(hp.display_name, '') as host_name,
       l.meeting_url, b.status::text as booking_status, s.seats_taken, s.capacity,
       coalesce(np.reminders_enabled, true) as reminders_enabled,
       coalesce(k.optional, false) as optional, public.notification_muted(c.user_id, c.kind) as muted
  from claimed c
  join auth.users u on u.id = c.user_id
  left join public.profiles lp on lp.id = c.user_id
  left join public.sessions s on s.id = c.session_id
  left join public.profiles hp on hp.id = s.host_id
  left join public.session_links l on l.session_id = s.id
  left join public.bookings b on b.id = c.booking_id
  left join public.notification_preferences np on np.user_id = c.user_id
  left join public.notification_kinds k on k.kind = c.kind
 order by c.id
"""


def claim_batch(limit: int, lease_seconds: int) -> list[dict[str, Any]]:
    """Lease up to `limit` due deliveries to this worker (a short transaction of its own)."""
    with db.transaction() as conn:
        conn.execute(_RECOVER, {"in_doubt": IN_DOUBT})
        return conn.execute(_CLAIM, {"limit": limit, "lease": lease_seconds}).fetchall()


def mark_handing_over(delivery_id: int, previous: tuple[int, str] | None = None) -> bool:
    """Recorded just before the mail service is called: from here a crash leaves the message in doubt. The
    previous message's `sent` mark (if any) rides in the same call, one flight per message (hand_over_delivery,
    migration 20261130002100: its statements' plans are kept by the connection). False when the lease was lost."""
    previous_id, message_id = previous if previous is not None else (None, None)
    rows = db.bookkeeping_rows(
        "select public.hand_over_delivery(%s, %s, %s) as held", (delivery_id, previous_id, message_id)
    )
    return bool(rows[0]["held"])


def mark_sent(delivery_id: int, message_id: str) -> None:
    """The `sent` mark alone (no message to hand over after it): the same function writes it, so the mark has one
    writer (hand_over_delivery's first update; with no message to hand over, its second update matches nothing)."""
    db.run_bookkeeping("select public.hand_over_delivery(null, %s, %s)", (delivery_id, message_id))


def mark_void(delivery_id: int, reason: str) -> None:
    db.run_bookkeeping(
        "update public.deliveries set status = 'void', last_error = %s, lease_until = null where id = %s",
        (reason, delivery_id),
    )


def mark_failed(delivery_id: int, reason: str, *, permanent: bool, max_attempts: int) -> str:
    """Back to the queue with exponential backoff, or dead-lettered (permanent failure, or N attempts)."""
    rows = db.run_bookkeeping(
        """
        update public.deliveries
           set status = case when %(permanent)s or attempts >= %(max)s then 'dead'::public.delivery_status
                             else 'pending' end,
               due_at = now() + make_interval(secs => least(3600, 30 * power(2, attempts))::integer),
               send_started_at = null, lease_until = null, last_error = %(reason)s
         where id = %(id)s
        """,
        {"permanent": permanent, "max": max_attempts, "reason": reason[:1000], "id": delivery_id},
    )
    return "updated" if rows else "missing"


def mark_parked(delivery_id: int, reason: str, *, wait_seconds: int) -> None:
    """Back to the queue after `wait_seconds`, the claim's attempt given back: the account, not the message, is at
    fault, and the message must not die of it."""
    db.run_bookkeeping(
        """
        update public.deliveries
           set status = 'pending', due_at = now() + make_interval(secs => %(wait)s),
               attempts = greatest(attempts - 1, 0), send_started_at = null, lease_until = null,
               last_error = %(reason)s
         where id = %(id)s
        """,
        {"wait": wait_seconds, "reason": reason[:1000], "id": delivery_id},
    )


def reserve_sends(count: int, rate: float) -> float:
    """Book `count` consecutive send slots of the mail account at `rate` per second; seconds until the first."""
    rows = db.bookkeeping_rows("select public.reserve_mail_sends(%s, %s) as wait", (count, rate))
    return float(rows[0]["wait"])


def release(delivery_ids: list[int]) -> None:
    """Give back claimed deliveries never handed over (this run's time is up before their send slot): pending
    again at once, the claim's attempt given back."""
    db.run_bookkeeping(
        """
        update public.deliveries
           set status = 'pending', attempts = greatest(attempts - 1, 0), lease_until = null
         where id = any(%(ids)s) and status = 'sending' and send_started_at is null
        """,
        {"ids": delivery_ids},
    )

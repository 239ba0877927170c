"""The bookings repository: owns the SQL, returns domain models. Seat arithmetic is in the SQL functions
(`book_seat`, `cancel_booking`, `cancel_session`, `expire_holds`, ...), never computed here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from bookings.models import (
    BookingPublic,
    CancellationPolicy,
    HostSessionPublic,
    ParticipantPublic,
    ReviewPublic,
    SessionCreate,
    SessionFeedback,
    SessionPublic,
    SessionSearch,
    SkillRef,
)
from bookings.suggestions import Candidate, Goal
from shared import db
from shared.observability import logger
from shared.paging import keyset_params

Conn = psycopg.Connection[dict[str, Any]]

_SESSION_COLUMNS = "s.*, s.capacity - s.seats_taken as seats_left, public.waitlist_count(s.id) as waitlist_count"
_SESSION_SELECT = f"""
select {_SESSION_COLUMNS}, coalesce(p.display_name, public.host_display_name(s.host_id), '') as host_name,
       l.meeting_url
from public.sessions s
left join public.profiles p on p.id = s.host_id
left join public.session_links l on l.session_id = s.id
"""
# Visitors (anon) hold no grant on profiles or meeting links: the host's name comes from host_display_name().
_VISITOR_SESSION_SELECT = f"""
select {_SESSION_COLUMNS}, coalesce(public.host_display_name(s.host_id), '') as host_name, null::text as meeting_url
from public.sessions s
"""

_BOOKING_SELECT = "select * from public.booking_details b"
# Books a seat, or finds the caller's active booking for the session (a retry): (created, booking as JSON).
BOOK_SEAT_SQL = "select created, booking from public.book_or_find_seat(%s)"

_REVIEW_COLUMNS = "id, booking_id, session_id, host_id, rating, comment, created_at"


# The fields a row fills, read once: `Model.model_fields` is a descriptor call on every access (a booking's row
# has about 25 columns).
_SESSION_FIELDS = frozenset(SessionPublic.model_fields)
_BOOKING_FIELDS = frozenset(BookingPublic.model_fields) - {"refund"}


def _session(row: dict[str, Any], skills: list[SkillRef]) -> SessionPublic:
    return SessionPublic(
        **{k: v for k, v in row.items() if k in _SESSION_FIELDS},
        skills=skills,
        cancellation_policy=CancellationPolicy(
            full_refund_until_hours=row["refund_full_until_hours"], late_refund_percent=row["refund_late_percent"]
        ),
    )


def booking_from_row(row: dict[str, Any]) -> BookingPublic:
    refund = None
    if row["refund_amount"] is not None:
        refund = {
            "amount": row["refund_amount"],
            "currency": row["refund_currency"],
            "percent": row["refund_percent"],
            "status": row["refund_status"],
        }
    return BookingPublic(**{k: v for k, v in row.items() if k in _BOOKING_FIELDS}, refund=refund)


def book_seat_in_one_flight(claims: dict[str, Any], session_id: UUID) -> tuple[bool, BookingPublic]:
    """Book as the caller in a transaction of its own, sent in one flight (see shared.db.run_as_user):
    (created now, the booking) — not created when the caller already held an active booking for the session."""
    (row,) = db.run_as_user(claims, BOOK_SEAT_SQL, (session_id,))
    return bool(row["created"]), booking_from_row(row["booking"])


class BookingsRepo:
    """SQL for sessions, bookings and reviews on one connection (inside the caller's transaction)."""

    def __init__(self, conn: Conn, *, visitor: bool = False) -> None:
        self.conn = conn
        self._session_select = _VISITOR_SESSION_SELECT if visitor else _SESSION_SELECT

    # Sessions -------------------------------------------------------------------------------------------
    def create_session(self, host_id: UUID, data: SessionCreate) -> UUID:
        row = self.conn.execute(
            """
            insert into public.sessions (host_id, format, title, description, starts_at, ends_at, timezone, capacity,
              price_amount, currency, refund_full_until_hours, refund_late_percent, min_notice_minutes,
              waitlist_enabled, hold_minutes, claim_window_minutes, reserved_for)
            values (%(host_id)s, %(format)s, %(title)s, %(description)s, %(starts_at)s, %(ends_at)s, %(timezone)s,
              %(capacity)s, %(price_amount)s, %(currency)s, %(full)s, %(late)s, %(min_notice_minutes)s,
              %(waitlist_enabled)s, %(hold_minutes)s, %(claim_window_minutes)s, %(reserved_for)s)
            returning id
            """,
            {
                **data.model_dump(exclude={"cancellation_policy", "skill_ids", "meeting_url"}),
                "host_id": host_id,
                "full": data.cancellation_policy.full_refund_until_hours,
                "late": data.cancellation_policy.late_refund_percent,
            },
        ).fetchone()
        assert row is not None
        session_id: UUID = row["id"]
        self.replace_skills(session_id, data.skill_ids)
        if data.meeting_url:
            self.set_meeting_url(session_id, data.meeting_url)
        return session_id

    def update_session(self, session_id: UUID, changes: dict[str, Any]) -> bool:
        if not changes:
            return self.session_owner(session_id) is not None
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column)) for column in changes
        )
        query = sql.SQL("update public.sessions set {} where id = %(session_id)s").format(assignments)
        return self.conn.execute(query, {**changes, "session_id": session_id}).rowcount == 1

    def replace_skills(self, session_id: UUID, skill_ids: list[int]) -> None:
        self.conn.execute("delete from public.session_skills where session_id = %s", (session_id,))
        if skill_ids:
            self.conn.execute(
                "insert into public.session_skills (session_id, skill_id) select %s, unnest(%s::bigint[])",
                (session_id, sorted(set(skill_ids))),
            )

    def set_meeting_url(self, session_id: UUID, url: str) -> None:
        self.conn.execute(
            "insert into public.session_links (session_id, meeting_url) values (%s, %s)"
            " on conflict (session_id) do update set meeting_url = excluded.meeting_url",
            (session_id, url),
        )

    def session_owner(self, session_id: UUID) -> UUID | None:
        """The host of a session visible to the caller (None if not visible)."""
        row = self.conn.execute("select host_id from public.sessions where id = %s", (session_id,)).fetchone()
        return None if row is None else row["host_id"]

    def publish_session(self, session_id: UUID) -> None:
        self.conn.execute("select public.publish_session(%s)", (session_id,))

    def cancel_session(self, session_id: UUID, reason: str | None) -> None:
        self.conn.execute("select public.cancel_session(%s, %s)", (session_id, reason))

    def _skills_for(self, session_ids: list[UUID]) -> dict[UUID, list[SkillRef]]:
        found: dict[UUID, list[SkillRef]] = {sid: [] for sid in session_ids}
        if not session_ids:
            return found
        rows = self.conn.execute(
            "select ss.session_id, k.id, k.slug, k.name from public.session_skills ss"
            " join public.skills k on k.id = ss.skill_id where ss.session_id = any(%s) order by k.name",
            (session_ids,),
        ).fetchall()
        for row in rows:
            found[row["session_id"]].append(SkillRef(id=row["id"], slug=row["slug"], name=row["name"]))
        return found

    def get_session(self, session_id: UUID) -> SessionPublic | None:
        row = self.conn.execute(self._session_select + " where s.id = %s", (session_id,)).fetchone()
        if row is None:
            return None
        return _session(row, self._skills_for([session_id])[session_id])

    def search_sessions(
        self, search: SessionSearch, starts_after: datetime, after: tuple[datetime, UUID] | None
    ) -> list[SessionPublic]:
        query, params = self.search_query(search, starts_after, after)
        rows = self.conn.execute(query, params).fetchall()
        skills = self._skills_for([row["id"] for row in rows])
        return [_session(row, skills[row["id"]]) for row in rows]

    def search_query(
        self, search: SessionSearch, starts_after: datetime, after: tuple[datetime, UUID] | None
    ) -> tuple[sql.Composed, dict[str, Any]]:
        """The search as SQL and its parameters (bench.browse shows its plan). The page's ids come from
        `search_session_ids` (the visibility rule applied as the owner, so its plan can use the indexes that RLS
        hides from the caller's own query); the rows are then read as the caller, under RLS."""
        params: dict[str, Any] = {
            "starts_after": starts_after,
            "limit": search.limit + 1,
            "q": search.q,
            "format": search.format.value if search.format is not None else None,
            "min_price": search.min_price,
            "max_price": search.max_price,
            "starts_before": search.starts_before,
            "host_id": search.host_id,
            "skill": search.skill,
            "after_start": after[0] if after else None,
            "after_id": after[1] if after else None,
        }
        query = sql.SQL(
            "{} where s.id in (select public.search_session_ids(%(starts_after)s, %(limit)s, %(q)s,"
            " %(format)s::public.session_format, %(min_price)s, %(max_price)s, %(starts_before)s, %(host_id)s,"
            " %(skill)s, %(after_start)s, %(after_id)s)) order by s.starts_at, s.id"
        ).format(sql.SQL(self._session_select))
        return query, params

    def host_sessions(self, host_id: UUID, *, after: tuple[Any, ...] | None, limit: int) -> list[HostSessionPublic]:
        """Latest start first; the page's sessions are chosen first, then only their bookings are counted."""
        rows = self.conn.execute(
            """
            with page as (
              select s.* from public.sessions s
              where s.host_id = %(host)s
                and (%(after_at)s::timestamptz is null or (s.starts_at, s.id) < (%(after_at)s, %(after_id)s::uuid))
              order by s.starts_at desc, s.id desc
              limit %(limit)s
            )
            select s.id, s.title, s.format, s.status, s.starts_at, s.ends_at, s.capacity,
                   count(*) filter (where b.status = 'confirmed') as confirmed,
                   count(*) filter (where b.status = 'pending_payment') as pending_payment,
                   count(*) filter (where b.status = 'waitlisted') as waitlisted,
                   count(*) filter (where b.status = 'cancelled') as cancelled
            from page s
            left join public.bookings b on b.session_id = s.id
            group by s.id, s.title, s.format, s.status, s.starts_at, s.ends_at, s.capacity
            order by s.starts_at desc, s.id desc
            """,
            {"host": host_id, "limit": limit, **keyset_params(after, "after_at", "after_id")},
        ).fetchall()
        return [HostSessionPublic(**row) for row in rows]

    # Bookings -------------------------------------------------------------------------------------------
    def cancel_booking(self, booking_id: UUID) -> None:
        self.conn.execute("select public.cancel_booking(%s)", (booking_id,))

    def remove_participant(self, booking_id: UUID, reason: str | None) -> None:
        self.conn.execute("select public.remove_participant(%s, %s)", (booking_id, reason))

    def mark_attendance(self, booking_id: UUID, mark: str) -> None:
        self.conn.execute("select public.mark_attendance(%s, %s)", (booking_id, mark))

    def get_booking(self, booking_id: UUID) -> BookingPublic | None:
        row = self.conn.execute(_BOOKING_SELECT + " where b.id = %s", (booking_id,)).fetchone()
        return None if row is None else booking_from_row(row)

    def learner_bookings(
        self, learner_id: UUID, *, upcoming: bool, after: tuple[Any, ...] | None, limit: int
    ) -> list[BookingPublic]:
        """Upcoming: soonest first; past: latest first (keyset on start time and booking id)."""
        if upcoming:
            where, order, beyond = "b.ends_at > now()", "b.starts_at, b.id", ">"
        else:
            where, order, beyond = "b.ends_at <= now()", "b.starts_at desc, b.id desc", "<"
        params: list[Any] = [learner_id]
        if after is not None:
            where += f" and (b.starts_at, b.id) {beyond} (%s, %s)"
            params += list(after)
        query = _BOOKING_SELECT + f" where b.learner_id = %s and {where} order by {order} limit %s"
        return [booking_from_row(row) for row in self.conn.execute(query, (*params, limit)).fetchall()]

    def participants(
        self, session_id: UUID, *, after: tuple[Any, ...] | None, limit: int
    ) -> list[tuple[ParticipantPublic, tuple[Any, ...]]]:
        """Booked learners in booking order, then the waitlist in its order: each with its keyset key (waiting,
        waitlist order, booked at, booking id)."""
        rows = self.conn.execute(
            """
            select b.id as booking_id, b.learner_id, p.display_name, b.status, b.paid_at is not null as paid,
                   b.attendance, public.waitlist_position(b.id) as waitlist_position, b.created_at as booked_at,
                   b.status = 'waitlisted' as waiting, coalesce(b.waitlist_seq, 0) as seq
            from public.bookings b
            join public.profiles p on p.id = b.learner_id
            where b.session_id = %(session)s
              and (%(w)s::boolean is null
                   or (b.status = 'waitlisted', coalesce(b.waitlist_seq, 0), b.created_at, b.id)
                      > (%(w)s, %(seq)s::bigint, %(at)s::timestamptz, %(id)s::uuid))
            order by b.status = 'waitlisted', coalesce(b.waitlist_seq, 0), b.created_at, b.id
            limit %(limit)s
            """,
            {"session": session_id, "limit": limit, **keyset_params(after, "w", "seq", "at", "id")},
        ).fetchall()
        return [
            (ParticipantPublic(**row), (row["waiting"], row["seq"], row["booked_at"], row["booking_id"]))
            for row in rows
        ]

    # Reviews --------------------------------------------------------------------------------------------
    def leave_review(self, booking_id: UUID, rating: int, comment: str) -> ReviewPublic:
        row = self.conn.execute(
            f"select {_REVIEW_COLUMNS} from public.leave_review(%s, %s, %s)", (booking_id, rating, comment)
        ).fetchone()
        assert row is not None
        return ReviewPublic(**row)

    def host_rating(self, host_id: UUID) -> tuple[int, float | None]:
        row = self.conn.execute(
            "select reviews as n, average_rating as avg from public.host_rating(%s)",
            (host_id,),
        ).fetchone()
        assert row is not None
        return int(row["n"]), row["avg"]

    def session_feedback(self, host_id: UUID, *, after: tuple[Any, ...] | None, limit: int) -> list[SessionFeedback]:
        rows = self.conn.execute(
            """
            select s.id as session_id, s.title, s.starts_at,
                   (select count(*) from public.reviews r where r.session_id = s.id) as reviews,
                   (select round(avg(r.rating), 2)::float from public.reviews r where r.session_id = s.id)
                     as average_rating,
                   (select count(*) from public.bookings b where b.session_id = s.id and b.attendance = 'attended')
                     as attended,
                   (select count(*) from public.bookings b where b.session_id = s.id and b.attendance = 'no_show')
                     as no_shows
            from public.sessions s
            where s.host_id = %(host)s and s.starts_at <= now() and s.status = 'published'
              and (%(after_at)s::timestamptz is null or (s.starts_at, s.id) < (%(after_at)s, %(after_id)s::uuid))
            order by s.starts_at desc, s.id desc
            limit %(limit)s
            """,
            {"host": host_id, "limit": limit, **keyset_params(after, "after_at", "after_id")},
        ).fetchall()
        return [SessionFeedback(**row) for row in rows]

    def recent_reviews(self, host_id: UUID, limit: int = 10) -> list[ReviewPublic]:
        rows = self.conn.execute(
            f"select {_REVIEW_COLUMNS} from public.reviews where host_id = %s order by created_at desc limit %s",
            (host_id, limit),
        ).fetchall()
        return [ReviewPublic(**row) for row in rows]

    # Idempotency ----------------------------------------------------------------------------------------
    def book_seat_idempotent(
        self, session_id: UUID, key: str, request_hash: str
    ) -> tuple[bool, int, BookingPublic | None]:
        """Claim the key, book and store the answer in one SQL call: (replayed, status code, booking). A stored
        answer that no longer parses as a booking comes back as None."""
        row = self.conn.execute(
            "select replayed, status_code, response from public.book_seat_idempotent(%s, %s, %s)",
            (session_id, key, request_hash),
        ).fetchone()
        assert row is not None
        replayed, status_code = bool(row["replayed"]), int(row["status_code"])
        try:
            return replayed, status_code, booking_from_row(row["response"])
        except (KeyError, TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            if not replayed:
                raise
            logger.warning(
                "stored idempotent answer cannot be replayed; treated as absent",
                extra={"session_id": str(session_id), "error": type(exc).__name__},
            )
            return replayed, status_code, None


class SuggestionsRepo:
    """What session suggestions are made of, read as the learner (RLS: their own goals and skills, the sessions
    they may see)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def goals(self) -> list[Goal]:
        rows = self.conn.execute(
            """
            select g.skill_id, s.name as skill, g.current_level, g.target_level
            from public.learning_goals g join public.skills s on s.id = g.skill_id
            where g.user_id = (select auth.uid()) and g.status = 'active'
            order by g.skill_id
            """
        ).fetchall()
        return [Goal(**row) for row in rows]

    def learning(self) -> dict[int, str]:
        rows = self.conn.execute(
            """
            select ps.skill_id, s.name from public.profile_skills ps join public.skills s on s.id = ps.skill_id
            where ps.profile_id = (select auth.uid()) and ps.relation = 'learns'
            """
        ).fetchall()
        return {row["skill_id"]: row["name"] for row in rows}

    def candidates(self, skill_ids: list[int], limit: int) -> list[Candidate]:
        """Upcoming published sessions teaching any of these skills, not the learner's own, not already booked."""
        rows = self.conn.execute(
            """
            select s.id as session_id, s.title, s.starts_at,
                   coalesce(p.display_name, public.host_display_name(s.host_id), '') as host_name,
                   (select r.average_rating from public.host_rating(s.host_id) r) as rating,
                   s.capacity - s.seats_taken as seats_left,
                   (select jsonb_object_agg(k.skill_id, sk.name) from public.session_skills k
                    join public.skills sk on sk.id = k.skill_id where k.session_id = s.id) as skills
            from public.sessions s
            left join public.profiles p on p.id = s.host_id
            where s.status = 'published' and s.starts_at > now() and s.host_id <> (select auth.uid())
              and exists (select 1 from public.session_skills k where k.session_id = s.id and k.skill_id = any(%s))
              and not exists (select 1 from public.bookings b where b.session_id = s.id
                              and b.learner_id = (select auth.uid())
                              and b.status in ('pending_payment', 'confirmed', 'waitlisted'))
            order by s.starts_at, s.id
            limit %s
            """,
            (skill_ids, limit),
        ).fetchall()
        return [Candidate(**{**row, "skills": {int(k): v for k, v in (row["skills"] or {}).items()}}) for row in rows]


class BookingPaymentsRepo:
    """A held seat's payment, as the caller: the booking is theirs (the query says so, RLS agrees); the host's
    connected account comes from `private.charge_destination` (nobody else may read payout accounts); the write is
    `private.attach_booking_payment`, which checks the caller again."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def payment_context(self, booking_id: UUID) -> dict[str, Any] | None:
        return self.conn.execute(
            """
            select b.id, b.session_id, b.status::text as status, b.amount, b.currency, b.payment_intent_id,
                   private.charge_destination(s.host_id) as host_account_id, c.customer_id
            from public.bookings b
            join public.sessions s on s.id = b.session_id
            left join public.stripe_customers c on c.user_id = b.learner_id
            where b.id = %s and b.learner_id = (select auth.uid())
            """,
            (booking_id,),
        ).fetchone()

    def attach_payment(
        self, booking_id: UUID, customer_id: str, payment_intent_id: str, *, destination_charge: bool, platform_fee: int
    ) -> str:
        """The customer and the PaymentIntent, written once; the PaymentIntent the booking holds (an earlier one
        wins)."""
        row = self.conn.execute(
            "select private.attach_booking_payment(%s, %s, %s, %s, %s) as intent",
            (booking_id, customer_id, payment_intent_id, destination_charge, platform_fee),
        ).fetchone()
        assert row is not None
        return str(row["intent"])

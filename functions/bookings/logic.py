"""Bookings use cases: verb_noun functions taking and returning models. No HTTP, no SQL text.

User-initiated work runs in `db.user_transaction` (the caller's role and claims, so RLS is a second wall);
the sweep runs as the system in `db.transaction`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from bookings import suggestions
from bookings.dal import BookingPaymentsRepo, BookingsRepo, SuggestionsRepo, book_seat_in_one_flight
from bookings.models import (
    AttendanceUpdate,
    BookingPublic,
    BookingsPublic,
    FeedbackSummaryPublic,
    GoalPublic,
    HostRatingPublic,
    HostSessionsPublic,
    ParticipantsPublic,
    PaymentPublic,
    ReviewCreate,
    ReviewPublic,
    SessionCreate,
    SessionPublic,
    SessionSearch,
    SessionsPublic,
    SessionSuggestionPublic,
    SessionSuggestionsPublic,
    SessionUpdate,
)
from shared import db
from shared.auth import Principal, claims_of
from shared.errors import BadGateway, Conflict, Forbidden, NotFound, Unprocessable
from shared.paging import decode_cursor, page
from shared.settings import get_settings


# Sessions --------------------------------------------------------------------------------------------
def _require_host(repo: BookingsRepo, session_id: UUID, principal: Principal) -> None:
    host_id = repo.session_owner(session_id)
    if host_id is None:
        raise NotFound("session not found", field="session_id")
    if host_id != principal.user_id:
        raise Forbidden("only the host can change this session")


def _loaded(repo: BookingsRepo, session_id: UUID) -> SessionPublic:
    session = repo.get_session(session_id)
    if session is None:
        raise NotFound("session not found", field="session_id")
    return session


def create_session(*, principal: Principal, data: SessionCreate) -> SessionPublic:
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        session_id = repo.create_session(principal.user_id, data)
        return _loaded(repo, session_id)


def update_session(*, principal: Principal, session_id: UUID, data: SessionUpdate) -> SessionPublic:
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        _require_host(repo, session_id, principal)
        current = _loaded(repo, session_id)
        changes = data.column_changes()
        starts_at = changes.get("starts_at", current.starts_at)
        ends_at = changes.get("ends_at", current.ends_at)
        if ends_at <= starts_at:
            raise Unprocessable("must be after starts_at", field="ends_at" if "ends_at" in changes else "starts_at")
        if current.format == "one_on_one" and changes.get("capacity", 1) != 1:
            raise Unprocessable("a one-on-one session has exactly 1 seat", field="capacity")
        repo.update_session(session_id, changes)
        if data.skill_ids is not None:
            repo.replace_skills(session_id, data.skill_ids)
        if data.meeting_url is not None:
            repo.set_meeting_url(session_id, data.meeting_url)
        return _loaded(repo, session_id)


def publish_session(*, principal: Principal, session_id: UUID) -> SessionPublic:
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        repo.publish_session(session_id)
        return _loaded(repo, session_id)


def cancel_session(*, principal: Principal, session_id: UUID, reason: str | None) -> SessionPublic:
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        repo.cancel_session(session_id, reason)
        return _loaded(repo, session_id)


def get_session(*, principal: Principal | None, session_id: UUID) -> SessionPublic:
    with db.user_transaction(claims_of(principal)) as conn:
        return _loaded(BookingsRepo(conn, visitor=principal is None), session_id)


def search_sessions(
    *, principal: Principal | None, search: SessionSearch, now: datetime | None = None
) -> SessionsPublic:
    after = decode_cursor(search.cursor, datetime, UUID) if search.cursor else None
    starts_after = search.starts_after or now or datetime.now(UTC)
    with db.user_transaction(claims_of(principal)) as conn:
        rows = BookingsRepo(conn, visitor=principal is None).search_sessions(search, starts_after, after)
    data, next_cursor = page(rows, search.limit, lambda s: (s.starts_at, s.id))
    return SessionsPublic(data=data, next_cursor=next_cursor)


def list_host_sessions(*, principal: Principal, cursor: str | None, limit: int) -> HostSessionsPublic:
    """The host's sessions, latest start first, a page at a time."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        rows = BookingsRepo(conn).host_sessions(principal.user_id, after=after, limit=limit + 1)
    data, next_cursor = page(rows, limit, lambda s: (s.starts_at, s.id))
    return HostSessionsPublic(data=data, next_cursor=next_cursor)


def list_participants(*, principal: Principal, session_id: UUID, cursor: str | None, limit: int) -> ParticipantsPublic:
    """Booked first (in booking order), then the waitlist in its order, a page at a time."""
    after = decode_cursor(cursor, bool, int, datetime, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        _require_host(repo, session_id, principal)
        rows = repo.participants(session_id, after=after, limit=limit + 1)
    shown, next_cursor = page(rows, limit, lambda row: row[1])
    return ParticipantsPublic(
        session_id=session_id, data=[participant for participant, _ in shown], next_cursor=next_cursor
    )


# Bookings --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BookingAnswer:
    """The answer to a booking request; `replayed` when it is the stored answer to an earlier same-key request."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def _request_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def book_seat(*, principal: Principal, session_id: UUID, idempotency_key: str | None) -> BookingAnswer:
    """Book (or waitlist, or hold for payment) a seat: 201. A learner who already holds an active booking for the
    session gets that booking back, 200, however often they repeat (a retry after an unknown outcome is safe
    without a key). With an Idempotency-Key, a retry replays the first answer and creates nothing new; the key
    and the booking are written in the same transaction."""
    answer = None
    if idempotency_key is not None:
        answer = _book_seat_idempotently(principal, session_id, idempotency_key)
    if answer is None:
        created, booking = book_seat_in_one_flight(principal.claims, session_id)
        answer = BookingAnswer(status_code=201 if created else 200, body=booking.model_dump(mode="json"))
    if answer.body.get("status") == "pending_payment":
        # The seat is held (committed); now the PaymentIntent. Stripe's own idempotency key (from the booking id)
        # makes this safe to repeat, so a replayed answer gets the same payment, never a second one.
        answer.body["payment"] = _payment_or_none(principal, UUID(answer.body["id"]))
    return answer


def _book_seat_idempotently(principal: Principal, session_id: UUID, idempotency_key: str) -> BookingAnswer | None:
    """The keyed answer; None when the stored answer cannot be replayed (then the caller books without the key,
    which answers the existing booking if there is one). The key's form (printable ASCII, 1-255) is checked by
    the route's header declaration."""
    with db.user_transaction(principal.claims) as conn:
        replayed, status_code, booking = BookingsRepo(conn).book_seat_idempotent(
            session_id, idempotency_key, _request_hash("book_seat", str(session_id))
        )
    if booking is None:
        return None
    return BookingAnswer(status_code=status_code, body=booking.model_dump(mode="json"), replayed=replayed)


def _payment_or_none(principal: Principal, booking_id: UUID) -> dict[str, Any] | None:
    """The payment for a fresh hold; if Stripe is unreachable the hold stands and the client asks again with
    POST /bookings/{id}/payment (the answer says so with `payment: null`)."""
    try:
        return prepare_payment(principal=principal, booking_id=booking_id).model_dump(mode="json")
    except BadGateway:
        return None


def get_booking(*, principal: Principal, booking_id: UUID) -> BookingPublic:
    with db.user_transaction(principal.claims) as conn:
        booking = BookingsRepo(conn).get_booking(booking_id)
    if booking is None:
        raise NotFound("booking not found", field="booking_id")
    return booking


def _act_on_booking(principal: Principal, booking_id: UUID, act: Callable[[BookingsRepo], None]) -> BookingPublic:
    """One change to a booking as the caller (a SQL function with its own rules), then the booking as they see it
    now, in the same transaction (whoever may change it may read it)."""
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        act(repo)
        booking = repo.get_booking(booking_id)
        assert booking is not None
        return booking


def cancel_booking(*, principal: Principal, booking_id: UUID) -> BookingPublic:
    return _act_on_booking(principal, booking_id, lambda repo: repo.cancel_booking(booking_id))


def remove_participant(*, principal: Principal, booking_id: UUID, reason: str | None) -> BookingPublic:
    """The host removes one participant: cancelled, refunded in full if paid, told why, the seat to the waitlist."""
    return _act_on_booking(principal, booking_id, lambda repo: repo.remove_participant(booking_id, reason))


def list_my_bookings(*, principal: Principal, upcoming: bool, cursor: str | None, limit: int) -> BookingsPublic:
    """Upcoming bookings soonest first, or past ones latest first, a page at a time."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        rows = BookingsRepo(conn).learner_bookings(principal.user_id, upcoming=upcoming, after=after, limit=limit + 1)
    data, next_cursor = page(rows, limit, lambda b: (b.starts_at, b.id))
    return BookingsPublic(data=data, next_cursor=next_cursor)


def mark_attendance(*, principal: Principal, booking_id: UUID, data: AttendanceUpdate) -> BookingPublic:
    return _act_on_booking(principal, booking_id, lambda repo: repo.mark_attendance(booking_id, data.attendance.value))


# Reviews ---------------------------------------------------------------------------------------------
def leave_review(*, principal: Principal, booking_id: UUID, data: ReviewCreate) -> ReviewPublic:
    with db.user_transaction(principal.claims) as conn:
        return BookingsRepo(conn).leave_review(booking_id, data.rating, data.comment)


def get_host_rating(*, principal: Principal | None, host_id: UUID) -> HostRatingPublic:
    with db.user_transaction(claims_of(principal)) as conn:
        count, average = BookingsRepo(conn).host_rating(host_id)
    return HostRatingPublic(host_id=host_id, reviews=count, average_rating=average)


def get_feedback_summary(*, principal: Principal, cursor: str | None, limit: int) -> FeedbackSummaryPublic:
    """The host's rating, their past sessions' feedback (latest first, a page at a time) and the latest comments."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    with db.user_transaction(principal.claims) as conn:
        repo = BookingsRepo(conn)
        count, average = repo.host_rating(principal.user_id)
        rows = repo.session_feedback(principal.user_id, after=after, limit=limit + 1)
        recent = repo.recent_reviews(principal.user_id)
    sessions, next_cursor = page(rows, limit, lambda f: (f.starts_at, f.session_id))
    return FeedbackSummaryPublic(
        host_id=principal.user_id,
        reviews=count,
        average_rating=average,
        sessions=sessions,
        next_cursor=next_cursor,
        recent_comments=recent,
    )


# Suggestions -----------------------------------------------------------------------------------------
SUGGESTION_CANDIDATES = 500  # the soonest this many sessions teaching the learner's skills are scored


def suggest_sessions(*, principal: Principal, limit: int, now: datetime | None = None) -> SessionSuggestionsPublic:
    """Upcoming sessions for the caller, from their goals and the skills they learn, ranked and explained."""
    with db.user_transaction(principal.claims) as conn:
        repo = SuggestionsRepo(conn)
        goals, learning = repo.goals(), repo.learning()
        skill_ids = sorted({g.skill_id for g in goals} | set(learning))
        candidates = repo.candidates(skill_ids, SUGGESTION_CANDIDATES) if skill_ids else []
    by_id = {c.session_id: c for c in candidates}
    ranked = suggestions.rank(candidates, goals, learning, now or datetime.now(UTC), limit)
    return SessionSuggestionsPublic(
        data=[
            SessionSuggestionPublic(
                session_id=s.session_id,
                title=by_id[s.session_id].title,
                starts_at=by_id[s.session_id].starts_at,
                host_name=by_id[s.session_id].host_name,
                seats_left=by_id[s.session_id].seats_left,
                score=s.score,
                components=dict(s.components),
                goals=[GoalPublic(**vars(g)) for g in s.goals],
                reasons=list(s.reasons),
            )
            for s in ranked
        ]
    )


# System ----------------------------------------------------------------------------------------------
# Payments --------------------------------------------------------------------------------------------
def prepare_payment(*, principal: Principal, booking_id: UUID) -> PaymentPublic:
    """The PaymentIntent for the caller's held seat: created once (one Stripe Customer per user, remembered), found
    again on every later call. Its context is read as the caller in one query, Stripe is called, and its answer is
    written once, as the caller (`private.attach_booking_payment`)."""
    # Imported here: only a held seat's payment needs the payments code (a free booking's cold start skips it).
    from payments import stripe_api
    from payments.logic import pay_for

    with db.user_transaction(principal.claims) as conn:
        booking = BookingPaymentsRepo(conn).payment_context(booking_id)
    if booking is None:
        raise NotFound("booking not found", field="booking_id")
    if booking["status"] != "pending_payment":
        raise Conflict(f"a {booking['status']} booking has nothing to pay", field="booking_id")
    if booking["payment_intent_id"]:
        intent = stripe_api.retrieve_payment_intent(booking["payment_intent_id"])
    else:
        customer, created = pay_for(
            principal,
            known_customer=booking["customer_id"],
            metadata={
                "kind": "booking",
                "booking_id": str(booking_id),
                "session_id": str(booking["session_id"]),
                "learner_id": str(principal.user_id),
            },
            amount=booking["amount"],
            currency=booking["currency"],
            destination=booking["host_account_id"],
            key_prefix=f"booking-{booking_id}",
        )
        bps = get_settings().platform_fee_bps
        fee = stripe_api.platform_fee(booking["amount"], bps) if created.destination_charge else 0
        with db.user_transaction(principal.claims) as conn:
            attached = BookingPaymentsRepo(conn).attach_payment(
                booking_id, customer, created.id, destination_charge=created.destination_charge, platform_fee=fee
            )
        intent = created if attached == created.id else stripe_api.retrieve_payment_intent(attached)
    return PaymentPublic(
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        amount=booking["amount"],
        currency=booking["currency"],
        status=intent.status,
    )

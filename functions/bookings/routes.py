"""HTTP routes of the bookings function: parse, authenticate, call one logic function, return a model."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Query
from fastapi.responses import JSONResponse

from bookings import logic
from bookings.models import (
    AttendanceUpdate,
    BookingPublic,
    BookingsPublic,
    FeedbackSummaryPublic,
    HostRatingPublic,
    HostSessionsPublic,
    ParticipantRemoval,
    ParticipantsPublic,
    PaymentPublic,
    ReviewCreate,
    ReviewPublic,
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionSearch,
    SessionsPublic,
    SessionSuggestionsPublic,
    SessionUpdate,
)
from shared.auth import Principal
from shared.deps import DEFAULT_LIMIT, Cursor, Limit, current_user, optional_user
from shared.routing import LazyRoute

router = APIRouter(route_class=LazyRoute)

User = Annotated[Principal, Depends(current_user)]
MaybeUser = Annotated[Principal | None, Depends(optional_user)]


# Sessions (expert side and browse) -------------------------------------------------------------------
@router.post("/sessions", status_code=201, response_model=SessionPublic, tags=["sessions"])
async def create_session(data: SessionCreate, user: User) -> SessionPublic:
    return logic.create_session(principal=user, data=data)


@router.get("/sessions", response_model=SessionsPublic, tags=["sessions"])
async def search_sessions(search: Annotated[SessionSearch, Query()], user: MaybeUser) -> SessionsPublic:
    return logic.search_sessions(principal=user, search=search)


@router.get("/sessions/{session_id}", response_model=SessionPublic, tags=["sessions"])
async def get_session(session_id: UUID, user: MaybeUser) -> SessionPublic:
    return logic.get_session(principal=user, session_id=session_id)


@router.patch("/sessions/{session_id}", response_model=SessionPublic, tags=["sessions"])
async def update_session(session_id: UUID, data: SessionUpdate, user: User) -> SessionPublic:
    return logic.update_session(principal=user, session_id=session_id, data=data)


@router.post("/sessions/{session_id}/publish", response_model=SessionPublic, tags=["sessions"])
async def publish_session(session_id: UUID, user: User) -> SessionPublic:
    return logic.publish_session(principal=user, session_id=session_id)


@router.post("/sessions/{session_id}/cancel", response_model=SessionPublic, tags=["sessions"])
async def cancel_session(
    session_id: UUID, user: User, data: Annotated[SessionCancel | None, Body()] = None
) -> SessionPublic:
    return logic.cancel_session(principal=user, session_id=session_id, reason=data.reason if data else None)


@router.get("/sessions/{session_id}/participants", response_model=ParticipantsPublic, tags=["host"])
async def list_participants(
    session_id: UUID, user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> ParticipantsPublic:
    return logic.list_participants(principal=user, session_id=session_id, cursor=cursor, limit=limit)


# Bookings --------------------------------------------------------------------------------------------
@router.post(
    "/sessions/{session_id}/bookings",
    status_code=201,
    response_model=BookingPublic,
    tags=["bookings"],
    responses={200: {"model": BookingPublic, "description": "a repeat: the booking you already hold"}},
    summary="Book, wait-list or hold a seat (201); a repeat answers the booking you hold (200)",
)
async def book_seat(
    session_id: UUID,
    user: User,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[!-~]+$",
            description="any printable ASCII key of yours (1-255): a retry with it replays the first answer",
        ),
    ] = None,
) -> JSONResponse:
    answer = logic.book_seat(principal=user, session_id=session_id, idempotency_key=idempotency_key)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


@router.get("/bookings/{booking_id}", response_model=BookingPublic, tags=["bookings"])
async def get_booking(booking_id: UUID, user: User) -> BookingPublic:
    return logic.get_booking(principal=user, booking_id=booking_id)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingPublic, tags=["bookings"])
async def cancel_booking(booking_id: UUID, user: User) -> BookingPublic:
    return logic.cancel_booking(principal=user, booking_id=booking_id)


@router.post(
    "/bookings/{booking_id}/remove",
    response_model=BookingPublic,
    tags=["host"],
    summary="The host removes a participant (refunded in full if paid; the waitlist moves up)",
)
async def remove_participant(
    booking_id: UUID, user: User, data: Annotated[ParticipantRemoval | None, Body()] = None
) -> BookingPublic:
    return logic.remove_participant(principal=user, booking_id=booking_id, reason=data.reason if data else None)


@router.post("/bookings/{booking_id}/attendance", response_model=BookingPublic, tags=["host"])
async def mark_attendance(booking_id: UUID, data: AttendanceUpdate, user: User) -> BookingPublic:
    return logic.mark_attendance(principal=user, booking_id=booking_id, data=data)


@router.post("/bookings/{booking_id}/review", status_code=201, response_model=ReviewPublic, tags=["reviews"])
async def leave_review(booking_id: UUID, data: ReviewCreate, user: User) -> ReviewPublic:
    return logic.leave_review(principal=user, booking_id=booking_id, data=data)


# History and host views ------------------------------------------------------------------------------
@router.get("/me/bookings", response_model=BookingsPublic, tags=["history"])
async def list_my_bookings(
    user: User, when: Literal["upcoming", "past"] = "upcoming", cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> BookingsPublic:
    return logic.list_my_bookings(principal=user, upcoming=when == "upcoming", cursor=cursor, limit=limit)


@router.get("/me/sessions", response_model=HostSessionsPublic, tags=["host"])
async def list_my_sessions(user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> HostSessionsPublic:
    return logic.list_host_sessions(principal=user, cursor=cursor, limit=limit)


@router.get("/me/feedback", response_model=FeedbackSummaryPublic, tags=["host"])
async def get_my_feedback(user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> FeedbackSummaryPublic:
    return logic.get_feedback_summary(principal=user, cursor=cursor, limit=limit)


@router.get(
    "/me/suggestions",
    response_model=SessionSuggestionsPublic,
    tags=["history"],
    summary="Upcoming sessions for my goals and the skills I learn, ranked and explained",
)
async def suggest_sessions(user: User, limit: Limit = DEFAULT_LIMIT) -> SessionSuggestionsPublic:
    return logic.suggest_sessions(principal=user, limit=limit)


@router.get("/hosts/{host_id}/rating", response_model=HostRatingPublic, tags=["reviews"])
async def get_host_rating(host_id: UUID, user: MaybeUser) -> HostRatingPublic:
    return logic.get_host_rating(principal=user, host_id=host_id)


# Payments --------------------------------------------------------------------------------------------
@router.post("/bookings/{booking_id}/payment", response_model=PaymentPublic, tags=["payments"])
async def prepare_payment(booking_id: UUID, user: User) -> PaymentPublic:
    return logic.prepare_payment(principal=user, booking_id=booking_id)

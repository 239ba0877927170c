"""Input and output models of the bookings function (pydantic; every field validated, errors name it)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator

from shared.schema import MULTILINE, Currency, Int8Id, Model, SaneDatetime, Strict, empty_list


class SessionFormat(StrEnum):
    ONE_ON_ONE = "one_on_one"
    WORKSHOP = "workshop"
    WEBINAR = "webinar"


class SessionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PAYMENT_FAILED = "payment_failed"


class Attendance(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not a known IANA timezone (e.g. Europe/Paris)") from exc
    return value


MeetingUrl = Annotated[str, Field(pattern=r"^https://\S+$", max_length=2000)]


class CancellationPolicy(Strict):
    full_refund_until_hours: int = Field(24, ge=0, le=8760, strict=True)
    late_refund_percent: int = Field(0, ge=0, le=100, strict=True)


class SessionCreate(Strict):
    format: SessionFormat
    title: str = Field(min_length=3, max_length=140, examples=["Intro to Rust ownership"])
    description: str = Field("", max_length=8000, json_schema_extra=MULTILINE)
    skill_ids: list[Int8Id] = Field(default_factory=empty_list, max_length=10)
    starts_at: SaneDatetime = Field(examples=["2027-03-14T14:00:00Z"])
    ends_at: SaneDatetime = Field(examples=["2027-03-14T15:30:00Z"])
    timezone: str = Field("UTC", max_length=64, examples=["Europe/Paris"])
    capacity: int | None = Field(
        None,
        ge=1,
        le=10000,
        strict=True,
        validate_default=True,
        description="required, except for one-on-one (always 1)",
    )
    price_amount: int = Field(0, ge=0, le=100_000_000, description="integer minor units; 0 = free", strict=True)
    currency: Currency = "usd"
    cancellation_policy: CancellationPolicy = Field(default_factory=lambda: CancellationPolicy())
    min_notice_minutes: int = Field(0, ge=0, le=525600, strict=True)
    waitlist_enabled: bool = Field(True, strict=True)
    hold_minutes: int = Field(15, ge=1, le=1440, strict=True)
    claim_window_minutes: int = Field(60, ge=1, le=10080, strict=True)
    meeting_url: MeetingUrl | None = None
    reserved_for: UUID | None = Field(
        None, description="a mentee you actively mentor: only they see and book this one-on-one session"
    )

    _tz = field_validator("timezone")(_valid_timezone)

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and value <= starts_at:
            raise ValueError("must be after starts_at")
        return value

    @field_validator("capacity")
    @classmethod
    def _capacity_fits_format(cls, value: int | None, info: ValidationInfo) -> int | None:
        fmt = info.data.get("format")
        if fmt == SessionFormat.ONE_ON_ONE:
            if value not in (None, 1):
                raise ValueError("a one-on-one session has exactly 1 seat")
            return 1
        if value is None:
            raise ValueError("required for workshops and webinars")
        return value


class SessionUpdate(Strict):
    title: str | None = Field(None, min_length=3, max_length=140)
    description: str | None = Field(None, max_length=8000, json_schema_extra=MULTILINE)
    starts_at: SaneDatetime | None = None
    ends_at: SaneDatetime | None = None
    timezone: str | None = Field(None, max_length=64)
    capacity: int | None = Field(None, ge=1, le=10000, strict=True)
    price_amount: int | None = Field(None, ge=0, le=100_000_000, strict=True)
    currency: Currency | None = None
    cancellation_policy: CancellationPolicy | None = None
    min_notice_minutes: int | None = Field(None, ge=0, le=525600, strict=True)
    waitlist_enabled: bool | None = Field(None, strict=True)
    hold_minutes: int | None = Field(None, ge=1, le=1440, strict=True)
    claim_window_minutes: int | None = Field(None, ge=1, le=10080, strict=True)
    meeting_url: MeetingUrl | None = None
    skill_ids: list[Int8Id] | None = Field(None, max_length=10)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _valid_timezone(value)

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts_at = info.data.get("starts_at")
        if value is not None and starts_at is not None and value <= starts_at:
            raise ValueError("must be after starts_at")
        return value

    def column_changes(self) -> dict[str, Any]:
        """The sessions columns this update sets (only the fields the client sent)."""
        sent = self.model_dump(exclude_unset=True, exclude={"cancellation_policy", "meeting_url", "skill_ids"})
        changes = {k: v for k, v in sent.items() if v is not None}
        if self.cancellation_policy is not None:
            changes["refund_full_until_hours"] = self.cancellation_policy.full_refund_until_hours
            changes["refund_late_percent"] = self.cancellation_policy.late_refund_percent
        return changes


class ParticipantRemoval(Strict):
    reason: str | None = Field(None, max_length=1000, json_schema_extra=MULTILINE, description="told to the learner")


class SessionCancel(Strict):
    reason: str | None = Field(None, max_length=1000, json_schema_extra=MULTILINE)


class SkillRef(Model):
    id: int
    slug: str
    name: str


class SessionPublic(Model):
    id: UUID
    host_id: UUID
    host_name: str
    format: SessionFormat
    status: SessionStatus
    title: str
    description: str
    skills: list[SkillRef]
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int
    seats_taken: int
    seats_left: int
    waitlist_count: int
    price_amount: int
    currency: str
    cancellation_policy: CancellationPolicy
    min_notice_minutes: int
    waitlist_enabled: bool
    hold_minutes: int
    claim_window_minutes: int
    meeting_url: str | None = Field(None, description="only for the host and confirmed attendees")
    reserved_for: UUID | None = Field(None, description="the mentee this one-on-one session is reserved for")
    published_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SessionsPublic(Model):
    data: list[SessionPublic]
    next_cursor: str | None


class SessionSearch(Strict):
    skill: str | None = Field(None, max_length=80, description="skill slug")
    format: SessionFormat | None = None
    min_price: int | None = Field(None, ge=0, le=100_000_000)
    max_price: int | None = Field(None, ge=0, le=100_000_000)
    starts_after: SaneDatetime | None = Field(None, description="default: now")
    starts_before: SaneDatetime | None = None
    host_id: UUID | None = None
    q: str | None = Field(None, min_length=1, max_length=200)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=100)

    @field_validator("max_price")
    @classmethod
    def _price_range(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_price")
        if value is not None and low is not None and value < low:
            raise ValueError("must be at least min_price")
        return value


class RefundPublic(Model):
    amount: int
    currency: str
    percent: int
    status: str


class PaymentPublic(Model):
    """What the web client needs to collect the money for a held seat with Stripe.js."""

    payment_intent_id: str
    client_secret: str
    amount: int
    currency: str
    status: str


class BookingPublic(Model):
    id: UUID
    session_id: UUID
    learner_id: UUID
    status: BookingStatus
    amount: int
    currency: str
    paid: bool
    hold_expires_at: datetime | None
    offered_from_waitlist: bool
    waitlist_position: int | None
    attendance: Attendance | None
    refund: RefundPublic | None
    session_title: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled_at: datetime | None
    payment: PaymentPublic | None = Field(None, description="for a held seat: how to pay for it")


class BookingsPublic(Model):
    data: list[BookingPublic]
    next_cursor: str | None = Field(None, description="the next page's cursor; null on the last page")


class ParticipantPublic(Model):
    booking_id: UUID
    learner_id: UUID
    display_name: str
    status: BookingStatus
    paid: bool
    attendance: Attendance | None
    waitlist_position: int | None
    booked_at: datetime


class ParticipantsPublic(Model):
    session_id: UUID
    data: list[ParticipantPublic]
    next_cursor: str | None = Field(None, description="the next page's cursor; null on the last page")


class AttendanceUpdate(Strict):
    attendance: Attendance


class ReviewCreate(Strict):
    rating: int = Field(ge=1, le=5, strict=True)
    comment: str = Field("", max_length=4000, json_schema_extra=MULTILINE)


class ReviewPublic(Model):
    id: UUID
    booking_id: UUID
    session_id: UUID
    host_id: UUID
    rating: int
    comment: str
    created_at: datetime


class HostRatingPublic(Model):
    host_id: UUID
    reviews: int
    average_rating: float | None


class SessionFeedback(Model):
    session_id: UUID
    title: str
    starts_at: datetime
    reviews: int
    average_rating: float | None
    attended: int
    no_shows: int


class FeedbackSummaryPublic(Model):
    host_id: UUID
    reviews: int
    average_rating: float | None
    sessions: list[SessionFeedback]
    next_cursor: str | None = Field(None, description="the next page of sessions; null on the last page")
    recent_comments: list[ReviewPublic]


class HostSessionPublic(Model):
    id: UUID
    title: str
    format: SessionFormat
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    pending_payment: int
    waitlisted: int
    cancelled: int


class HostSessionsPublic(Model):
    data: list[HostSessionPublic]
    next_cursor: str | None = Field(None, description="the next page's cursor; null on the last page")


class GoalPublic(Model):
    skill_id: int
    skill: str
    current_level: int
    target_level: int


class SessionSuggestionPublic(Model):
    """A session suggested for the learner, ranked and explained: `score` is the weighted sum of `components`
    (goals 0.5, learning 0.15, rating 0.15, soon 0.1, seats 0.1), `goals` the learner's goals it serves, `reasons`
    the same in words."""

    session_id: UUID
    title: str
    starts_at: datetime
    host_name: str
    seats_left: int
    score: float
    components: dict[str, float]
    goals: list[GoalPublic]
    reasons: list[str]


class SessionSuggestionsPublic(Model):
    data: list[SessionSuggestionPublic]

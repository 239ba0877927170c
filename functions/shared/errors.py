"""Domain errors and their RFC 9457 problem+json mapping (by exception type, never by message text)."""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://skillswap.dev/problems/"


class DomainError(Exception):
    """Base of every error a user can cause. Subclasses fix the HTTP status and the problem type."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def headers(self) -> dict[str, str] | None:
        """HTTP headers that go with this problem."""
        return None

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.detail}]
        body.update(self.extra)
        return body


class BadRequest(DomainError):
    status = 400
    slug = "bad-request"
    title = "Bad request"


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class Unprocessable(DomainError):
    status = 422
    slug = "validation-error"
    title = "Validation failed"


class BadGateway(DomainError):
    """An upstream service (Stripe, SES) refused or failed; nothing of ours was left half-written."""

    status = 502
    slug = "upstream-error"
    title = "Upstream service error"


class TooManyRequests(DomainError):
    """The caller made more write attempts than the limit allows; `retry_after` seconds until the next one is
    accepted."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field, retry_after=retry_after)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(DomainError):
    """A passing outage (the database unreachable or too slow). The outcome of a write may be unknown: a retry is
    safe (a booking retry answers the existing booking), after `Retry-After` seconds."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"
    retry_after_seconds: ClassVar[int] = 2

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after_seconds)}


# SQL functions raise SQLSTATEs of class SS (see the booking functions migration); COLUMN names the field.
SQLSTATE_ERRORS: dict[str, type[DomainError]] = {
    "SS400": BadRequest,
    "SS401": Unauthorized,
    "SS403": Forbidden,
    "SS404": NotFound,
    "SS409": Conflict,
    "SS422": Unprocessable,
}


def from_sqlstate(sqlstate: str | None, message: str | None, column: str | None) -> DomainError | None:
    """The domain error a SQL function meant by raising `sqlstate`, or None if it is not one of ours."""
    error_type = SQLSTATE_ERRORS.get(sqlstate or "")
    if error_type is None:
        return None
    return error_type(message or error_type.title, field=column)


# Errors raised for PostgREST's benefit (SQLSTATE 'PGRST': MESSAGE is {"code", "message"}, DETAIL is {"status",
# "headers"}), e.g. the write rate limits: the functions give them the same status and headers.
_BY_STATUS: dict[int, type[DomainError]] = {cls.status: cls for cls in SQLSTATE_ERRORS.values()}


def from_postgrest_raise(message: str | None, detail: str | None) -> DomainError | None:
    import json

    try:
        body, meta = json.loads(message or ""), json.loads(detail or "")
        status, text = int(meta["status"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        return None
    headers = meta.get("headers") or {}
    if status == 429:
        try:
            retry_after = max(int(headers.get("Retry-After", 1)), 1)
        except (TypeError, ValueError):
            retry_after = 1
        return TooManyRequests(text, retry_after=retry_after)
    error_type = _BY_STATUS.get(status)
    return error_type(text) if error_type else None

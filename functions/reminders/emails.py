"""Emails from deliveries: plain-text and HTML bodies from templates, and RFC 5545 calendar invites (REQUEST
for a confirmed seat or a moved session, CANCEL when it is off). Pure functions: no I/O."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    invite: str | None = None
    invite_method: str | None = None


# Calendar invites --------------------------------------------------------------------------------------
def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        size = 75 if start == 0 else 74
        end = min(len(raw), start + size)
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def calendar_invite(
    *,
    method: str,
    uid: str,
    sequence: int,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    organizer_name: str,
    organizer_email: str,
    attendee_email: str,
    location: str | None,
    stamp: datetime,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//SkillSwap//Bookings//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_ics_time(stamp)}",
        f"DTSTART:{_ics_time(starts_at)}",
        f"DTEND:{_ics_time(ends_at)}",
        f"SUMMARY:{_ics_text(title)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"ORGANIZER;CN={_ics_text(organizer_name)}:mailto:{organizer_email}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{attendee_email}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
    ]
    if location:
        lines.append(f"LOCATION:{_ics_text(location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# Templates -------------------------------------------------------------------------------------------
def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%A %d %B %Y, %H:%M %Z")


_SUBJECTS: dict[str, str] = {
    "booking_confirmed": "You're booked: {title}",
    "booking_promoted": "A seat opened up — you're in: {title}",
    "booking_offered": "A seat opened up for you: {title} (pay to claim it)",
    "booking_waitlisted": "You're on the waitlist: {title}",
    "booking_pending_payment": "Your seat is held: {title}",
    "booking_cancelled": "Booking cancelled: {title}",
    "booking_removed": "You were removed from {title}",
    "booking_expired": "Your held seat was released: {title}",
    "payment_failed": "Payment failed — your seat was released: {title}",
    "payment_refunded_no_seat": "Refund on its way: {title}",
    "refund_succeeded": "Your refund was sent: {title}",
    "session_changed": "New time for {title}",
    "session_cancelled": "Your session was cancelled: {title}",
    "reminder": "Reminder: {title} starts {when}",
}

_LINES: dict[str, str] = {
    "booking_confirmed": "Your seat is confirmed.",
    "booking_promoted": "A seat opened up and it is yours now.",
    "booking_offered": "A seat opened up. Pay before {claim_until} to claim it.",
    "booking_waitlisted": "The session is full; you are on the waitlist and will hear from us if a seat frees.",
    "booking_pending_payment": "Your seat is held while you pay.",
    "booking_cancelled": "Your booking was cancelled.{refund_line}",
    "booking_removed": "The host removed you from this session.{reason_line}{refund_line}",
    "booking_expired": "Your held seat was not paid in time and has been released.",
    "payment_failed": "Your payment did not go through, so the seat was released.",
    "payment_refunded_no_seat": "Your payment arrived after the seat was given away; it will be refunded in full.",
    "refund_succeeded": "Your refund has been sent to your card.",
    "session_changed": "The host moved this session.",
    "session_cancelled": "You cancelled this session; every attendee has been notified.",
    "reminder": "This is your reminder.",
}

# Kinds whose email carries a calendar invite, and its method.
_INVITES = {
    "booking_confirmed": "REQUEST",
    "booking_promoted": "REQUEST",
    "session_changed": "REQUEST",
    "booking_cancelled": "CANCEL",
    "booking_removed": "CANCEL",
}


def compose(delivery: dict[str, Any], *, mail_from: str, app_url: str, now: datetime) -> Email:
    """The email for a claimed delivery (its row joined with the user, session and booking)."""
    kind: str = delivery["kind"]
    payload: dict[str, Any] = delivery.get("payload") or {}
    title = delivery.get("session_title") or "your SkillSwap session"
    tz = delivery.get("timezone") or "UTC"
    starts_at: datetime | None = delivery.get("starts_at")
    ends_at: datetime | None = delivery.get("ends_at")
    when = _local(starts_at, tz) if starts_at else ""
    refund = payload.get("refund_amount") or 0
    refund_line = (
        f" A refund of {refund / 100:.2f} {str(payload.get('currency', '')).upper()} is on its way." if refund else ""
    )
    confirmed = delivery.get("booking_status") == "confirmed"
    meeting = delivery.get("meeting_url") if confirmed else None
    reason = str(payload.get("reason") or "").strip()
    reason_line = f' Their reason: "{reason}".' if reason else ""
    line = _LINES.get(kind, "There is news about your booking.").format(
        claim_until=payload.get("claim_until", "the deadline"), refund_line=refund_line, reason_line=reason_line
    )
    subject = _SUBJECTS.get(kind, "News about {title}").format(title=title, when=when)
    text_lines = [f"Hello {delivery.get('learner_name') or 'there'},", "", line, ""]
    if starts_at and ends_at:
        text_lines.append(f"{title} with {delivery.get('host_name') or 'your host'}")
        text_lines.append(f"When: {when} (until {_local(ends_at, tz)})")
    if meeting:
        text_lines.append(f"Join: {meeting}")
    text_lines += ["", f"Your bookings: {app_url}/bookings", "", "— SkillSwap"]
    body_html = "".join(f"<p>{html.escape(t)}</p>" for t in text_lines if t)
    invite = method = None
    if kind in _INVITES and starts_at and ends_at and delivery.get("booking_id"):
        method = _INVITES[kind]
        updated: datetime | None = delivery.get("session_updated_at")
        invite = calendar_invite(
            method=method,
            uid=f"booking-{delivery['booking_id']}@skillswap.dev",
            sequence=int(updated.timestamp()) if updated else 0,
            title=title,
            description=line,
            starts_at=starts_at,
            ends_at=ends_at,
            organizer_name=delivery.get("host_name") or "SkillSwap",
            organizer_email=mail_from.split("<")[-1].rstrip(">").strip(),
            attendee_email=delivery["email"],
            location=meeting if method == "REQUEST" else None,
            stamp=now,
        )
    return Email(
        to=delivery["email"],
        subject=subject,
        text="\n".join(text_lines),
        html=body_html,
        invite=invite,
        invite_method=method,
    )


# The header that carries our stable per-delivery id through SES (which rewrites Message-ID).
DELIVERY_ID_HEADER = "X-SkillSwap-Delivery-ID"


def to_mime(email: Email, *, mail_from: str, delivery_id: int, now: datetime) -> Message:
    """The MIME message (multipart/mixed: text + HTML alternatives, and the invite). Its stable id, derived from
    the delivery and the same on any retry, is `X-SkillSwap-Delivery-ID`: SES replaces any Message-ID it is given
    with its own ("If you specify a Message-ID header, Amazon SES overrides the header with its own value",
    docs.aws.amazon.com/ses/latest/dg/header-fields.html) but passes other headers through. The Message-ID we set
    is kept for the other transports (file, memory), which name what they keep after it. Built with email.mime
    (compat32): the modern EmailMessage API re-parses every header and cost most of the dispatcher's time."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(email.text, "plain", "utf-8"))
    body.attach(MIMEText(email.html, "html", "utf-8"))
    message: Message = body
    if email.invite:
        message = MIMEMultipart("mixed")
        message.attach(body)
        invite = MIMEText(email.invite, "calendar", "utf-8")
        invite.set_param("method", email.invite_method or "REQUEST")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(invite)
    message["From"] = mail_from
    message["To"] = email.to
    message["Subject"] = Header(email.subject, "utf-8").encode() if not email.subject.isascii() else email.subject
    message["Date"] = format_datetime(now)
    stable_id = f"<delivery-{delivery_id}@skillswap.dev>"
    message["Message-ID"] = stable_id
    message[DELIVERY_ID_HEADER] = stable_id
    return message

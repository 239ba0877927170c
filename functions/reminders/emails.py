"""Emails from deliveries: each kind its own subject and text, a plain-text and an HTML body, and RFC 5545 calendar
invites written by `icalendar` (REQUEST for a confirmed seat or a moved session, CANCEL when it is off). Pure
functions: no I/O."""

from __future__ import annotations

import base64
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
    """An RFC 5545 invite (REQUEST) or its withdrawal (CANCEL), written by `icalendar`: text values escaped,
    parameter values quoted where they hold `:`, `;` or `,` (a host named `Dr: Who` stays one CN), lines folded."""
    from icalendar import Calendar, Event, vCalAddress

    calendar = Calendar()
    calendar.add("prodid", "-//SkillSwap//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", starts_at.astimezone(UTC))
    event.add("dtend", ends_at.astimezone(UTC))
    event.add("summary", title)
    event.add("description", description)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = organizer_name
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params.update({"role": "REQ-PARTICIPANT", "partstat": "ACCEPTED", "rsvp": "FALSE"})
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if location:
        event.add("location", location)
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


# Templates -------------------------------------------------------------------------------------------
def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%A %d %B %Y, %H:%M %Z")


@dataclass(frozen=True)
class Template:
    """One kind of email: its subject and opening line (`str.format` fields from the delivery and its payload),
    and the page of the web client it points to."""

    subject: str
    line: str
    link: str = "/bookings"


# Every kind in notification_kinds has its own template (tests/unit/test_emails.py holds them equal).
TEMPLATES: dict[str, Template] = {
    "booking_confirmed": Template("You're booked: {title}", "Your seat is confirmed."),
    "booking_promoted": Template("A seat opened up — you're in: {title}", "A seat opened up and it is yours now."),
    "booking_offered": Template(
        "A seat opened up for you: {title} (pay to claim it)", "A seat opened up. Pay before {claim_until} to claim it."
    ),
    "booking_waitlisted": Template(
        "You're on the waitlist: {title}",
        "The session is full; you are on the waitlist and will hear from us if a seat frees.",
    ),
    "booking_pending_payment": Template("Your seat is held: {title}", "Your seat is held while you pay."),
    "booking_cancelled": Template("Booking cancelled: {title}", "Your booking was cancelled.{refund_line}"),
    "booking_removed": Template(
        "You were removed from {title}", "The host removed you from this session.{reason_line}{refund_line}"
    ),
    "booking_expired": Template(
        "Your held seat was released: {title}", "Your held seat was not paid in time and has been released."
    ),
    "payment_failed": Template(
        "Payment failed — your seat was released: {title}", "Your payment did not go through, so the seat was released."
    ),
    "payment_refunded_no_seat": Template(
        "Refund on its way: {title}", "Your payment arrived after the seat was given away; it will be refunded in full."
    ),
    "refund_succeeded": Template("Your refund was sent: {title}", "Your refund has been sent to your card."),
    "session_changed": Template("New time for {title}", "The host moved this session."),
    "session_cancelled": Template(
        "Your session was cancelled: {title}",
        "You cancelled this session; every attendee has been notified.",
        "/host/sessions",
    ),
    "reminder": Template("Reminder: {title} starts {when}", "This is your reminder."),
    "host_booking_new": Template(
        "New booking: {learner_name} joins {title}",
        "{learner_name} booked a seat in your session ({seats_taken} of {capacity} taken).",
        "/host/sessions/{session_id}",
    ),
    "host_booking_cancelled": Template(
        "Cancellation: {learner_name} left {title}",
        "{learner_name} cancelled their booking; the seat went back to the waitlist or the public.",
        "/host/sessions/{session_id}",
    ),
    "host_reminder": Template(
        "You host {title} {when}",
        "Your session starts soon: {seats_taken} of {capacity} seats are taken.",
        "/host/sessions/{session_id}",
    ),
    "mentorship_requested": Template(
        "{mentee_name} asks you to be their mentor",
        "{mentee_name} would like you to mentor them.{message_line} Accept or decline before the request expires.",
        "/mentorships",
    ),
    "mentorship_accepted": Template(
        "{mentor_name} accepted your mentorship request",
        "Good news: {mentor_name} will mentor you. Say hello in your private thread and book your first session.",
        "/mentorships",
    ),
    "mentorship_declined": Template(
        "Your mentorship request to {mentor_name}",
        "{mentor_name} cannot take you on right now. Other mentors who match your goals are waiting.",
        "/mentors",
    ),
    "mentorship_expired": Template(
        "Your mentorship request to {mentor_name} expired",
        "{mentor_name} did not answer in time, so the request expired. You can ask another mentor.",
        "/mentors",
    ),
    "forum_reply": Template(
        "New reply to \u201c{thread_title}\u201d",
        "{replier_name} replied to your thread \u201c{thread_title}\u201d.",
        "/forums/threads/{thread_id}",
    ),
    "answer_accepted": Template(
        "Your answer was accepted",
        "Your answer in \u201c{thread_title}\u201d was accepted. Thank you for helping.",
        "/forums/threads/{thread_id}",
    ),
    "group_join_request": Template(
        "{requester_name} asks to join {group_name}",
        "{requester_name} asked to join {group_name}. Approve or decline the request in the group's members list.",
        "/groups/{group_id}",
    ),
    "content_purchased": Template(
        "Your purchase is ready", "Thank you: your premium item is yours to read now.", "/content/{content_id}"
    ),
}
_FALLBACK = Template("News about {title}", "There is news about your booking.")

# Kinds whose email carries a calendar invite, and its method.
_INVITES = {
    "booking_confirmed": "REQUEST",
    "booking_promoted": "REQUEST",
    "session_changed": "REQUEST",
    "booking_cancelled": "CANCEL",
    "booking_removed": "CANCEL",
}


Line = tuple[str, str | None]  # a line of an email's body, and the link it stands for (if any)


class _Fields(dict[str, Any]):
    """Template fields; one the delivery does not carry reads as empty (never a KeyError in a batch)."""

    def __missing__(self, key: str) -> str:
        return ""


def _fields(delivery: dict[str, Any], tz: str) -> _Fields:
    payload: dict[str, Any] = delivery.get("payload") or {}
    starts_at: datetime | None = delivery.get("starts_at")
    refund = payload.get("refund_amount") or 0
    currency = str(payload.get("currency", "")).upper()
    reason = str(payload.get("reason") or "").strip()
    message = str(payload.get("message") or "").strip()
    fields = _Fields({k: v for k, v in payload.items() if isinstance(v, str | int | float)})
    fields.update(
        title=delivery.get("session_title") or "your SkillSwap session",
        when=_local(starts_at, tz) if starts_at else "",
        claim_until=payload.get("claim_until", "the deadline"),
        refund_line=f" A refund of {refund / 100:.2f} {currency} is on its way." if refund else "",
        reason_line=f' Their reason: "{reason}".' if reason else "",
        message_line=f' Their message: "{message}".' if message else "",
        session_id=delivery.get("session_id") or "",
        seats_taken=delivery.get("seats_taken") if delivery.get("seats_taken") is not None else "",
        capacity=delivery.get("capacity") if delivery.get("capacity") is not None else "",
    )
    for name in ("learner_name", "mentor_name", "mentee_name", "replier_name", "requester_name"):
        fields[name] = fields.get(name) or "A member"
    return fields


def compose(delivery: dict[str, Any], *, mail_from: str, app_url: str, now: datetime) -> Email:
    """The email for a claimed delivery (its row joined with the user, session and booking): a plain-text and an
    HTML body, and a calendar invite where the kind has one. Optional kinds say how to mute them."""
    kind: str = delivery["kind"]
    template = TEMPLATES.get(kind, _FALLBACK)
    tz = delivery.get("timezone") or "UTC"
    fields = _fields(delivery, tz)
    starts_at: datetime | None = delivery.get("starts_at")
    ends_at: datetime | None = delivery.get("ends_at")
    title = fields["title"]
    line = template.line.format_map(fields)
    subject = template.subject.format_map(fields)
    link = app_url + template.link.format_map(fields)
    confirmed = delivery.get("booking_status") == "confirmed"
    meeting = delivery.get("meeting_url") if confirmed or kind == "host_reminder" else None
    # The body as paragraphs of lines; a line with a link is `text: link` in the text body and an anchor in HTML.
    session_lines: list[Line] = []
    if starts_at and ends_at:
        session_lines.append((f"{title} with {delivery.get('host_name') or 'your host'}", None))
        session_lines.append((f"When: {fields['when']} (until {_local(ends_at, tz)})", None))
    if meeting:
        session_lines.append(("Join", meeting))
    links: list[Line] = [("Open SkillSwap", link)]
    if delivery.get("optional"):
        links.append(("You can turn these emails off", f"{app_url}/settings/notifications"))
    greeting: list[Line] = [(f"Hello {delivery.get('learner_name') or 'there'},", None)]
    paragraphs = [p for p in (greeting, [(line, None)], session_lines, links, [("— SkillSwap", None)]) if p]
    text = "\n\n".join("\n".join(f"{t}: {href}" if href else t for t, href in lines) for lines in paragraphs)
    body_html = "".join(
        f'<p><a href="{html.escape(href, quote=True)}">{html.escape(t)}</a></p>' if href else f"<p>{html.escape(t)}</p>"
        for lines in paragraphs
        for t, href in lines
    )
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
        text=text,
        html=body_html,
        invite=invite,
        invite_method=method,
    )


# The header that carries our stable per-delivery id through SES (which rewrites Message-ID).
DELIVERY_ID_HEADER = "X-SkillSwap-Delivery-ID"


def text_part(text: str, subtype: str) -> Message:
    """A UTF-8 text part, base64-encoded: byte for byte what `MIMEText(text, subtype, "utf-8")` writes (a unit test
    holds them equal), without its charset machinery, which re-parses the Content-Type it has just written and was
    most of the dispatcher's own time per message (bench/reminders.py)."""
    part = Message()
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["MIME-Version"] = "1.0"
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(text.encode("utf-8")).decode("ascii"))
    return part


def to_mime(email: Email, *, mail_from: str, delivery_id: int, now: datetime) -> Message:
    """The MIME message (multipart/mixed: text + HTML alternatives, and the invite). Its stable id, derived from
    the delivery and the same on any retry, is `X-SkillSwap-Delivery-ID`: SES replaces any Message-ID it is given
    with its own ("If you specify a Message-ID header, Amazon SES overrides the header with its own value",
    docs.aws.amazon.com/ses/latest/dg/header-fields.html) but passes other headers through. The Message-ID we set
    is kept for the other transports (file, memory), which name what they keep after it. Built with email.mime
    (compat32): the modern EmailMessage API re-parses every header and cost most of the dispatcher's time."""
    body = MIMEMultipart("alternative")
    body.attach(text_part(email.text, "plain"))
    body.attach(text_part(email.html, "html"))
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
    # A Header object (not its encoded string) lets the generator fold it: a pre-encoded string was folded onto a
    # continuation line, and readers saw the subject with a leading space.
    if email.subject.isascii():
        message["Subject"] = email.subject
    else:
        message["Subject"] = Header(email.subject, "utf-8")  # type: ignore[assignment]  # typeshed: str only
    message["Date"] = format_datetime(now)
    stable_id = f"<delivery-{delivery_id}@skillswap.dev>"
    message["Message-ID"] = stable_id
    message[DELIVERY_ID_HEADER] = stable_id
    return message

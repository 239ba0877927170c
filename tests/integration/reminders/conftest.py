"""Reminders fixtures: SES v2 under moto (a real moto server on loopback, so a dispatcher in another process
reaches it too), and the list of messages SES accepted, parsed."""

from __future__ import annotations

import email
import email.policy
import os
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import free_port
from tests.factories import User
from tests.integration.bookings.conftest import book, in_hours, publish_as  # noqa: F401  (book: shared fixture)

HOST_KINDS = ("host_booking_new", "host_booking_cancelled", "host_reminder")

SENDER = "no-reply@skillswap.dev"
MOTO_ACCOUNT = "123456789012"
REGION = "eu-west-1"


@pytest.fixture
def publish(make_user: Callable[..., User], admin_conn: Any) -> Callable[..., tuple[User, dict[str, Any]]]:
    """Create and publish a session through the API, its host having muted the host notices: these tests count the
    learners' mail, one message per event (the hosts' own notices are tested in test_everyone_notified.py)."""

    def _publish(host: User | None = None, **overrides: Any) -> tuple[User, dict[str, Any]]:
        host = host or make_user(name="Host")
        for kind in HOST_KINDS:
            admin_conn.execute(
                "insert into public.notification_mutes (user_id, kind) values (%s, %s) on conflict do nothing",
                (host.id, kind),
            )
        return host, publish_as(admin_conn, host, **overrides)

    return _publish


@pytest.fixture(scope="session")
def ses_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "SES_ENDPOINT_URL": url,
            "MAIL_TRANSPORT": "ses",
            # moto answers GetSendQuota with the SES sandbox's MaxSendRate of 1 per second: tests that are not
            # about pacing lift it (test_pacing.py unsets it to read moto's quota).
            "MAIL_MAX_SEND_RATE": "10000",
        }
    )
    import boto3

    boto3.client("sesv2", endpoint_url=url, region_name=REGION).create_email_identity(EmailIdentity=SENDER)
    yield url
    server.stop()


@pytest.fixture
def ses_sent(ses_endpoint: str) -> Iterator[Callable[[], list[EmailMessage]]]:
    """What SES accepted during this test, parsed (moto's own record of sent messages)."""
    from moto.ses.models import ses_backends

    from reminders.transports import default_transport

    default_transport.cache_clear()
    backend = ses_backends[MOTO_ACCOUNT][REGION]
    backend.sent_messages.clear()

    def sent() -> list[EmailMessage]:
        return [email.message_from_string(m.raw_data, policy=email.policy.default) for m in list(backend.sent_messages)]

    yield sent
    backend.sent_messages.clear()
    default_transport.cache_clear()


def invite_of(message: EmailMessage) -> Any:
    """The calendar invite attached to a message, parsed by an independent RFC 5545 parser."""
    import icalendar

    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return icalendar.Calendar.from_ical(payload)
    return None


def deliveries(conn: Any, **where: Any) -> list[tuple[Any, ...]]:
    clause = " and ".join(f"{k} = %s" for k in where) or "true"
    return conn.execute(
        "select kind, status::text, offset_minutes, due_at, last_error from public.deliveries"
        f" where {clause} order by id",
        tuple(where.values()),
    ).fetchall()


@pytest.fixture
def backlog(publish: Any, book: Any, admin_conn: Any) -> int:  # noqa: F811  (the book fixture)
    """30 confirmation emails due now (and their reminders, due in days; the host muted the host notices)."""
    _, session = publish(capacity=40, starts_at=in_hours(72))
    for _ in range(30):
        assert book(session["id"])[1].status == 201
    row = admin_conn.execute("select count(*) from public.deliveries where due_at <= now()").fetchone()
    assert row == (30,)
    return 30


def message_ids(messages: list[Any]) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in messages)


def statuses(conn: Any) -> Counter[str]:
    rows = conn.execute("select status::text from public.deliveries where due_at <= now()").fetchall()
    return Counter(r[0] for r in rows)

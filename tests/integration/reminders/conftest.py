"""Reminders fixtures: SES v2 under moto (a real moto server on loopback, so a dispatcher in another process
reaches it too), and the list of messages SES accepted, parsed."""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import free_port
from tests.integration.bookings.conftest import book, publish  # noqa: F401  (shared fixtures)

SENDER = "no-reply@skillswap.dev"
MOTO_ACCOUNT = "123456789012"
REGION = "eu-west-1"


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

"""Mail transports: SES v2 (boto3, the cloud), .eml files (make dev), memory (benchmarks)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.message import Message
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from shared.settings import get_settings


class MailRejected(Exception):
    """The mail service refused this message for good (bad address, unverified sender): dead-letter it."""


class MailUnavailable(Exception):
    """The mail service failed this time (throttled, network): retry later."""


class Transport(Protocol):
    def send(self, message: Message, *, to: str) -> str:
        """Hand the message over; return the provider's message id."""
        ...


@dataclass
class SesTransport:
    client: Any
    sender: str

    def send(self, message: Message, *, to: str) -> str:
        from botocore.exceptions import ClientError, EndpointConnectionError

        try:
            reply = self.client.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [to]},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {
                "MessageRejected",
                "BadRequestException",
                "MailFromDomainNotVerifiedException",
                "AccountSuspendedException",
                "NotFoundException",
            }:
                raise MailRejected(f"{code}: {exc.response.get('Error', {}).get('Message', '')}") from exc
            raise MailUnavailable(code or str(exc)) from exc
        except EndpointConnectionError as exc:
            raise MailUnavailable(str(exc)) from exc
        return str(reply["MessageId"])


@dataclass
class FileTransport:
    """Writes each message as an .eml file (named after its Message-ID) into a folder."""

    folder: Path

    def send(self, message: Message, *, to: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = str(message["Message-ID"]).strip("<>")
        (self.folder / f"{message_id}.eml").write_bytes(message.as_bytes())
        return message_id


@dataclass
class MemoryTransport:
    """Keeps what it is handed (benchmarks measure our code, not a mail service)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: Message, *, to: str) -> str:
        message_id = str(message["Message-ID"]).strip("<>")
        with self.lock:
            self.sent.append((message_id, to))
        return message_id


@lru_cache(maxsize=1)
def default_transport() -> Transport:
    settings = get_settings()
    if settings.mail_transport == "file":
        return FileTransport(Path(settings.mail_outbox_dir or ".local/mail"))
    if settings.mail_transport == "memory":
        return MemoryTransport()
    import boto3

    client = boto3.client("sesv2", endpoint_url=settings.ses_endpoint_url)
    sender = settings.mail_from.split("<")[-1].rstrip(">").strip()
    return SesTransport(client=client, sender=sender)

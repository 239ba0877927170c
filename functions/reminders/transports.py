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
    """The mail service refused this message for good (a malformed address, content it will not send): dead-letter
    it."""


class MailUnavailable(Exception):
    """The mail service failed this time (throttled, network): retry later."""


class MailParked(Exception):
    """The mail service refuses every message until the account is fixed (SES sandbox or an unverified identity,
    sending paused, account suspended, daily quota reached): the message is fine and waits, with this reason,
    without spending its attempts."""


# SES v2 SendEmail errors (docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors)
# that concern the account, not the message. In the sandbox every recipient must be a verified identity: SES
# answers MessageRejected "Email address is not verified. The following identities failed the check in region …"
# (docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html) — for a new account that is every mail.
_ACCOUNT_ERRORS = {
    "AccountSuspendedException": "the SES account is suspended",
    "SendingPausedException": "sending is paused for the SES account",
    "MailFromDomainNotVerifiedException": "the MAIL FROM domain is not verified in SES",
    "LimitExceededException": "the SES sending quota is reached",
    "NotFoundException": "an SES resource the message names does not exist (configuration set?)",
}
_PERMANENT_ERRORS = {"MessageRejected", "BadRequestException"}


def classify_ses_error(code: str, message: str) -> Exception:
    """The transport exception for an SES error code and message."""
    if code in _ACCOUNT_ERRORS:
        return MailParked(f"{code}: {_ACCOUNT_ERRORS[code]}")
    if code == "MessageRejected" and "not verified" in message:
        return MailParked(
            f"{code}: an identity is not verified in SES ({message}); in the SES sandbox every recipient must be"
            " verified: request production access (see the deploy guide)"
        )
    if code in _PERMANENT_ERRORS:
        return MailRejected(f"{code}: {message}")
    return MailUnavailable(code or message)


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
            error = exc.response.get("Error", {})
            raise classify_ses_error(str(error.get("Code", "")), str(error.get("Message", ""))) from exc
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

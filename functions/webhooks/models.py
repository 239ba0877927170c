"""The parts of Stripe's events the webhook function reads, as models: a verified event that does not fit them is
recorded as rejected with the reason (and answered 200, so Stripe stops retrying), never a 500.

Only the fields we use are declared; everything else Stripe sends is ignored (`extra="ignore"`), so a new field in
a later API version changes nothing. Ids, amounts and timestamps are bounded to what our columns hold.
Shapes follow the API version we pin (`shared.stripe_client.STRIPE_API_VERSION`); where versions put a field in
different places (the subscription of an invoice, a subscription's period end) both places are read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shared.schema import INT4_MAX, Currency, empty_dict, empty_list

_MAX_TIMESTAMP = 4_102_444_800  # 2100-01-01: Stripe's timestamps are seconds; later ones are not real


def _expandable_id(value: Any) -> Any:
    """Stripe sends a related object either as its id or, expanded, as the object: keep the id."""
    return value.get("id") if isinstance(value, dict) else value


StripeId = Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]
ExpandableId = Annotated[StripeId | None, BeforeValidator(_expandable_id)]
Timestamp = Annotated[int, Field(ge=0, le=_MAX_TIMESTAMP)]
Amount = Annotated[int, Field(ge=0, le=INT4_MAX)]


class _Part(BaseModel):
    """Validators are built on first use (`defer_build`), as for the response models (shared.schema.Model): a
    container compiles only the event shapes that reach it, not all of them at import (10 ms of the cold start)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


def as_time(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


# What an event's id and type look like (the envelope's rules, and the rejection ledger's test of a raw body).
EVENT_ID = re.compile(r"evt_[A-Za-z0-9_]{1,250}")
EVENT_TYPE = re.compile(r"[a-z0-9_.]{1,100}")


class EventEnvelope(_Part):
    id: Annotated[str, Field(pattern=f"^{EVENT_ID.pattern}$")]
    type: Annotated[str, Field(pattern=f"^{EVENT_TYPE.pattern}$")]
    created: Timestamp
    account: StripeId | None = None
    api_version: str | None = Field(None, max_length=40)
    data: dict[str, Any]

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC)

    @property
    def data_object(self) -> dict[str, Any]:
        obj = self.data.get("object")
        return obj if isinstance(obj, dict) else {}


class PaymentError(_Part):
    code: str | None = Field(None, max_length=100)


class TransferData(_Part):
    destination: ExpandableId = None


class PaymentIntentObject(_Part):
    id: StripeId
    amount: Amount
    amount_received: Amount | None = None
    currency: Currency
    latest_charge: ExpandableId = None
    metadata: dict[str, str] = Field(default_factory=empty_dict)
    last_payment_error: PaymentError | None = None
    cancellation_reason: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=50)
    application_fee_amount: Amount | None = None
    transfer_data: TransferData | None = None

    def _uuid(self, key: str) -> UUID | None:
        try:
            return UUID(self.metadata.get(key, ""))
        except ValueError:
            return None

    def content_purchase(self) -> tuple[UUID, UUID] | None:
        """(buyer, item) of a premium item's payment; None for other payments."""
        if self.metadata.get("kind") != "content":
            return None
        user_id, content_id = self._uuid("user_id"), self._uuid("content_id")
        return (user_id, content_id) if user_id and content_id else None

    def booking_id(self) -> UUID | None:
        """The booking this payment is for (None for other payments: memberships, content)."""
        if self.metadata.get("kind", "booking") != "booking":
            return None
        return self._uuid("booking_id")


class RefundRef(_Part):
    id: StripeId


class RefundList(_Part):
    data: list[RefundRef] = Field(default_factory=empty_list, max_length=1000)


class ChargeObject(_Part):
    payment_intent: ExpandableId = None
    refunds: RefundList | None = None


class PriceRef(_Part):
    id: StripeId


class SubscriptionItem(_Part):
    price: Annotated[PriceRef | None, BeforeValidator(lambda v: {"id": v} if isinstance(v, str) else v)] = None
    plan: Annotated[PriceRef | None, BeforeValidator(lambda v: {"id": v} if isinstance(v, str) else v)] = None
    current_period_end: Timestamp | None = None


class SubscriptionItems(_Part):
    data: list[SubscriptionItem] = Field(default_factory=empty_list, max_length=100)


class SubscriptionObject(_Part):
    id: StripeId
    customer: ExpandableId = None
    status: Annotated[str, Field(min_length=1, max_length=50)]
    items: SubscriptionItems | None = None
    plan: Annotated[PriceRef | None, BeforeValidator(lambda v: {"id": v} if isinstance(v, str) else v)] = None
    current_period_end: Timestamp | None = None
    cancel_at_period_end: bool | None = None
    trial_end: Timestamp | None = None

    def price_id(self) -> str | None:
        first = self.items.data[0] if self.items and self.items.data else None
        ref = (first.price or first.plan) if first else None
        ref = ref or self.plan
        return ref.id if ref else None

    def period_end(self) -> datetime | None:
        first = self.items.data[0] if self.items and self.items.data else None
        return as_time(self.current_period_end or (first.current_period_end if first else None))


class LinePeriod(_Part):
    end: Timestamp | None = None


class InvoiceLine(_Part):
    period: LinePeriod | None = None


class InvoiceLines(_Part):
    data: list[InvoiceLine] = Field(default_factory=empty_list, max_length=1000)


class SubscriptionDetails(_Part):
    subscription: ExpandableId = None


class InvoiceParent(_Part):
    subscription_details: SubscriptionDetails | None = None


class InvoiceObject(_Part):
    id: Annotated[str | None, Field(None, pattern=r"^in_[A-Za-z0-9_]{1,250}$")] = None
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None = None
    amount_due: Amount = 0
    amount_paid: Amount = 0
    currency: Currency | None = None
    hosted_invoice_url: Annotated[str | None, Field(None, pattern=r"^https://\S+$", max_length=2000)] = None
    created: Timestamp | None = None
    subscription: ExpandableId = None
    parent: InvoiceParent | None = None
    customer: ExpandableId = None
    lines: InvoiceLines | None = None
    period_end: Timestamp | None = None

    def subscription_id(self) -> str | None:
        if self.subscription:
            return self.subscription
        details = self.parent.subscription_details if self.parent else None
        return details.subscription if details else None

    def covered_until(self) -> datetime | None:
        ends = [line.period.end for line in (self.lines.data if self.lines else []) if line.period and line.period.end]
        return as_time(max(ends)) if ends else as_time(self.period_end)


class AccountObject(_Part):
    id: StripeId
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def rejection_reason(exc: ValidationError) -> str:
    """Which fields did not fit, and how (never their values: a payload may carry personal data)."""
    parts = [f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['type']}" for err in exc.errors()[:5]]
    return _UNPRINTABLE.sub("?", "; ".join(parts))[:500]  # field names come from the payload: made printable

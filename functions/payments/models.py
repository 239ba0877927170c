"""Input and output models of the payments function (pydantic; every field validated, errors name it)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.schema import Model, Strict

PlanId = str  # checked where it is read: `^[a-z0-9-]+$`, 1-64


class PlanPublic(Model):
    id: str
    name: str
    description: str
    amount: int
    currency: str
    billing_interval: str
    trial_days: int


class PlansPublic(Model):
    data: list[PlanPublic]


class MembershipCreate(Strict):
    plan_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")


class PlanChange(Strict):
    plan_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")


class MembershipPublic(Model):
    """The caller's membership. `client_secret` (the first invoice's PaymentIntent) is what Stripe.js confirms to
    finish the first payment, strong customer authentication included, while `status` is `incomplete`;
    `setup_client_secret` (a SetupIntent) saves the card that pays once a trial ends."""

    subscription_id: str
    plan_id: str | None
    status: str
    current_period_end: datetime | None = Field(None, description="when the membership renews (or ends, if cancelled)")
    cancel_at_period_end: bool
    trial_end: datetime | None
    client_secret: str | None = None
    setup_client_secret: str | None = None


class InvoicePublic(Model):
    id: str
    status: str
    amount_due: int
    amount_paid: int
    currency: str
    period_end: datetime | None
    hosted_invoice_url: str | None
    created_at: datetime


class InvoicesPublic(Model):
    data: list[InvoicePublic]
    next_cursor: str | None = None


class ContentPublic(Model):
    """A premium item in the catalogue. `body` and `url` are there only for those who may read them (its author, a
    member while it is published, a buyer); `access` says why or why not."""

    id: UUID
    kind: Literal["article", "recording", "resource"]
    title: str
    summary: str
    author_id: UUID | None
    author_name: str
    price_amount: int
    currency: str
    status: Literal["draft", "published", "archived"]
    published_at: datetime | None
    skill_ids: list[int]
    access: Literal["author", "member", "purchased", "locked"]
    body: str | None = None
    url: str | None = None


class ContentListPublic(Model):
    data: list[ContentPublic]
    next_cursor: str | None = None


class PurchasePublic(Model):
    """What Stripe.js needs to pay for a premium item; the item opens when Stripe's webhook confirms the payment."""

    content_id: UUID
    payment_intent_id: str
    client_secret: str
    amount: int
    currency: str
    status: str


class RefundPublic(Model):
    content_id: UUID
    refund_id: str
    amount: int
    currency: str


class PayoutOnboarding(Strict):
    return_url: str = Field(pattern=r"^https://\S+$", max_length=2000)


class PayoutOnboardingPublic(Model):
    account_id: str
    onboarding_url: str


class EarningsTotal(Model):
    currency: str
    gross: int = Field(description="what learners and buyers paid for your sessions and items")
    platform_fees: int
    refunded: int
    net: int


class ChargePublic(Model):
    kind: Literal["booking", "content"]
    reference_id: UUID = Field(description="the booking or the premium item")
    title: str
    amount: int
    currency: str
    platform_fee: int
    refunded: int
    paid_at: datetime


class PayoutPublic(Model):
    id: str
    amount: int
    currency: str
    status: str
    arrival_date: datetime


class EarningsPublic(Model):
    payout_account: Literal["none", "onboarding", "active"]
    totals: list[EarningsTotal]
    charges: list[ChargePublic]
    next_cursor: str | None = None
    payouts: list[PayoutPublic]

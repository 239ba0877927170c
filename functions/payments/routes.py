"""HTTP routes of the payments function: parse, authenticate, call one logic function, return a model."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from payments import logic
from payments.models import (
    ContentListPublic,
    ContentPublic,
    EarningsPublic,
    InvoicesPublic,
    MembershipCreate,
    MembershipPublic,
    PayoutOnboarding,
    PayoutOnboardingPublic,
    PlanChange,
    PlansPublic,
    PurchasePublic,
    RefundPublic,
)
from shared.auth import Principal
from shared.deps import DEFAULT_LIMIT, Cursor, Limit, current_user, optional_user
from shared.openapi import EXTRA_STATUSES
from shared.routing import LazyRoute

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Routes that call Stripe may answer 502 (the payment provider failed; nothing of ours was half-written).
CALLS_STRIPE = {EXTRA_STATUSES: [502]}
User = Annotated[Principal, Depends(current_user)]
MaybeUser = Annotated[Principal | None, Depends(optional_user)]

memberships = APIRouter(route_class=LazyRoute, tags=["memberships"])
content = APIRouter(route_class=LazyRoute, prefix="/content", tags=["premium content"])
payouts = APIRouter(route_class=LazyRoute, tags=["payouts"])


# Memberships ---------------------------------------------------------------------------------------------------
@memberships.get("/memberships/plans", response_model=PlansPublic)
async def list_plans() -> PlansPublic:
    return logic.list_plans()


@memberships.post(
    "/memberships",
    status_code=201,
    openapi_extra=CALLS_STRIPE,
    response_model=MembershipPublic,
    responses={200: {"model": MembershipPublic, "description": "a repeat: the membership you already hold"}},
    summary="Subscribe to a plan (201); asking again for the plan you hold answers that membership (200)",
)
async def start_membership(data: MembershipCreate, user: User) -> JSONResponse:
    created, membership = logic.start_membership(principal=user, data=data)
    return JSONResponse(membership.model_dump(mode="json"), status_code=201 if created else 200)


@memberships.get("/me/membership", response_model=MembershipPublic, openapi_extra={EXTRA_STATUSES: [404, 502]})
async def get_membership(user: User) -> MembershipPublic:
    return logic.get_membership(principal=user)


@memberships.post(
    "/me/membership/cancel",
    response_model=MembershipPublic,
    openapi_extra=CALLS_STRIPE,
    summary="Cancel at the period's end",
)
async def cancel_membership(user: User) -> MembershipPublic:
    return logic.cancel_membership(principal=user)


@memberships.post(
    "/me/membership/resume",
    response_model=MembershipPublic,
    openapi_extra=CALLS_STRIPE,
    summary="Take back a cancellation",
)
async def resume_membership(user: User) -> MembershipPublic:
    return logic.resume_membership(principal=user)


@memberships.post(
    "/me/membership/plan",
    response_model=MembershipPublic,
    openapi_extra=CALLS_STRIPE,
    summary="Change plan now, prorated",
)
async def change_plan(data: PlanChange, user: User) -> MembershipPublic:
    return logic.change_plan(principal=user, data=data)


@memberships.get("/me/membership/invoices", response_model=InvoicesPublic)
async def list_invoices(user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> InvoicesPublic:
    return logic.list_invoices(principal=user, cursor=cursor, limit=limit)


# Premium content -----------------------------------------------------------------------------------------------
@content.get("", response_model=ContentListPublic, summary="The published catalogue, newest first")
async def list_content(
    user: MaybeUser,
    skill: Annotated[
        str | None, Query(max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="skill slug")
    ] = None,
    kind: Literal["article", "recording", "resource"] | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> ContentListPublic:
    return logic.list_content(principal=user, skill=skill, kind=kind, cursor=cursor, limit=limit)


@content.get("/{content_id}", response_model=ContentPublic, summary="One item; its body if you may read it")
async def get_content(content_id: UUID, user: MaybeUser) -> ContentPublic:
    return logic.get_content(principal=user, content_id=content_id)


@content.post(
    "/{content_id}/purchase", response_model=PurchasePublic, summary="Pay for one item", openapi_extra=CALLS_STRIPE
)
async def purchase_content(content_id: UUID, user: User) -> PurchasePublic:
    return logic.purchase_content(principal=user, content_id=content_id)


@content.post(
    "/{content_id}/refund",
    response_model=RefundPublic,
    openapi_extra=CALLS_STRIPE,
    summary=f"Take a purchase back (within {logic.CONTENT_REFUND_DAYS} days)",
)
async def refund_content(content_id: UUID, user: User) -> RefundPublic:
    return logic.refund_content(principal=user, content_id=content_id)


# Payouts and earnings ------------------------------------------------------------------------------------------
@payouts.post("/payouts/onboarding", response_model=PayoutOnboardingPublic, openapi_extra=CALLS_STRIPE)
async def start_payout_onboarding(data: PayoutOnboarding, user: User) -> PayoutOnboardingPublic:
    return logic.start_payout_onboarding(principal=user, data=data)


@payouts.get(
    "/me/earnings",
    response_model=EarningsPublic,
    summary="Charges, platform fees, refunds and payouts",
    openapi_extra=CALLS_STRIPE,
)
async def get_earnings(user: User, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> EarningsPublic:
    return logic.get_earnings(principal=user, cursor=cursor, limit=limit)


routers = [memberships, content, payouts]

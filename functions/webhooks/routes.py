"""HTTP routes of the Stripe webhook function."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

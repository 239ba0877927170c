"""HTTP routes of the bookings function."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

"""HTTP routes of the matching function."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

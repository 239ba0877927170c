"""Base classes of every request and response model of the functions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Response models. Validators and serializers are built on first use rather than at import (pydantic's
    `defer_build`), so a container only pays for the models its requests touch (about 8 ms of the bookings cold
    start otherwise)."""

    model_config = ConfigDict(defer_build=True)


class Strict(BaseModel):
    """Request bodies and query models: unknown fields are refused (422 naming them), strings are stripped. Built
    at import: FastAPI validates them through a TypeAdapter carrying the parameter's alias, which a deferred model
    would only compile on the first request (with a warning that the alias has no effect there)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

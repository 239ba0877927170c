"""Base classes of every request and response model of the functions, and the input types that keep hostile
values out: text without control characters, timestamps within a sane window, integers within their column
type, ISO 4217 currencies Stripe settles."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.json_schema import JsonDict
from pydantic.warnings import UnsupportedFieldAttributeWarning

# FastAPI validates a body or query model through a TypeAdapter of `Annotated[Model, Field(alias=<parameter>)]`
# (the alias is FastAPI's own: it reads the parameter by that name itself). pydantic (>= 2.12) warns that such an
# alias has no effect there, and FastAPI silences that warning while it builds the adapter (`ModelField.__post_init__`
# in fastapi/_compat/v2.py, "we need to ignore the warning"). A deferred model compiles on its first request, outside
# that silence: the same warning is silenced here, only it.
warnings.filterwarnings(
    "ignore", message=r"The 'alias' attribute with value", category=UnsupportedFieldAttributeWarning
)


def empty_list() -> list[Any]:
    """Default factory of a list field. Not the builtin `list`: pydantic inspects a default factory's signature, and
    a builtin's costs a first parse of its text signature (tokenize's regexes: 6 ms of a cold start, once)."""
    return []


def empty_dict() -> dict[str, Any]:
    """Default factory of a dict field (not the builtin `dict`, for the same reason as empty_list)."""
    return {}


class Model(BaseModel):
    """Response models. Validators and serializers are built on first use rather than at import (pydantic's
    `defer_build`), so a container only pays for the models its requests touch (about 8 ms of the bookings cold
    start otherwise)."""

    model_config = ConfigDict(defer_build=True)


# Text --------------------------------------------------------------------------------------------------------
MULTILINE: JsonDict = {"x-multiline": True}  # json_schema_extra of a text field that may hold newlines and tabs
# C0 and C1 control characters (NUL included) and lone surrogates; multi-line text may hold tab, newline, return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_control_characters(value: str, *, multiline: bool) -> str:
    """NUL and every other control character, and lone surrogates, are refused: Postgres cannot store NUL or a lone
    surrogate in text, and the rest are invisible tricks in titles and links. Multi-line text may hold newlines
    and tabs."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found is not None:
        raise ValueError(f"must not contain control characters (found U+{ord(found.group()):04X})")
    return value


def _check_strings(value: Any, multiline: bool) -> Any:
    if isinstance(value, str):
        return refuse_control_characters(value, multiline=multiline)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_strings(item, multiline)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, False)
            _check_strings(item, multiline)
    return value


class Strict(BaseModel):
    """Request bodies and query models: unknown fields are refused (422 naming them), strings are stripped, and no
    text field anywhere accepts control characters (multi-line fields, marked `MULTILINE`, allow newline and tab).
    Validators are built on first use (`defer_build`), as for response models: a container compiles only the
    request models its routes receive (5 ms of the bookings cold start otherwise)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        return _check_strings(value, info.field_name in _multiline_fields(cls))


@cache
def _multiline_fields(model: type[BaseModel]) -> frozenset[str]:
    """A model's fields marked MULTILINE, found once per model (the validator above runs for every field of every
    request body, and `model_fields` is a descriptor call on each access)."""
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and bool(field.json_schema_extra.get("x-multiline"))
    )


# Numbers and times ---------------------------------------------------------------------------------------------
INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
# An id of an int4 / bigint column: nothing beyond it can exist, so it is refused before it reaches Postgres.
# Strict (a JSON integer; not "7", 7.0 or true), as every number and flag of a request body is.
Int4Id = Annotated[int, Field(ge=1, le=INT4_MAX, strict=True)]
Int8Id = Annotated[int, Field(ge=1, le=INT8_MAX, strict=True)]

# Timestamps: within years 2000 to 2100. Wider values are typos or attacks (and near the ends of Python's range an
# offset can overflow on conversion to UTC).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _sane_time(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("must be between 2000-01-01 and 2100-01-01")
    return value


SaneDatetime = Annotated[AwareDatetime, AfterValidator(_sane_time)]

# Money -----------------------------------------------------------------------------------------------------------
# ISO 4217 codes Stripe settles charges in (docs.stripe.com/currencies, "Supported currencies"), lower case as the
# API writes them; withdrawn codes (eek, hrk, ltl, lvl, mro, std, vef, sll) are not accepted.
_STRIPE_CURRENCY_CODES = """
    aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny
    cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk
    jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad
    ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd szl thb
    tjs top try ttd twd tzs uah ugx usd uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw
"""
STRIPE_CURRENCIES = frozenset(_STRIPE_CURRENCY_CODES.split())
_CURRENCY = re.compile(r"^[a-z]{3}$")


def _stripe_currency(value: str) -> str:
    value = value.lower()
    if not _CURRENCY.match(value) or value not in STRIPE_CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code Stripe supports (e.g. usd, eur)")
    return value


Currency = Annotated[
    str,
    Field(min_length=3, max_length=3, description="ISO 4217 code Stripe supports, lower case", examples=["usd"]),
    AfterValidator(_stripe_currency),
]

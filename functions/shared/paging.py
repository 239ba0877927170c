"""Keyset pagination, one helper for every list that grows: a page is the rows after the cursor in a fixed order
(the sort key and the row id, so ties never repeat or skip a row), at most `MAX_PAGE` of them; the cursor is the
last row's key, opaque to clients (base64url of a JSON list)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from shared.errors import Unprocessable

MAX_PAGE = 100
DEFAULT_PAGE = 20
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,400}$"

T = TypeVar("T")
KeyPart = datetime | UUID | int | bool | str


def encode_cursor(*key: KeyPart) -> str:
    parts = [
        part.isoformat() if isinstance(part, datetime) else part if isinstance(part, int) else str(part) for part in key
    ]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple[Any, ...]:
    """The key a cursor of `encode_cursor` holds, each part read as its kind (datetime, UUID, int, bool, str); a
    cursor this API did not make is a 422 naming `cursor`."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(parts, list) or len(parts) != len(kinds):
            raise ValueError("shape")
        key: list[Any] = []
        for part, kind in zip(parts, kinds, strict=True):
            if kind is datetime:
                moment = datetime.fromisoformat(part)
                if moment.tzinfo is None:
                    raise ValueError("naive")
                key.append(moment)
            elif kind is UUID:
                key.append(UUID(part))
            elif kind in (int, bool):
                if not isinstance(part, int) or (kind is int and isinstance(part, bool)):
                    raise ValueError("type")
                key.append(part)
            else:
                key.append(str(part))
        return tuple(key)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise Unprocessable("not a cursor returned by this API", field="cursor") from exc


def keyset_params(after: Sequence[Any] | None, *names: str) -> dict[str, Any]:
    """A decoded cursor as named SQL parameters (all None on the first page, which queries test with `is null`)."""
    return dict(zip(names, after if after is not None else (None,) * len(names), strict=True))


def page(rows: Sequence[T], limit: int, key_of: Callable[[T], Sequence[KeyPart]]) -> tuple[list[T], str | None]:
    """Rows fetched with `limit + 1` → (the page, the cursor of the next page or None)."""
    shown = list(rows[:limit])
    more = len(rows) > limit and bool(shown)
    return shown, encode_cursor(*key_of(shown[-1])) if more else None

"""FastAPI dependencies of the HTTP functions: who is calling.

They read the Authorization header from the request rather than declaring a Header() parameter: FastAPI would
compile a validator for that parameter on every route that depends on them (a few ms of each cold start).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from shared.auth import Principal, signed_in
from shared.paging import CURSOR_PATTERN, DEFAULT_PAGE, MAX_PAGE

# Query parameters of every paged list (keyset pagination, shared.paging).
Cursor = Annotated[
    str | None, Query(pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page; omit for the first")
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size (at most {MAX_PAGE})")]
DEFAULT_LIMIT = DEFAULT_PAGE


async def current_user(request: Request) -> Principal:
    """The signed-in user (role `authenticated`); other roles get 403, no or a bad token 401.

    `async` on purpose (as are the routes): the work is done on the invoking thread, not in a worker thread,
    so a Lambda container keeps its one database connection across invocations (see shared.app).
    """
    return signed_in(request.headers.get("authorization"))


async def optional_user(request: Request) -> Principal | None:
    """For public reads: None without a token; a token that is sent must be valid."""
    authorization = request.headers.get("authorization")
    return None if authorization is None else signed_in(authorization)

"""The Lambda init phase of every handler module: `with init_phase(): <imports, app>`.

Importing FastAPI, pydantic and psycopg creates hundreds of thousands of objects, and CPython's cyclic garbage
collector runs again and again while they are created: measured, 15 ms of a hello-world FastAPI import and about
55 ms of the bookings handler's. Nothing built while importing is garbage worth collecting, so the collector is
off for the init phase. Afterwards everything init built is frozen (gc.freeze: moved to the permanent
generation, which later collections skip, as it lives as long as the container anyway) and collection resumes
for the objects that requests create. The price: cyclic garbage made during init, a bounded amount, is never
reclaimed.

FastAPI 0.165 imports `pydantic.v1` (13 ms here) the first time it creates a route's fields, only to refuse
pydantic v1 models (`is_pydantic_v1_model_class` in fastapi/_compat/shared.py, which answers False when the import
fails). No code of ours or of our dependencies uses pydantic v1, so the init phase marks it as not importable.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def init_phase() -> Iterator[None]:
    sys.modules.setdefault("pydantic.v1", None)  # type: ignore[arg-type]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()

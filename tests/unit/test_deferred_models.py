"""Models compile on their first use (`defer_build`: shared.schema's Model and Strict, the webhook's event models).
In a fresh interpreter, as in a new Lambda container: nothing is compiled at import, the first validation through
the route's FastAPI field compiles the model and validates as before, and it warns nothing (every warning is an
error there). And every model of the functions does build."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from pydantic import BaseModel

from infra.localenv import ROOT

PROBE = r"""
import sys, warnings
warnings.simplefilter("error")  # every warning fails the probe, save those the code itself chose to silence
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from bookings.handler import app
from bookings.models import SessionCreate

assert not SessionCreate.__pydantic_complete__, "compiled at import"
route = next(r for r in app.router.routes if getattr(r, "path", "") == "/sessions" and "POST" in r.methods)
body = {"format": "workshop", "title": "Ownership in Rust", "capacity": 5,
        "starts_at": "2027-03-14T14:00:00Z", "ends_at": "2027-03-14T15:30:00Z"}
value, errors = route.body_field.validate(body, {}, loc=("body",))
assert not errors and isinstance(value, SessionCreate) and value.capacity == 5, (value, errors)
_, errors = route.body_field.validate({**body, "title": "a\x00b"}, {}, loc=("body",))
assert [e["loc"] for e in errors] == [("body", "title")], errors
print("ok")
"""


def test_a_request_model_compiles_on_first_use_and_warns_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "functions"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def _models() -> list[type[BaseModel]]:
    """Every pydantic model the functions declare (their models modules and shared.schema)."""
    found: dict[str, type[BaseModel]] = {}
    for module_name in (
        "shared.schema",
        *(f"{p.parent.name}.models" for p in (ROOT / "functions").glob("*/models.py")),
    ):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module_name:
                found[f"{module_name}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


@pytest.mark.parametrize("model", _models(), ids=lambda m: f"{m.__module__}.{m.__qualname__}")
def test_every_deferred_model_builds(model: type[BaseModel]) -> None:
    """A deferred model that could not be built would fail on its first request, not at import: each one is built
    here (a broken forward reference or field type fails this test, not a request in the cloud)."""
    model.model_rebuild(force=True)
    assert model.__pydantic_complete__
    assert type(model.__pydantic_validator__).__name__ == "SchemaValidator"

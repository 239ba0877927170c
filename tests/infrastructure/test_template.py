"""template.yaml describes every function, each Handler imports, and no secret value is in the template."""

from __future__ import annotations

import importlib
import re
import tomllib

import pytest

from infra.devserver import HTTP_FUNCTIONS
from tests.infrastructure.template import ROOT, functions, load_template


@pytest.mark.parametrize("logical_id", sorted(functions()))
def test_every_handler_string_imports_to_a_callable(logical_id: str) -> None:
    handler = functions()[logical_id]["Handler"]
    module_name, _, attr = handler.rpartition(".")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attr))


def test_every_http_function_served_locally_is_in_the_template() -> None:
    handlers = {props["Handler"] for props in functions().values()}
    for module_name in HTTP_FUNCTIONS.values():
        assert f"{module_name}.lambda_handler" in handlers


def test_http_functions_have_function_urls_with_code_checked_auth() -> None:
    for name, props in functions().items():
        if props["Handler"] in {f"{module}.lambda_handler" for module in HTTP_FUNCTIONS.values()}:
            assert props["FunctionUrlConfig"]["AuthType"] == "NONE", name


def test_functions_share_one_code_root_and_runtime() -> None:
    globals_ = load_template()["Globals"]["Function"]
    assert globals_["CodeUri"] == "functions/"
    assert globals_["Runtime"] == "python3.11"
    for name, props in functions().items():
        assert "CodeUri" not in props or props["CodeUri"] == "functions/", name


def _pins(path: str) -> list[str]:
    lines = (ROOT / path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_layers_carry_exactly_the_pinned_runtime_dependencies() -> None:
    """DepsLayer = pyproject's runtime pins less boto3 (the Lambda runtime provides it) and the numeric stack;
    CohortLayer = some of the same pins plus numpy and SciPy."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        pinned = tomllib.load(f)["project"]["dependencies"]
    assert all("==" in dep for dep in pinned)
    numeric = {dep for dep in pinned if dep.startswith(("numpy==", "scipy=="))}
    assert len(numeric) == 2
    deps = _pins("infra/layer/requirements.in")
    assert sorted(deps) == sorted(dep for dep in pinned if not dep.startswith("boto3==") and dep not in numeric)
    cohort = set(_pins("infra/layer-cohort/requirements.in"))
    assert numeric <= cohort <= set(pinned)


SECRET_PATTERNS = [
    r"sk_(test|live)_[A-Za-z0-9]+",
    r"whsec_[A-Za-z0-9]+",
    r"postgres(ql)?://[^\s\"']+",
    r"eyJ[A-Za-z0-9_-]{10,}\.",
    r"super-secret",
]


def test_no_secret_value_is_in_the_template() -> None:
    text = (ROOT / "template.yaml").read_text()
    for pattern in SECRET_PATTERNS:
        assert re.search(pattern, text) is None, pattern

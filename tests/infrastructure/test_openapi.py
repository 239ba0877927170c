"""The committed OpenAPI documents are the apps' own, and they say what the API answers: every operation
declares its problem+json errors with the Problem schema, the bearer scheme where a token is needed or accepted,
and none of FastAPI's validation-error schema (we never send it)."""

from __future__ import annotations

import pytest

from infra.devserver import HTTP_FUNCTIONS
from infra.openapi import document, path_of, render
from shared.errors import PROBLEM_JSON


@pytest.mark.parametrize("function", sorted(HTTP_FUNCTIONS))
def test_the_committed_document_is_the_apps_own(function: str) -> None:
    assert path_of(function).read_text() == render(document(function)), "run `python -m infra.openapi`"


@pytest.mark.parametrize("function", sorted(HTTP_FUNCTIONS))
def test_every_operation_declares_its_problems_and_its_auth(function: str) -> None:
    spec = document(function)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"500", "503"} <= responses.keys(), (method, path)
            assert any(code.startswith("2") for code in responses), (method, path)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            if "401" in responses:
                assert {"bearer": []} in operation["security"], (method, path)
            if "429" in responses or "503" in responses:
                assert "Retry-After" in responses.get("503", {}).get("headers", {})

"""The local Supabase stand-in matches the checked-in description of the platform objects we rely on
(infra/local/platform_catalog.json, each part with its upstream source), so a drift in either shows here."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from infra.standin_catalog import describe, load_expected


@pytest.fixture(scope="module")
def described(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        return describe(conn)


@pytest.mark.parametrize("part", ["roles", "schemas", "relations", "functions", "publications"])
def test_standin_matches_the_platform_description(described: dict[str, Any], part: str) -> None:
    assert described[part] == load_expected()[part]


def test_no_default_privileges_hand_new_public_objects_to_the_api_roles(described: dict[str, Any]) -> None:
    assert described["public_default_privileges_for_api_roles"] == []
    assert load_expected()["public_default_privileges_for_api_roles"] == []


def test_the_bootstrap_has_no_default_grants_for_the_api_roles() -> None:
    from infra.localdb import BOOTSTRAP_SQL

    for line in BOOTSTRAP_SQL.read_text().lower().splitlines():
        code = line.split("--", 1)[0]
        if "alter default privileges" in code:
            assert " revoke " in code, line


def test_the_description_names_its_sources() -> None:
    import json

    from infra.standin_catalog import CATALOG_FILE

    sources = json.loads(CATALOG_FILE.read_text())["_sources"]
    assert {"roles", "auth.users", "auth.identities", "realtime.messages, realtime.send, realtime.topic"} <= set(
        sources
    )

"""supabase/config.toml (the Docker path: `supabase start`) stays consistent with the Docker-free local stack."""

from __future__ import annotations

import tomllib
from typing import Any

from infra.localdb import PG_BIN, ROOT
from infra.localenv import TEST_DB_PORT, DevConfig


def _config() -> dict[str, Any]:
    with (ROOT / "supabase" / "config.toml").open("rb") as f:
        return tomllib.load(f)


def _ports(config: dict[str, Any]) -> set[int]:
    found: set[int] = set()
    for value in config.values():
        if isinstance(value, dict):
            found |= {v for k, v in value.items() if k.endswith("port") and isinstance(v, int)}
            found |= _ports(value)
    return found


def test_the_cli_stack_uses_no_port_of_make_dev_or_make_test() -> None:
    dev = DevConfig.from_env()
    assert _ports(_config()).isdisjoint({dev.db_port, dev.api_port, dev.stripe_port, TEST_DB_PORT})


def test_the_cli_stack_runs_the_postgres_major_we_test_on() -> None:
    assert _config()["db"]["major_version"] == int(PG_BIN.parent.name) == 15


def test_the_data_api_exposes_public_only_and_seeds_our_seed() -> None:
    config = _config()
    assert config["api"]["schemas"] == ["public"]
    assert config["db"]["seed"]["sql_paths"] == ["./seed.sql"]
    assert config["realtime"]["enabled"] is True

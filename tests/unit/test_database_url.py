"""In the cloud (ENVIRONMENT dev/prod) the database URL must be Supabase's transaction pooler over TLS; anything
else fails at start with a message that names what is wrong and the URL to use (never the password)."""

from __future__ import annotations

import pytest

from shared.settings import ConfigError, check_database_url, get_settings

REF = "abcdefghijklmnopqrst"
GOOD = f"postgresql://postgres.{REF}:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?sslmode=require"


@pytest.mark.parametrize(
    "url",
    [
        GOOD,
        GOOD.replace("aws-0-eu-west-1", "aws-1-us-east-2").replace("sslmode=require", "sslmode=verify-full"),
        GOOD.replace("aws-0-eu-west-1", "aws-ap-southeast-1").replace("postgresql://", "postgres://"),
    ],
)
def test_the_transaction_pooler_over_tls_is_accepted(url: str) -> None:
    check_database_url(url, "prod")


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (GOOD.replace(":6543", ":5432"), "port 5432"),  # session pooler: one server connection per container
        (f"postgresql://postgres:pw@db.{REF}.supabase.co:5432/postgres?sslmode=require", "not the shared pooler"),
        (GOOD.replace("?sslmode=require", ""), "sslmode=(unset)"),
        (GOOD.replace("sslmode=require", "sslmode=prefer"), "sslmode=prefer"),
        (GOOD.replace(f"postgres.{REF}", "postgres"), "postgres.<project-ref>"),
        (GOOD.replace("pooler.supabase.com", "pooler.supabase.com.evil.example"), "not the shared pooler"),
        ("mysql://x", "scheme"),
    ],
)
def test_anything_else_fails_fast_naming_the_problem_and_the_url_to_use(url: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_database_url(url, "dev")
    message = str(caught.value)
    assert named in message
    assert "Transaction pooler" in message
    assert ":pw@" not in message


def test_local_and_test_stacks_are_not_held_to_it() -> None:
    check_database_url("postgresql://postgres@127.0.0.1:54322/postgres", "local")


def test_settings_refuse_a_direct_url_in_the_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:pw@127.0.0.1:5432/postgres")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        get_settings()

"""The local stack's fixed facts: ports, folders, the local JWT key and the environment the functions read.

These are the embedded defaults of `make dev` (each overridable through the environment variable named beside
it) and of the test run. Nothing here is used in the cloud.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = ROOT / ".local"

# The same defaults as the Supabase CLI's local stack.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105 - local only
LOCAL_JWT_ISSUER = "http://127.0.0.1:54321/auth/v1"
LOCAL_STRIPE_KEY = "sk_test_local_skillswap"
LOCAL_WEBHOOK_SECRET = "whsec_local_skillswap"  # noqa: S105 - local only
LOCAL_CONNECT_WEBHOOK_SECRET = "whsec_local_skillswap_connect"  # noqa: S105 - local only


@dataclass(frozen=True)
class DevConfig:
    data_dir: Path
    db_port: int
    api_port: int
    stripe_port: int
    outbox_dir: Path
    web_port: int

    @classmethod
    def from_env(cls) -> DevConfig:
        base = Path(os.environ.get("SKILLSWAP_DEV_DIR", str(LOCAL_DIR)))
        return cls(
            data_dir=base / "pgdev",
            db_port=int(os.environ.get("SKILLSWAP_DB_PORT", "54322")),
            api_port=int(os.environ.get("SKILLSWAP_API_PORT", "8000")),
            stripe_port=int(os.environ.get("SKILLSWAP_STRIPE_PORT", "8420")),
            outbox_dir=base / "mail",
            web_port=int(os.environ.get("SKILLSWAP_WEB_PORT", "8001")),
        )


TEST_DB_PORT = int(os.environ.get("SKILLSWAP_TEST_DB_PORT", "54329"))
TEST_DATA_DIR = LOCAL_DIR / "pgtest"
TEST_DATABASE = "skillswap_test"


def function_env(*, database_url: str, stripe_port: int | None = None) -> dict[str, str]:
    """Environment variables the functions read, pointed at the local stack."""
    env = {
        "ENVIRONMENT": "local",
        "DATABASE_URL": database_url,
        "JWT_SECRET": LOCAL_JWT_SECRET,
        "JWT_ISSUER": LOCAL_JWT_ISSUER,
        "POWERTOOLS_SERVICE_NAME": "skillswap-local",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        "STRIPE_API_KEY": LOCAL_STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": LOCAL_WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": LOCAL_CONNECT_WEBHOOK_SECRET,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"),
    }
    if stripe_port is not None:
        env["STRIPE_API_BASE"] = f"http://127.0.0.1:{stripe_port}"
    return env

"""One pydantic settings model, read lazily from the environment and cached; a missing required setting fails
fast with its name. (A plain pydantic model reading os.environ rather than pydantic-settings: we use none of
its extra sources, and importing it cost ~50 ms of every cold start.)

Locally every value comes from the environment. In the cloud the template passes only the *names* of secrets
(`<SETTING>_SECRET_NAME`, e.g. `DATABASE_URL_SECRET_NAME`); the value is then read from Secrets Manager through
powertools parameters (cached by powertools) the first time settings are needed.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Settings whose value may live in Secrets Manager (the template passes <NAME>_SECRET_NAME instead).
SECRET_SETTINGS = (
    "DATABASE_URL",
    "JWT_SECRET",
    "STRIPE_API_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_CONNECT_WEBHOOK_SECRET",
)

# Environments the template deploys (ENVIRONMENT=dev|prod): there the database URL must be Supabase's pooler.
CLOUD_ENVIRONMENTS = frozenset({"dev", "prod"})


class ConfigError(RuntimeError):
    """A required setting is missing or invalid. The message names it."""


class Settings(BaseModel):
    """Each field is read from the environment variable of the same name in upper case."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    environment: str = "local"
    database_url: str = Field(min_length=1)
    # Auth: the project's JWT issuer, plus a JWKS URL (ES256/RS256 signing keys) and/or the legacy HS256 secret.
    jwt_issuer: str = Field(min_length=1)
    jwt_audience: str = "authenticated"
    jwks_url: str | None = None
    jwt_secret: str | None = None
    jwks_cache_seconds: int = 600
    # Stripe (used by the payment paths only).
    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    # Two webhook endpoints, two signing secrets (Stripe signs each endpoint with its own): the account endpoint
    # (events of the platform account) and the Connect endpoint (events of connected accounts: account.updated).
    stripe_webhook_secret: str | None = None
    stripe_connect_webhook_secret: str | None = None
    # Each Stripe request: timeout (seconds) and network retries; see shared.stripe_client.call_budget_seconds.
    stripe_timeout_seconds: float = Field(2.0, gt=0, le=60)
    stripe_max_network_retries: int = Field(1, ge=0, le=5)
    # Destination charges to the host's Connect account (off locally: localstripe models no transfers).
    stripe_connect_enabled: bool = False
    platform_fee_bps: int = Field(1000, ge=0, le=10000, description="platform fee in basis points of the price")
    stripe_webhook_tolerance_seconds: int = 300
    # Email: `ses` (SES v2 through boto3), `file` (.eml files in MAIL_OUTBOX_DIR, make dev) or `memory` (bench).
    mail_transport: str = Field("ses", pattern="^(ses|file|memory)$")
    mail_from: str = "SkillSwap <no-reply@skillswap.dev>"
    mail_outbox_dir: str | None = None
    ses_endpoint_url: str | None = None
    web_app_url: str = "https://app.skillswap.dev"
    # Dispatcher: lease length (a crashed worker's claims come back after it) and attempts before dead-letter.
    delivery_lease_seconds: int = 300
    delivery_max_attempts: int = 5
    # A message the mail account refuses to send (sandbox, paused, quota) waits this long before it is tried again.
    delivery_park_seconds: int = 900
    # Messages per second for the whole mail account, across every dispatcher. Unset: SES's own MaxSendRate
    # (GetSendQuota) with the ses transport, unpaced with the file and memory transports.
    mail_max_send_rate: float | None = Field(None, gt=0, le=1_000_000)
    # The cohort solver function, invoked asynchronously for each queued cohort run; unset (local stack, tests):
    # the matching function solves the run in the request.
    cohort_function_name: str | None = None
    # GET /openapi.json and /docs on every HTTP function (the template turns them off in the cloud).
    api_docs_enabled: bool = True
    # Database statement timeout applied per transaction (SET LOCAL), milliseconds.
    db_statement_timeout_ms: int = 5000


def check_database_url(url: str, environment: str) -> None:
    """In the cloud, only Supabase's transaction pooler works: Lambda outside a VPC has IPv4 only, the direct
    host `db.<ref>.supabase.co` is IPv6 (IPv4 is a paid add-on), the session pooler (5432) holds a server
    connection per Lambda container, and the pooler must be reached over TLS. Anything else fails the cold
    start with the URL to use. Source: Supabase, "Connect to your database"
    (supabase.com/docs/guides/database/connecting-to-postgres): shared pooler, transaction mode,
    `aws-[region].pooler.supabase.com:6543` (older projects: `aws-0-[region]…`), user `postgres.<project-ref>`."""
    if environment not in CLOUD_ENVIRONMENTS:
        return
    from urllib.parse import parse_qs, urlsplit

    expected = (
        "use the Transaction pooler string from the Supabase dashboard (Connect → Transaction pooler): "
        "postgresql://postgres.<project-ref>:<password>@aws-<n>-<region>.pooler.supabase.com:6543/postgres"
        "?sslmode=require"
    )
    try:
        parts = urlsplit(url)
        host, port, user = parts.hostname or "", parts.port, parts.username or ""
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not a URL; {expected}") from exc
    problems = []
    if parts.scheme not in {"postgres", "postgresql"}:
        problems.append("scheme is not postgresql")
    if not re.fullmatch(r"aws-(\d+-)?[a-z]{2}(-[a-z]+)+-\d\.pooler\.supabase\.com", host):
        problems.append(f"host {host or '(none)'} is not the shared pooler")
    if port != 6543:
        problems.append(f"port {port or '(default)'} is not the transaction pooler's 6543")
    if not re.fullmatch(r"postgres\.[a-z0-9]{20}", user):
        problems.append("user is not postgres.<project-ref>")
    sslmode = parse_qs(parts.query).get("sslmode", [""])[-1]
    if sslmode not in {"require", "verify-ca", "verify-full"}:
        problems.append(f"sslmode={sslmode or '(unset)'} does not require TLS")
    if problems:
        raise ConfigError(f"DATABASE_URL: {'; '.join(problems)}; {expected}")


def _resolve_secret_names() -> dict[str, str]:
    """Fetch `<NAME>_SECRET_NAME` secrets for settings not given directly in the environment."""
    resolved: dict[str, str] = {}
    for name in SECRET_SETTINGS:
        secret_name = os.environ.get(f"{name}_SECRET_NAME")
        if secret_name and not os.environ.get(name):
            from aws_lambda_powertools.utilities import parameters

            value = parameters.get_secret(secret_name, max_age=300)
            resolved[name.lower()] = value if isinstance(value, str) else str(value)
    return resolved


def _from_environment() -> dict[str, str]:
    return {name: os.environ[name.upper()] for name in Settings.model_fields if name.upper() in os.environ}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        settings = Settings(**{**_from_environment(), **_resolve_secret_names()})
    except ValidationError as exc:
        fields = ", ".join(str(err["loc"][0]).upper() for err in exc.errors() if err["loc"])
        raise ConfigError(f"missing or invalid setting(s): {fields}") from None
    check_database_url(settings.database_url, settings.environment)
    return settings

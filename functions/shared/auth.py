"""Supabase JWT verification.

Asymmetric tokens (ES256 / RS256) are checked against the project's JWKS (fetched over HTTPS, cached); legacy
symmetric tokens (HS256) against the JWT secret. The key source is chosen by the token's `alg` and the key
found for it must be of that same family, so a public key can never be used as an HMAC secret (algorithm
confusion), and `none` or any other algorithm is refused. `exp`, `iat`, `sub`, `aud`, `iss` and `role` are
required; `aud` must be `authenticated` (configurable) and `iss` the project's issuer.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared.errors import Forbidden, Unauthorized
from shared.settings import get_settings

if TYPE_CHECKING:
    import jwt

ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
SYMMETRIC_ALGORITHMS = frozenset({"HS256"})
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "role"]
LEEWAY_SECONDS = 10


@dataclass(frozen=True)
class Principal:
    """The verified caller."""

    user_id: UUID
    role: str
    email: str | None
    is_anonymous: bool
    claims: dict[str, Any] = field(repr=False)

    @property
    def app_role(self) -> str | None:
        """The platform role from `app_metadata.role` (e.g. `admin`, `moderator`); set only by the server."""
        app_metadata = self.claims.get("app_metadata") or {}
        role = app_metadata.get("role") if isinstance(app_metadata, dict) else None
        return role if isinstance(role, str) else None


# The claims a visitor's transaction runs with (no token: the `anon` role).
ANON_CLAIMS: dict[str, Any] = {"role": "anon"}


def claims_of(principal: Principal | None) -> dict[str, Any]:
    """The claims to run the caller's transaction with: theirs, or a visitor's."""
    return principal.claims if principal is not None else ANON_CLAIMS


@lru_cache(maxsize=4)
def _jwks_client(url: str, lifespan: int) -> jwt.PyJWKClient:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=lifespan, timeout=5)


def _unverified_header(token: str) -> dict[str, Any]:
    """The token's JOSE header, read without verifying anything (only to choose the key). PyJWT then parses
    and verifies the whole token once; reading just this short segment here avoids a second full parse."""
    segments = token.split(".")
    if len(segments) != 3:
        raise Unauthorized("malformed token")
    try:
        header = json.loads(base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise Unauthorized("malformed token") from exc
    if not isinstance(header, dict):
        raise Unauthorized("malformed token")
    return header


def _key_for(header: dict[str, Any], alg: str) -> Any:
    import jwt

    settings = get_settings()
    if alg in SYMMETRIC_ALGORITHMS:
        if not settings.jwt_secret:
            raise Unauthorized("symmetric tokens are not accepted by this project")
        return settings.jwt_secret
    if alg in ASYMMETRIC_ALGORITHMS:
        if not settings.jwks_url:
            raise Unauthorized("asymmetric tokens are not accepted by this project")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("the token names no signing key")
        try:
            signing_key = _jwks_client(settings.jwks_url, settings.jwks_cache_seconds).get_signing_key(kid)
        except jwt.PyJWKClientError as exc:
            raise Unauthorized("no signing key matches this token") from exc
        key_alg = signing_key.algorithm_name or alg
        if key_alg != alg:
            raise Unauthorized("the token's algorithm does not match its signing key")
        return signing_key.key
    raise Unauthorized("unsupported token algorithm")


def verify_token(token: str) -> Principal:
    """Verify a bearer token and return its principal; any defect raises Unauthorized. (PyJWT and cryptography
    are imported on the first token, not at cold start: a health check or a webhook never needs them.)"""
    import jwt

    settings = get_settings()
    header = _unverified_header(token)
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise Unauthorized("unsupported token algorithm")
    key = _key_for(header, alg)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise Unauthorized("token audience not accepted") from exc
    except jwt.InvalidIssuerError as exc:
        raise Unauthorized("token issuer not accepted") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("invalid token") from exc
    try:
        user_id = UUID(str(claims["sub"]))
    except ValueError as exc:
        raise Unauthorized("token subject is not a user id") from exc
    return Principal(
        user_id=user_id,
        role=str(claims["role"]),
        email=claims.get("email") if isinstance(claims.get("email"), str) else None,
        is_anonymous=bool(claims.get("is_anonymous", False)),
        claims=claims,
    )


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("missing bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("expected 'Authorization: Bearer <token>'")
    return token.strip()


def signed_in(authorization: str | None) -> Principal:
    """The signed-in user (role `authenticated`) behind an Authorization header; 401 or 403 otherwise."""
    principal = verify_token(bearer_token(authorization))
    if principal.role != "authenticated":
        raise Forbidden("this endpoint is for signed-in users")
    return principal

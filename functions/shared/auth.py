"""Supabase JWT verification.

Asymmetric tokens (ES256 / RS256) are checked against the project's JWKS (fetched over HTTPS, cached); legacy
symmetric tokens (HS256) against the JWT secret. The key source is chosen by the token's `alg` and the key
found for it must be of that same family, so a public key can never be used as an HMAC secret (algorithm
confusion), and `none` or any other algorithm is refused. `exp`, `iat`, `sub`, `aud`, `iss` and `role` are
required; `aud` must be `authenticated` (configurable) and `iss` the project's issuer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Callable
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


# Compact JWS (RFC 7515 §7.1): three base64url segments without padding (§2), nothing else.
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def _segment(text: str) -> bytes:
    """One segment's bytes. Only the base64url alphabet, no padding, and the canonical encoding (the one the
    decoded bytes encode back to), so no two spellings of a segment exist; anything else is malformed."""
    if len(text) % 4 == 1 or _SEGMENT.fullmatch(text) is None:
        raise Unauthorized("malformed token")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=") != text.encode("ascii"):
        raise Unauthorized("malformed token")
    return data


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Unauthorized("malformed token") from exc
    if not isinstance(value, dict):
        raise Unauthorized("malformed token")
    return value


def _key_for(header: dict[str, Any], alg: str) -> Any:
    settings = get_settings()
    if alg in SYMMETRIC_ALGORITHMS:
        if not settings.jwt_secret:
            raise Unauthorized("symmetric tokens are not accepted by this project")
        return settings.jwt_secret.encode()
    if alg in ASYMMETRIC_ALGORITHMS:
        import jwt

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


def _signature_holds(alg: str, key: Any, signing_input: bytes, signature: bytes) -> bool:
    """The JWS signature check of RFC 7518 §3.2 (HS256: HMAC-SHA-256, compared in constant time), §3.4 (ES256:
    ECDSA P-256 SHA-256, the signature being R and S as 32 bytes each) and §3.3 (RS256: RSASSA-PKCS1-v1_5
    SHA-256). A key of another family than the algorithm's never verifies."""
    if alg == "HS256":
        if not isinstance(key, bytes):
            return False
        return hmac.compare_digest(hmac.new(key, signing_input, hashlib.sha256).digest(), signature)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        if alg == "ES256":
            if not (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)):
                return False
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == "RS256":
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


def _instant(claims: dict[str, Any], name: str) -> int:
    """A NumericDate claim (RFC 7519 §2: seconds since the epoch, a JSON number), whole seconds."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unauthorized("invalid token")
    return int(value)


def verified_claims(token: str, key_for: Callable[[dict[str, Any], str], Any] = _key_for) -> dict[str, Any]:
    """The claims of a token whose signature and claims hold; any defect raises Unauthorized.

    The header is read first (only to choose the key), the signature is checked over the first two segments as
    sent, and only then is the payload parsed. What is refused (RFC 7515, 7518, 7519, 8725): another shape than
    three canonical base64url segments; a header or payload that is not a JSON object; an algorithm this project
    does not accept (`none` included) or a key of another family (key_for); critical header extensions (`crit`,
    `b64`: none is supported); a non-string `kid`; a missing or null required claim; `exp`, `iat` or `nbf` not a
    number, `exp` past or `iat` / `nbf` ahead (LEEWAY_SECONDS either way); `iss` other than the project's; `aud`
    not naming this audience (a string, or a list of strings); a non-string `sub`, `role` or `jti`.
    (It refuses everything PyJWT's `jwt.decode` refuses with the same options, and some more: the unit tests hold
    that on generated tokens. PyJWT walks every character of a token in Python, and made up half of a booking's
    authentication CPU.)"""
    segments = token.split(".")
    if len(segments) != 3:
        raise Unauthorized("malformed token")
    header = _json_object(_segment(segments[0]))
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise Unauthorized("unsupported token algorithm")
    if "kid" in header and not isinstance(header["kid"], str):
        raise Unauthorized("malformed token")
    if "crit" in header or "b64" in header:
        raise Unauthorized("unsupported token header")
    key = key_for(header, alg)
    payload = _segment(segments[1])  # its alphabet checked: the signing input below is ASCII
    signing_input = f"{segments[0]}.{segments[1]}".encode("ascii")
    if not _signature_holds(alg, key, signing_input, _segment(segments[2])):
        raise Unauthorized("invalid token")
    claims = _json_object(payload)
    settings = get_settings()
    for name in REQUIRED_CLAIMS:
        if claims.get(name) is None:
            raise Unauthorized("invalid token")
    now = time.time()
    expires, issued = _instant(claims, "exp"), _instant(claims, "iat")
    if expires <= now - LEEWAY_SECONDS:
        raise Unauthorized("token expired")
    if issued > now + LEEWAY_SECONDS or ("nbf" in claims and _instant(claims, "nbf") > now + LEEWAY_SECONDS):
        raise Unauthorized("token not yet valid")
    if claims["iss"] != settings.jwt_issuer:
        raise Unauthorized("token issuer not accepted")
    audience = claims["aud"]
    audiences = [audience] if isinstance(audience, str) else audience
    if (
        not isinstance(audiences, list)
        or not all(isinstance(a, str) for a in audiences)
        or settings.jwt_audience not in audiences
    ):
        raise Unauthorized("token audience not accepted")
    if not isinstance(claims["sub"], str) or not isinstance(claims["role"], str):
        raise Unauthorized("invalid token")
    if "jti" in claims and not isinstance(claims["jti"], str):
        raise Unauthorized("invalid token")
    return claims


def verify_token(token: str) -> Principal:
    """Verify a bearer token and return its principal; any defect raises Unauthorized. (PyJWT and cryptography
    are imported for asymmetric tokens only, on the first one: HS256, a health check or a webhook never needs
    them.)"""
    claims = verified_claims(token)
    try:
        user_id = UUID(claims["sub"])
    except ValueError as exc:
        raise Unauthorized("token subject is not a user id") from exc
    return Principal(
        user_id=user_id,
        role=claims["role"],
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

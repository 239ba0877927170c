"""Supabase JWT verification with the legacy HS256 secret: every defect is refused as Unauthorized."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from infra.localenv import LOCAL_JWT_SECRET
from infra.token import mint_token
from shared.auth import bearer_token, verify_token
from shared.errors import Unauthorized
from tests.jwt_forge import claims, hmac_signed, tamper_payload, unsigned


def test_valid_local_token_yields_its_principal() -> None:
    user_id = uuid.uuid4()
    principal = verify_token(mint_token(user_id=user_id, email="ada@skillswap.test", app_metadata={"role": "admin"}))
    assert principal.user_id == user_id
    assert principal.role == "authenticated"
    assert principal.email == "ada@skillswap.test"
    assert principal.app_role == "admin"
    assert principal.is_anonymous is False


def test_minted_token_carries_supabase_claims() -> None:
    token = mint_token(user_id=uuid.uuid4(), email="x@skillswap.test")
    decoded = jwt.decode(token, LOCAL_JWT_SECRET, algorithms=["HS256"], audience="authenticated")
    for name in ("sub", "role", "aud", "iss", "exp", "iat", "email", "session_id", "is_anonymous"):
        assert name in decoded, name


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(alg: str) -> None:
    with pytest.raises(Unauthorized):
        verify_token(unsigned({"alg": alg, "typ": "JWT"}, claims()))


def test_token_signed_with_another_secret_is_refused() -> None:
    forged = jwt.encode(claims(), "another-secret-that-is-at-least-32-bytes-long", algorithm="HS256")
    with pytest.raises(Unauthorized, match="invalid token"):
        verify_token(forged)


def test_expired_token_is_refused() -> None:
    old = int(time.time()) - 7200
    token = mint_token(user_id=uuid.uuid4(), email=None, now=old, ttl_seconds=3600)
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(token)


def test_wrong_audience_is_refused() -> None:
    token = jwt.encode(claims(aud="anon-service"), LOCAL_JWT_SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized, match="audience"):
        verify_token(token)


def test_wrong_issuer_is_refused() -> None:
    token = jwt.encode(claims(iss="https://evil.example/auth/v1"), LOCAL_JWT_SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized, match="issuer"):
        verify_token(token)


def test_tampered_payload_is_refused() -> None:
    token = mint_token(user_id=uuid.uuid4(), email="learner@skillswap.test")
    with pytest.raises(Unauthorized, match="invalid token"):
        verify_token(tamper_payload(token, sub=str(uuid.uuid4()), app_metadata={"role": "admin"}))


@pytest.mark.parametrize("missing", ["exp", "sub", "iat", "role", "aud", "iss"])
def test_token_missing_a_required_claim_is_refused(missing: str) -> None:
    body = claims()
    del body[missing]
    with pytest.raises(Unauthorized):
        verify_token(jwt.encode(body, LOCAL_JWT_SECRET, algorithm="HS256"))


def test_other_hmac_algorithms_are_refused() -> None:
    token = jwt.encode(claims(), LOCAL_JWT_SECRET, algorithm="HS512")
    with pytest.raises(Unauthorized, match="unsupported"):
        verify_token(token)


def test_asymmetric_token_without_a_jwks_url_is_refused() -> None:
    header = {"alg": "RS256", "typ": "JWT", "kid": "x"}
    with pytest.raises(Unauthorized, match="asymmetric"):
        verify_token(hmac_signed(header, claims(), LOCAL_JWT_SECRET.encode()))


def test_non_uuid_subject_is_refused() -> None:
    token = jwt.encode(claims(sub="service-account"), LOCAL_JWT_SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized, match="subject"):
        verify_token(token)


@pytest.mark.parametrize("value", [None, "", "Basic abc", "Bearer", "Bearer   ", "token-without-scheme"])
def test_malformed_authorization_headers_are_refused(value: str | None) -> None:
    with pytest.raises(Unauthorized):
        bearer_token(value)


def test_garbage_token_is_refused() -> None:
    with pytest.raises(Unauthorized, match="malformed"):
        verify_token("not.a.jwt")

"""Asymmetric Supabase tokens (ES256, RS256) through a JWKS URL served locally, and the attacks on them,
all through a real Lambda handler (Mangum + FastAPI + shared auth): every refusal is 401 problem+json."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import APIRouter, Depends

from infra.lambda_events import function_url_event, invoke
from infra.localenv import LOCAL_JWT_SECRET
from infra.token import mint_token
from shared.app import create_app, lambda_entry
from shared.auth import Principal
from shared.deps import current_user
from tests.jwt_forge import claims, hmac_signed, tamper_payload, unsigned

EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(public_key: Any, kid: str, alg: str) -> dict[str, Any]:
    algo = jwt.algorithms.ECAlgorithm if alg == "ES256" else jwt.algorithms.RSAAlgorithm
    jwk = json.loads(algo.to_jwk(public_key))
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    return jwk


JWKS = {"keys": [_jwk(EC_KEY.public_key(), "ec-1", "ES256"), _jwk(RSA_KEY.public_key(), "rsa-1", "RS256")]}


class _JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(JWKS).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/auth/v1/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def handler(jwks_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("JWKS_URL", jwks_url)
    router = APIRouter()

    @router.get("/whoami")
    def whoami(user: Principal = Depends(current_user)) -> dict[str, str]:
        return {"user_id": str(user.user_id)}

    return lambda_entry(create_app(title="auth-test", routers=[router]))


def call(handler: Any, token: str) -> Any:
    return invoke(handler, function_url_event("GET", "/whoami", token=token))


def assert_401(reply: Any) -> None:
    assert reply.status == 401, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["www-authenticate"] == "Bearer"
    body = reply.json()
    assert body["status"] == 401
    assert "Traceback" not in reply.text


def pem_public(key: Any) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_es256_token_from_jwks_is_accepted(handler: Any) -> None:
    body = claims()
    token = jwt.encode(body, EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    reply = call(handler, token)
    assert reply.status == 200, reply.text
    assert reply.json() == {"user_id": body["sub"]}


def test_rs256_token_from_jwks_is_accepted(handler: Any) -> None:
    body = claims()
    token = jwt.encode(body, RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    assert call(handler, token).status == 200


def test_legacy_hs256_token_is_accepted_alongside_jwks(handler: Any) -> None:
    assert call(handler, mint_token(user_id=uuid.uuid4(), email=None)).status == 200


def test_missing_token_is_401(handler: Any) -> None:
    assert_401(invoke(handler, function_url_event("GET", "/whoami")))


def test_alg_none_is_401(handler: Any) -> None:
    assert_401(call(handler, unsigned({"alg": "none", "typ": "JWT", "kid": "ec-1"}, claims())))


def test_token_signed_by_an_unknown_key_is_401(handler: Any) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    assert_401(call(handler, jwt.encode(claims(), stranger, algorithm="ES256", headers={"kid": "ec-1"})))


def test_unknown_kid_is_401(handler: Any) -> None:
    assert_401(call(handler, jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "nope"})))


def test_hs256_signed_with_the_rsa_public_key_is_401(handler: Any) -> None:
    """Algorithm confusion: the public key (which anyone can fetch) used as an HMAC secret."""
    forged = hmac_signed({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), pem_public(RSA_KEY))
    assert_401(call(handler, forged))


def test_hs256_signed_with_the_public_jwk_json_is_401(handler: Any) -> None:
    forged = hmac_signed({"alg": "HS256", "typ": "JWT", "kid": "ec-1"}, claims(), json.dumps(JWKS["keys"][0]).encode())
    assert_401(call(handler, forged))


def test_rs256_header_on_an_ec_key_is_401(handler: Any) -> None:
    """A token claiming RS256 but naming the ES256 key's kid."""
    token = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "ec-1"})
    assert_401(call(handler, token))


def test_expired_asymmetric_token_is_401(handler: Any) -> None:
    body = claims(exp=1_600_000_000, iat=1_599_990_000)
    assert_401(call(handler, jwt.encode(body, EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})))


def test_wrong_audience_is_401(handler: Any) -> None:
    token = jwt.encode(claims(aud="service"), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    assert_401(call(handler, token))


def test_wrong_issuer_is_401(handler: Any) -> None:
    token = jwt.encode(
        claims(iss="https://other.supabase.co/auth/v1"), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"}
    )
    assert_401(call(handler, token))


def test_tampered_payload_is_401(handler: Any) -> None:
    token = jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    assert_401(call(handler, tamper_payload(token, sub=str(uuid.uuid4()))))


def test_hs256_signed_with_a_wrong_secret_is_401(handler: Any) -> None:
    forged = hmac_signed({"alg": "HS256", "typ": "JWT"}, claims(), b"x" * 40)
    assert_401(call(handler, forged))


def test_service_role_token_is_403_on_user_endpoints(handler: Any) -> None:
    token = jwt.encode(claims(role="service_role"), LOCAL_JWT_SECRET, algorithm="HS256")
    reply = call(handler, token)
    assert reply.status == 403
    assert reply.headers["content-type"] == "application/problem+json"

"""shared.auth verifies tokens itself; PyJWT (`jwt.decode`, the same options) is the oracle. On generated tokens, valid
and hostile (every header and claim an attacker controls given odd values, wrong keys and algorithms, segments
mangled byte by byte), our verifier never accepts a token PyJWT refuses, accepts it with the same claims when it
does, accepts every well-formed valid token, and refuses everything else with Unauthorized (never another error)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.localenv import LOCAL_JWT_ISSUER as ISSUER
from infra.localenv import LOCAL_JWT_SECRET
from shared.auth import LEEWAY_SECONDS, REQUIRED_CLAIMS, verified_claims
from shared.errors import Unauthorized
from tests.jwt_forge import b64url

SECRET = LOCAL_JWT_SECRET.encode()
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_OTHER = ec.generate_private_key(ec.SECP256R1())
EC_P384 = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
# The key each algorithm is verified with (what shared.auth._key_for finds for it); any other is refused by both.
KEYS: dict[str, Any] = {"HS256": SECRET, "ES256": EC_KEY.public_key(), "RS256": RSA_KEY.public_key()}


def sign(signer: str, signing_input: bytes) -> bytes:
    if signer == "hs256":
        return hmac.new(SECRET, signing_input, hashlib.sha256).digest()
    if signer == "hs256-other":
        return hmac.new(b"another-secret-that-is-at-least-32-bytes", signing_input, hashlib.sha256).digest()
    if signer == "hs256-with-rsa-pem":  # algorithm confusion: the public key as an HMAC secret
        return hmac.new(RSA_PEM, signing_input, hashlib.sha256).digest()
    if signer == "hs512":
        return hmac.new(SECRET, signing_input, hashlib.sha512).digest()
    if signer in ("es256", "es256-other", "es384"):
        key = {"es256": EC_KEY, "es256-other": EC_OTHER, "es384": EC_P384}[signer]
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        size = 48 if signer == "es384" else 32
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if signer == "es256-der":  # the DER form instead of R || S
        return EC_KEY.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    if signer in ("rs256", "rs256-other"):
        rsa_key = RSA_KEY if signer == "rs256" else RSA_OTHER
        return rsa_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return b""  # "none": no signature


SIGNER_FOR = {"HS256": "hs256", "ES256": "es256", "RS256": "rs256"}
SIGNERS = ["hs256", "hs256-other", "hs256-with-rsa-pem", "hs512", "es256", "es256-other", "es384", "es256-der"]
SIGNERS += ["rs256", "rs256-other", "none"]
ABSENT = object()
MANGLES = ["flip", "pad", "nul", "non-ascii", "plus", "four", "two", "tail", "space", "resigned-tail"]


def faults(now: int) -> dict[str, list[Any]]:
    """What an attacker (or a sloppy issuer) can put in each part: a header field, a claim, the signer, the
    bytes. Some are harmless (an `nbf` in the past, `exp` within the leeway); the oracle says which."""

    def times(*near: float) -> list[Any]:
        odd = [str(now + 3600), True, False, None, [], {}, 1e300, float("nan"), float("inf"), -(10**30), 10**30, "x"]
        return [*near, *odd, ABSENT]

    return {
        "alg": ["none", "None", "HS512", "ES384", "", 7, None, ABSENT],
        "kid": [ABSENT, 7, None, ["k"], ""],
        "crit": [["b64"], ["exp"], [], "b64", [7]],
        "b64": [False, True, "no"],
        "exp": times(now - 3600, now - LEEWAY_SECONDS - 5, now - 3, now + 0.5, now + 3600.5),
        "iat": times(now + 3600, now + LEEWAY_SECONDS + 5, now + 3, now - 86400),
        "nbf": times(now + 3600, now + LEEWAY_SECONDS + 5, now + 3, now - 10),
        "sub": [ABSENT, None, 123, ["x"], "service-account", ""],
        "aud": [ABSENT, None, "anon", [], [1], ["anon"], {"a": 1}, ["anon", 1], ["anon", "authenticated"]],
        "iss": [ABSENT, None, "https://evil.example/auth/v1", 7, [ISSUER], ISSUER + "/"],
        "role": [ABSENT, None, 5, ["authenticated"], "service_role"],
        "jti": [7, None, ["j"], "j-1"],
        "signer": SIGNERS,
        "mangle": MANGLES,
        "raw": [
            *[("header", text) for text in ("[]", '"HS256"', "nope")],
            *[("payload", text) for text in ("[1]", "7", "null", "{", "[" * 100_000, '{"exp": 1e999}')],
        ],
    }


HEADER_PARTS = ("alg", "kid", "crit", "b64")
CLAIM_PARTS = ("exp", "iat", "nbf", "sub", "aud", "iss", "role", "jti")


def forge(now: int, alg: str, parts: dict[str, Any], position: int = 0) -> str:
    """A token signed the right way for `alg`, but for the parts given (a header field, a claim, the signer,
    `mangle` applied at `position`); ABSENT leaves a field out."""
    header: dict[str, Any] = {"alg": alg, "typ": "JWT", "kid": "key-1"}
    payload: dict[str, Any] = {"exp": now + 3600, "iat": now, "sub": str(uuid.uuid4()), "aud": "authenticated"}
    payload |= {"iss": ISSUER, "role": "authenticated", "email": "mallory@skillswap.test"}
    for name, value in parts.items():
        target = header if name in HEADER_PARTS else payload if name in CLAIM_PARTS else None
        if target is None:
            continue
        if value is ABSENT:
            target.pop(name, None)
        else:
            target[name] = value
    texts = {"header": json.dumps(header), "payload": json.dumps(payload)}
    if "raw" in parts:  # a segment that is not a JSON object, signed as it is
        which, text = parts["raw"]
        texts[which] = text
    head, body = b64url(texts["header"].encode()), b64url(texts["payload"].encode())
    if parts.get("mangle") == "resigned-tail":  # a non-canonical spelling of the header, signed as spelt
        head = mangled(head + ".", "tail", 0).removesuffix(".")
    signer = parts.get("signer", SIGNER_FOR[alg])
    token = f"{head}.{body}.{b64url(sign(signer, f'{head}.{body}'.encode()))}"
    return mangled(token, parts.get("mangle", ""), position % len(token))


def mangled(token: str, how: str, position: int) -> str:
    character = token[position]
    if how == "flip" and character != ".":
        return token[:position] + ("A" if character != "A" else "B") + token[position + 1 :]
    if how == "pad":
        return token.replace(".", "=.", 1)
    if how == "nul":
        return token[:position] + "\x00" + token[position:]
    if how == "non-ascii":
        return token[:position] + "é" + token[position:]
    if how == "plus":
        return token.replace("-", "+").replace("_", "/")
    if how == "four":
        return token + ".e30"
    if how == "two":
        return token.rsplit(".", 1)[0]
    if how == "tail":  # another spelling of the header's last base64 character (its unused low bits set)
        first, rest = token.split(".", 1)
        return f"{first[:-1]}{'BCDEFGHIJKLMNOPQRSTUVWXYZA'[ord(first[-1]) % 26]}.{rest}"
    if how == "space":
        return f" {token}"
    return token


@st.composite
def tokens(draw: st.DrawFn) -> tuple[str, bool]:
    """A token with any number of odd parts, and whether it has none (then it must be accepted)."""
    now = int(time.time())
    alg = draw(st.sampled_from(sorted(SIGNER_FOR)))
    parts: dict[str, Any] = {}
    for name, values in faults(now).items():
        if draw(st.integers(0, 7)) == 0:  # each part odd one time in eight: about one token in six has none
            parts[name] = draw(st.sampled_from(values))
    valid = not parts
    if valid and draw(st.booleans()):  # a list audience naming ours is as good as the string
        parts["aud"] = ["other-audience", "authenticated"]
    return forge(now, alg, parts, draw(st.integers(0, 10_000))), valid


def ours(token: str) -> dict[str, Any] | None:
    def key_for(header: dict[str, Any], alg: str) -> Any:
        if alg not in KEYS:
            raise Unauthorized("unsupported token algorithm")
        return KEYS[alg]

    try:
        return verified_claims(token, key_for)
    except Unauthorized:
        return None


def oracle(token: str) -> dict[str, Any] | None:
    header = jwt.get_unverified_header(token) if token.count(".") == 2 else {}
    alg = header.get("alg")
    if alg not in KEYS:
        return None
    try:
        return dict(
            jwt.decode(
                token,
                KEYS[alg],
                algorithms=[alg],
                audience="authenticated",
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        )
    except Exception:  # every PyJWT refusal (and its occasional TypeError on odd input) is a refusal
        return None


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens())
def test_never_more_lenient_than_pyjwt_and_accepts_every_valid_token(case: tuple[str, bool]) -> None:
    token, valid = case
    mine, theirs = ours(token), oracle_or_none(token)
    if mine is not None:
        assert theirs == mine, "accepted a token PyJWT refuses (or read other claims)"
    if valid:
        assert mine is not None, "refused a well-formed valid token"


@pytest.mark.parametrize("alg", ["HS256", "ES256", "RS256"])
def test_each_algorithm_accepts_its_own_key_only(alg: str) -> None:
    now = int(time.time())
    payload = {"exp": now + 60, "iat": now, "sub": str(uuid.uuid4()), "aud": "authenticated"}
    payload |= {"iss": ISSUER, "role": "authenticated"}
    head, body = b64url(json.dumps({"alg": alg}).encode()), b64url(json.dumps(payload).encode())
    for signer in SIGNERS:
        token = f"{head}.{body}.{b64url(sign(signer, f'{head}.{body}'.encode()))}"
        assert (ours(token) is not None) == (signer == SIGNER_FOR[alg]), signer
        assert (oracle(token) is not None) == (signer == SIGNER_FOR[alg]), signer


def stricter_than_pyjwt(part: str, value: Any) -> bool:
    """Where we refuse on purpose what PyJWT lets through: a time claim given as a string or a boolean (PyJWT
    passes it to int()), a role that is not a string, any `b64` header (RFC 7797: none of our issuers uses it),
    and base64 padding in a segment (RFC 7515 §2 leaves it out)."""
    if part in ("exp", "iat", "nbf"):
        return isinstance(value, bool | str)
    return (part == "role" and not isinstance(value, str)) or part == "b64" or (part, value) == ("mangle", "pad")


def test_every_single_fault_is_refused_as_pyjwt_refuses_it() -> None:
    """The catalog: for each algorithm, each part given each odd value alone (a mangled byte at the start, in the
    payload and at the end), ours and the oracle decide alike, or ours refuses a case named stricter."""
    now = int(time.time())
    seen = {"both accept": 0, "both refuse": 0, "stricter": 0}
    for alg in sorted(SIGNER_FOR):
        for part, values in faults(now).items():
            for value in values:
                for position in (0, 200, -1) if part == "mangle" else (0,):
                    token = forge(now, alg, {part: value}, position)
                    mine, theirs = ours(token), oracle_or_none(token)
                    label = f"{alg} {part}={value!r} at {position}"
                    if mine is not None:
                        assert theirs == mine, f"{label}: accepted what PyJWT refuses"
                        seen["both accept"] += 1
                    elif theirs is not None:
                        assert stricter_than_pyjwt(part, value), f"{label}: refused what PyJWT accepts"
                        seen["stricter"] += 1
                    else:
                        seen["both refuse"] += 1
    # Harmless values (an old nbf, exp within the leeway, a list audience, huge exp ...) pass both, most fail both.
    assert seen["both accept"] >= 30, seen
    assert seen["both refuse"] >= 300, seen
    assert seen["stricter"] >= 20, seen


def oracle_or_none(token: str) -> dict[str, Any] | None:
    try:
        return oracle(token)
    except Exception:  # the oracle could not even read the header: malformed
        return None

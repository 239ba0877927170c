"""Test helpers used by more than one test file, kept here once: calling a function's real Lambda handler with
a Function URL event, reading its problem+json answers, and Stripe on the wire."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from typing_extensions import is_typeddict

from infra.lambda_events import Reply, function_url_event, invoke

if TYPE_CHECKING:
    from tests.factories import User


# Calling the functions -----------------------------------------------------------------------------------------
HANDLERS = {
    "bookings": "bookings.handler",
    "matching": "matching.handler",
    "payments": "payments.handler",
    "webhooks": "webhooks.handler",
}


def call(
    method: str,
    path: str,
    user: User | None = None,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    function: str = "bookings",
    token: str | None = None,
) -> Reply:
    """One Function URL request through a function's real Lambda handler (as `user`, or with a raw `token`)."""
    import importlib

    handler = importlib.import_module(HANDLERS[function]).lambda_handler
    bearer = token if token is not None else (user.token if user else None)
    return invoke(handler, function_url_event(method, path, body=body, token=bearer, headers=headers, query=query))


@contextmanager
def function_server(*, database_url: str, stripe_peer: str, log_name: str, web_origins: str = "") -> Iterator[str]:
    """Every HTTP function served over HTTP by one local ASGI server (infra.devserver), as `make dev` serves them,
    in a process of its own on a free loopback port; its base URL. `web_origins`: the origins CORS allows."""
    from infra.dev import wait_for_port
    from infra.localenv import LOCAL_DIR, ROOT, function_env
    from tests.conftest import free_port

    port = free_port()
    env = {
        **os.environ,
        **function_env(database_url=database_url),
        "STRIPE_API_BASE": stripe_peer,
        "SKILLSWAP_WEB_ORIGINS": web_origins,
        "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}",
    }
    args = ["-m", "uvicorn", "infra.devserver:build_app", "--factory", "--port", str(port), "--log-level", "warning"]
    with (LOCAL_DIR / log_name).open("wb") as log:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=30)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def problem(reply: Reply, status: int | None = None, field: str | None = None) -> dict[str, Any]:
    """The RFC 9457 body of an error answer, checked: problem+json, the usual members, `status` as sent, and (if
    given) the status expected and the field named in `errors`. Never a stack trace."""
    if status is not None:
        assert reply.status == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json", reply.text
    body: dict[str, Any] = reply.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == reply.status
    assert "Traceback" not in reply.text
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


# Stripe on the wire --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    fields: list[tuple[str, str]]  # form fields as sent (`transfer_data[destination]`, …) or query parameters


# The SDK's typed parameters of every Stripe call our code makes, by method and path. A call missing here fails
# the typing test: add the endpoint with the SDK's class for it.
PARAMS_OF: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile(f"^{path}$"), name)
    for method, path, name in [
        ("POST", r"/v1/customers", "CustomerCreateParams"),
        ("POST", r"/v1/customers/[^/]+", "CustomerUpdateParams"),
        ("POST", r"/v1/payment_intents", "PaymentIntentCreateParams"),
        ("GET", r"/v1/payment_intents/[^/]+", "PaymentIntentRetrieveParams"),
        ("POST", r"/v1/payment_methods/[^/]+/attach", "PaymentMethodAttachParams"),
        ("POST", r"/v1/subscriptions", "SubscriptionCreateParams"),
        ("GET", r"/v1/subscriptions/[^/]+", "SubscriptionRetrieveParams"),
        ("POST", r"/v1/subscriptions/[^/]+", "SubscriptionUpdateParams"),
        ("DELETE", r"/v1/subscriptions/[^/]+", "SubscriptionCancelParams"),
        ("GET", r"/v1/payouts", "PayoutListParams"),
        ("POST", r"/v1/accounts", "AccountCreateParams"),
        ("POST", r"/v1/account_links", "AccountLinkCreateParams"),
        ("POST", r"/v1/refunds", "RefundCreateParams"),
        ("GET", r"/v1/webhook_endpoints", "WebhookEndpointListParams"),
        ("POST", r"/v1/webhook_endpoints", "WebhookEndpointCreateParams"),
        ("POST", r"/v1/webhook_endpoints/[^/]+", "WebhookEndpointUpdateParams"),
    ]
]


def params_class(method: str, path: str) -> type | None:
    import stripe.params

    for m, pattern, name in PARAMS_OF:
        if m == method and pattern.match(path):
            cls: type = getattr(stripe.params, name)
            return cls
    return None


def _segments(form_key: str) -> list[str]:
    """`items[0][price]` → ["items", "0", "price"]."""
    head, _, rest = form_key.partition("[")
    return [head, *re.findall(r"([^\[\]]*)\]", "[" + rest)] if rest else [head]


_FREE_FORM = ("Dict[", "Mapping[", "UntypedStripeObject")


def _typeddicts_in(annotation: Any, module: Any) -> list[type]:
    found = []
    for name in re.findall(r"[A-Za-z_]\w*", repr(annotation)):
        obj = getattr(module, name, None)
        if isinstance(obj, type) and is_typeddict(obj):
            found.append(obj)
    return found


def typed_path(cls: type, segments: list[str]) -> bool:
    """Whether a form field (as path segments) is a parameter of the SDK's TypedDict `cls`, nested ones included."""
    key, rest = segments[0], [s for s in segments[1:] if not s.isdigit()]
    annotations: dict[str, Any] = cls.__annotations__
    if key not in annotations:
        return False
    if not rest:
        return True
    annotation = annotations[key]
    if any(marker in repr(annotation) for marker in _FREE_FORM):
        return True  # metadata and other free-form maps
    module = sys.modules[cls.__module__]
    return any(typed_path(candidate, rest) for candidate in _typeddicts_in(annotation, module))


def untyped_fields(request: RecordedRequest) -> list[str]:
    """The fields of a request that the pinned SDK's parameter class for it does not type (all, if the endpoint
    itself is unknown)."""
    cls = params_class(request.method, request.path)
    if cls is None:
        return [f"{request.method} {request.path} (no parameter class known)"]
    return [key for key, _ in request.fields if not typed_path(cls, _segments(key))]


class StripeRecorder(stripe.HTTPClient):
    """A stripe-python HTTP client that records every request (method, path, headers, fields) and answers with a
    plausible object for the path, so code under test runs its real Stripe calls without a network. `answers`
    overrides the answer for `(method, path)`."""

    name = "recorder"

    def __init__(self, timeout: Any = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.requests: list[RecordedRequest] = []
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self._ids = count(1)

    def _answer(self, method: str, path: str, fields: dict[str, str]) -> dict[str, Any]:
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        n = next(self._ids)
        if path == "/v1/webhook_endpoints" and method == "GET":
            return {"object": "list", "data": [], "has_more": False, "url": path}
        if path.startswith("/v1/webhook_endpoints"):
            events = [v for k, v in fields.items() if k.startswith("enabled_events")]
            return {
                "id": f"we_rec{n}",
                "object": "webhook_endpoint",
                "secret": f"whsec_rec{n}",
                "url": fields.get("url", ""),
                "api_version": fields.get("api_version"),
                "enabled_events": events,
            }
        kinds: dict[str, dict[str, Any]] = {
            "/v1/customers": {"id": f"cus_rec{n}", "object": "customer"},
            "/v1/payment_intents": {
                "id": f"pi_rec{n}",
                "object": "payment_intent",
                "client_secret": f"pi_rec{n}_secret_x",
                "status": "requires_payment_method",
            },
            "/v1/payment_methods": {"id": f"pm_rec{n}", "object": "payment_method"},
            "/v1/subscriptions": {
                "id": f"sub_rec{n}",
                "object": "subscription",
                "status": "incomplete",
                "created": 1_790_000_000,
                "cancel_at_period_end": fields.get("cancel_at_period_end") == "true",
                "trial_end": None,
                "pending_setup_intent": None,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": f"si_rec{n}",
                            "object": "subscription_item",
                            "price": {"id": fields.get("items[0][price]", "price_rec"), "object": "price"},
                            "current_period_end": 1_792_592_000,
                        }
                    ],
                },
                "latest_invoice": {
                    "id": f"in_rec{n}",
                    "object": "invoice",
                    "confirmation_secret": {"type": "payment_intent", "client_secret": f"pi_rec{n}_secret_x"},
                },
            },
            "/v1/payouts": {"object": "list", "data": [], "has_more": False, "url": "/v1/payouts"},
            "/v1/account_links": {"object": "account_link", "url": f"https://connect.stripe.com/setup/e/rec{n}"},
            "/v1/accounts": {"id": f"acct_rec{n}", "object": "account"},
            "/v1/refunds": {"id": f"re_rec{n}", "object": "refund", "status": "pending"},
        }
        for prefix, answer in kinds.items():
            if path.startswith(prefix):
                return answer
        return {"object": "unknown"}

    def request(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        *,
        _usage: Any = None,
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or parts.query)
        fields = parse_qsl(body, keep_blank_values=True)
        self.requests.append(RecordedRequest(method.upper(), parts.path, dict(headers or {}), fields))
        answer = self._answer(method.upper(), parts.path, dict(fields))
        return json.dumps(answer), 200, {"request-id": f"req_{len(self.requests)}"}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass

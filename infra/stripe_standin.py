"""localstripe, brought up to the Stripe API version we pin: `python -m infra.stripe_standin --port N`.

localstripe (PyPI) models an older Stripe and accepts requests that today's Stripe refuses, so a suite green
against it alone would prove nothing about a deploy. Where we know the pinned version refuses something, this
launcher makes localstripe refuse it the same way before starting its server unchanged:

- `payment_method_types` on PaymentIntents: since 2026-09-30.endive, 400 with code
  `payment_method_types_no_longer_supported` (docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-
  method-types-parameter-from-payment-intents-and-setup-intents), on create, update and confirm.
- A request pinned to another API version than ours (`Stripe-Version` header) is refused: our client sends
  exactly one version, and this catches a client built without it.
- Idempotency keys are honoured on every POST (localstripe ignores them): a retry gets the first answer.

And where localstripe has nothing, the little we use is modelled after Stripe's API reference:

- Connect accounts (`POST /v1/accounts`, `GET /v1/accounts/{id}`) configured by controller properties — the
  deprecated `type` is refused together with `controller`, as Stripe does — and onboarding links
  (`POST /v1/account_links`). A new account cannot take charges until onboarding is done (`charges_enabled`
  false), which the tests complete with a signed `account.updated`, as Stripe sends it to the Connect endpoint.
  Idempotency keys are honoured (the same key answers the same object).

- Billing as the pinned version has it (Prices, `default_incomplete`, the first invoice's `confirmation_secret`,
  trials, cancel at period end, plan changes with proration): `infra.stripe_billing`.

- Stripe.js in the browser: a stand-in script at /js.stripe.com/v3/ (infra/local/stripe-js-standin.js: a card
  element and confirmCardPayment), and the two calls it makes with the publishable key (create the card's
  PaymentMethod, confirm the PaymentIntent with its client secret), which localstripe accepts only with a secret key.

Everything else is localstripe as published (see ../shared/FACTS.md for its known gaps: no Checkout).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra import stripe_billing
from shared.stripe_client import STRIPE_API_VERSION

# Parameters the pinned version refuses, by the path prefix of the requests that refuse them.
REFUSED_PARAMS = {
    "/v1/payment_intents": {
        "payment_method_types": (
            "payment_method_types_no_longer_supported",
            "payment_method_types is no longer supported on this API version; use dynamic payment methods",
        ),
    },
}


def refusal(path: str, fields: list[str]) -> tuple[str, str, str] | None:
    """(param, code, message) if this request carries a parameter the pinned version refuses."""
    for prefix, refused in REFUSED_PARAMS.items():
        if not path.startswith(prefix):
            continue
        for field in fields:
            name = field.split("[", 1)[0]
            if name in refused:
                return (name, *refused[name])
    return None


def patch_localstripe() -> None:
    """Make localstripe refuse what the pinned API version refuses (idempotent; before its server starts)."""
    from aiohttp import web
    from localstripe import server
    from localstripe.errors import UserError

    if as_pinned_version_installed(server.app):
        return

    @web.middleware
    async def as_pinned_version(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/v1/"):
            version = request.headers.get("Stripe-Version")
            if version not in {None, STRIPE_API_VERSION}:
                return UserError(400, f"this stand-in serves API version {STRIPE_API_VERSION} only").to_response()
            if request.method == "POST":
                found = refusal(request.path, list((await request.post()).keys()))
                if found is not None:
                    param, code, message = found
                    return UserError(400, message, {"code": code, "param": param}).to_response()
        response: web.StreamResponse = await handler(request)
        return response

    server.app.middlewares.insert(0, as_pinned_version)

    # Idempotency keys, which localstripe ignores: Stripe answers a POST repeated with the same key with the first
    # answer, for 24 hours (docs.stripe.com/api/idempotent_requests). Errors of the server are not kept.
    answered: dict[str, tuple[int, bytes, str]] = {}

    @web.middleware
    async def idempotent(request: web.Request, handler: Any) -> web.StreamResponse:
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if key and key in answered:
            status, first, content_type = answered[key]
            return web.Response(status=status, body=first, content_type=content_type)
        response: web.StreamResponse = await handler(request)
        body = response.body if isinstance(response, web.Response) else None
        if key and isinstance(body, bytes) and response.status < 500:
            answered[key] = (response.status, body, response.content_type)
        return response

    server.app.middlewares.insert(1, idempotent)

    # Events are rendered with the endpoint's API version, which `infra.stripe_setup` pins to ours (localstripe
    # stamps its own 2017 version on every event).
    from localstripe.resources import Event

    made = Event.__init__

    def rendered_with_our_version(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.api_version = STRIPE_API_VERSION

    Event.__init__ = rendered_with_our_version


def as_pinned_version_installed(app: Any) -> bool:
    return any(getattr(m, "__name__", "") == "as_pinned_version" for m in app.middlewares)


# Connect -----------------------------------------------------------------------------------------------------
_ACCOUNTS: dict[str, dict[str, Any]] = {}


def _flat(data: Any) -> dict[str, Any]:
    return {str(k): v for k, v in dict(data).items()}


def create_account(form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """An account as Stripe answers POST /v1/accounts (the fields we read), or a 400 error body."""
    import secrets

    controller = {k.split("[", 1)[1]: v for k, v in form.items() if k.startswith("controller[")}
    if "type" in form and controller:
        return 400, {
            "error": {
                "type": "invalid_request_error",
                "param": "type",
                "message": "You cannot specify both `type` and `controller`.",
            }
        }
    capabilities = sorted({k.split("[")[1].rstrip("]") for k in form if k.startswith("capabilities[")})
    account = {
        "id": "acct_" + secrets.token_hex(8),
        "object": "account",
        "type": form.get("type", "none"),
        "email": form.get("email"),
        "controller": {
            "fees": {"payer": form.get("controller[fees][payer]", "account")},
            "losses": {"payments": form.get("controller[losses][payments]", "stripe")},
            "requirement_collection": form.get("controller[requirement_collection]", "stripe"),
            "stripe_dashboard": {"type": form.get("controller[stripe_dashboard][type]", "full")},
            "is_controller": True,
            "type": "application",
        },
        "capabilities": dict.fromkeys(capabilities, "inactive"),
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
    }
    _ACCOUNTS[account["id"]] = account
    return 200, account


def create_account_link(form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    import secrets
    import time

    account = form.get("account", "")
    missing = [name for name in ("account", "refresh_url", "return_url", "type") if not form.get(name)]
    if missing or account not in _ACCOUNTS:
        param = missing[0] if missing else "account"
        return 400, {"error": {"type": "invalid_request_error", "param": param, "message": f"Invalid {param}"}}
    return 200, {
        "object": "account_link",
        "created": int(time.time()),
        "expires_at": int(time.time()) + 300,
        "url": f"https://connect.stripe.com/setup/e/{account}/{secrets.token_urlsafe(12)}",
    }


def add_connect_routes(app: Any) -> None:
    from aiohttp import web

    # (Idempotency keys are answered for every POST by patch_localstripe's `idempotent` middleware.)
    async def post(request: web.Request, make: Any) -> web.Response:
        status, body = make(_flat(await request.post()))
        return web.json_response(body, status=status)

    async def accounts(request: web.Request) -> web.Response:
        return await post(request, create_account)

    async def account_links(request: web.Request) -> web.Response:
        return await post(request, create_account_link)

    async def get_account(request: web.Request) -> web.Response:
        account = _ACCOUNTS.get(request.match_info["id"])
        if account is None:
            body = {"error": {"type": "invalid_request_error", "message": "No such account"}}
            return web.json_response(body, status=404)
        return web.json_response(account)

    app.router.add_post("/v1/accounts", accounts)
    app.router.add_get("/v1/accounts/{id}", get_account)
    app.router.add_post("/v1/account_links", account_links)


# Stripe.js in the browser ------------------------------------------------------------------------------------
STRIPE_JS = Path(__file__).resolve().parent / "local" / "stripe-js-standin.js"


def _publishable(form: dict[str, Any]) -> bool:
    return str(form.get("key", "")).startswith("pk_")


def browser_create_payment_method(form: dict[str, Any]) -> Any:
    """POST /v1/payment_methods with the publishable key (what Stripe.js does for a card element)."""
    from localstripe.resources import PaymentMethod

    card = {name: form.get(f"card[{name}]", "") for name in ("number", "exp_month", "exp_year", "cvc")}
    return PaymentMethod(type="card", card=card)


def browser_confirm_payment_intent(intent_id: str, form: dict[str, Any]) -> Any:
    """POST /v1/payment_intents/{id}/confirm with the publishable key, the client secret and a payment method."""
    from localstripe.errors import UserError
    from localstripe.resources import PaymentIntent

    intent = PaymentIntent._api_retrieve(intent_id)
    if form.get("client_secret") != intent.client_secret:
        raise UserError(401, "the client secret does not match this PaymentIntent")
    PaymentIntent._api_update(intent_id, payment_method=form.get("payment_method"))
    return PaymentIntent._api_confirm(intent_id)


def add_browser_routes(app: Any) -> None:
    """Stripe.js's own calls, authenticated by the publishable key in the form (localstripe only takes secret keys
    there), and our Stripe.js stand-in in place of localstripe's."""
    import re

    from aiohttp import web
    from localstripe.errors import UserError

    confirm = re.compile(r"/v1/payment_intents/(pi_\w+)/confirm")

    @web.middleware
    async def browser(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "GET" and request.path.rstrip("/") == "/js.stripe.com/v3":
            return web.Response(text=STRIPE_JS.read_text(), content_type="application/javascript")
        if request.method == "POST" and (request.path == "/v1/payment_methods" or confirm.fullmatch(request.path)):
            form = _flat(await request.post())
            if _publishable(form):
                try:
                    found = confirm.fullmatch(request.path)
                    made = (
                        browser_confirm_payment_intent(found.group(1), form)
                        if found
                        else browser_create_payment_method(form)
                    )
                except UserError as exc:
                    return exc.to_response()
                return web.json_response(made._export())
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.insert(0, browser)


def main() -> None:
    from localstripe import server

    patch_localstripe()
    add_connect_routes(server.app)
    stripe_billing.install(server.app)
    add_browser_routes(server.app)
    server.start()  # reads --port and --from-scratch from the command line


if __name__ == "__main__":
    main()

"""localstripe, brought up to the Stripe API version we pin: `python -m infra.stripe_standin --port N`.

localstripe (PyPI) models an older Stripe and accepts requests that today's Stripe refuses, so a suite green
against it alone would prove nothing about a deploy. Where we know the pinned version refuses something, this
launcher makes localstripe refuse it the same way before starting its server unchanged:

- `payment_method_types` on PaymentIntents: since 2026-09-30.endive, 400 with code
  `payment_method_types_no_longer_supported` (docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-
  method-types-parameter-from-payment-intents-and-setup-intents), on create, update and confirm.
- A request pinned to another API version than ours (`Stripe-Version` header) is refused: our client sends
  exactly one version, and this catches a client built without it.

Everything else is localstripe as published (see ../shared/FACTS.md for its known gaps: no Connect, no
Checkout).
"""

from __future__ import annotations

from typing import Any

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


def as_pinned_version_installed(app: Any) -> bool:
    return any(getattr(m, "__name__", "") == "as_pinned_version" for m in app.middlewares)


def main() -> None:
    from localstripe import server

    patch_localstripe()
    server.start()  # reads --port and --from-scratch from the command line


if __name__ == "__main__":
    main()

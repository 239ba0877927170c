"""The one Stripe client of a container, built lazily (stripe is imported here, on first use, and only by
the code paths that talk to Stripe).

- **One API version, pinned here.** Every request carries `Stripe-Version: STRIPE_API_VERSION`; it is the
  version the pinned stripe-python release is generated from (its typed parameter classes describe exactly
  what that version accepts, and mypy checks our calls against them). `tests/unit/test_stripe_calls.py` holds
  the two equal, so upgrading the SDK without reading its changelog fails the build. Webhook endpoints are
  created with the same version (`python -m infra.stripe_setup`), so the events we parse have this shape.
  Source: Stripe, "Versioning" and the changelog (docs.stripe.com/changelog); e.g. `2026-09-30.endive`
  refuses `payment_method_types` on PaymentIntents.
- **Bounded.** Each request times out after `STRIPE_TIMEOUT_SECONDS` and is retried at most
  `STRIPE_MAX_NETWORK_RETRIES` times (stripe-python retries connection errors, 409 and 5xx, sleeping
  0.5 s · 2^(n-1), capped at 5 s, between attempts). `call_budget_seconds()` is the worst case of one call; a
  template test keeps every function's Stripe calls inside its Lambda timeout. Every write we send carries an
  idempotency key of our own, so a retried write is answered with the first one's result.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Final

from shared.errors import ServiceUnavailable
from shared.settings import get_settings

if TYPE_CHECKING:
    import stripe
    from stripe._base_address import BaseAddresses

# The API version of stripe==16.1.0 (stripe._api_version._ApiVersion.CURRENT).
STRIPE_API_VERSION: Final = "2026-10-28.endive"

# stripe-python's backoff between network retries (HTTPClient.INITIAL_DELAY, MAX_DELAY).
_RETRY_INITIAL_DELAY = 0.5
_RETRY_MAX_DELAY = 5.0


def call_budget_seconds(timeout_seconds: float, max_network_retries: int) -> float:
    """The longest one Stripe call can take: every attempt timing out, plus the sleeps between attempts."""
    sleeps = sum(min(_RETRY_INITIAL_DELAY * 2 ** (n - 1), _RETRY_MAX_DELAY) for n in range(1, max_network_retries + 1))
    return (max_network_retries + 1) * timeout_seconds + sleeps


@lru_cache(maxsize=1)
def get_stripe() -> stripe.StripeClient:
    import stripe

    settings = get_settings()
    if not settings.stripe_api_key:
        raise ServiceUnavailable("payments are not configured (STRIPE_API_KEY)")
    base: BaseAddresses | None = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(
        settings.stripe_api_key,
        stripe_version=STRIPE_API_VERSION,
        base_addresses=base,
        max_network_retries=settings.stripe_max_network_retries,
        http_client=stripe.RequestsClient(timeout=settings.stripe_timeout_seconds),
    )

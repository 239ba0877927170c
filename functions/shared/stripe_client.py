"""The one Stripe client of a container, built lazily (stripe is imported here, on first use, and only by
the code paths that talk to Stripe)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from shared.errors import ServiceUnavailable
from shared.settings import get_settings

if TYPE_CHECKING:
    import stripe


@lru_cache(maxsize=1)
def get_stripe() -> stripe.StripeClient:
    import stripe

    settings = get_settings()
    if not settings.stripe_api_key:
        raise ServiceUnavailable("payments are not configured (STRIPE_API_KEY)")
    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(settings.stripe_api_key, base_addresses=base, max_network_retries=2)  # type: ignore[arg-type]

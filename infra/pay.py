"""Pay for a held seat against the local Stripe peer, as Stripe.js would in the browser:

    .venv/bin/python -m infra.pay pi_123            # test card 4242 4242 4242 4242 (succeeds)
    .venv/bin/python -m infra.pay pi_123 --card 4000000000000341   # declined

localstripe then sends the signed payment_intent webhook to the local webhook function (`make dev`
registers it), which confirms the booking (or releases the seat).
"""

from __future__ import annotations

import argparse
import sys

import stripe

from infra.localenv import LOCAL_STRIPE_KEY, DevConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("payment_intent_id")
    parser.add_argument("--card", default="4242424242424242")
    args = parser.parse_args(argv)
    client = stripe.StripeClient(
        LOCAL_STRIPE_KEY, base_addresses={"api": f"http://127.0.0.1:{DevConfig.from_env().stripe_port}"}
    )
    method = client.v1.payment_methods.create(
        {"type": "card", "card": {"number": args.card, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    client.v1.payment_intents.update(args.payment_intent_id, {"payment_method": method.id})
    try:
        intent = client.v1.payment_intents.confirm(args.payment_intent_id)
    except stripe.CardError as exc:
        print(f"declined: {exc.user_message}")
        return 1
    print(f"{intent.id}: {intent.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

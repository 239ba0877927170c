"""Stripe set-up of a deployment: the two webhook endpoints, made with our pinned API version.

    python -m infra.stripe_setup webhooks --function-url URL \\
        [--account-secret-name skillswap/prod/stripe-webhook-secret] \\
        [--connect-secret-name skillswap/prod/stripe-connect-webhook-secret]

Reads STRIPE_API_KEY (the account's secret key, `sk_live_…` or `sk_test_…`). URL is the stack output
`StripeWebhookUrl` (the webhook function's URL, ending in `/`).

- The **account endpoint** (`<URL>stripe`) gets the events of the platform's own account that the webhook
  function acts on (`webhooks.logic.HANDLERS`); the **Connect endpoint** (`<URL>stripe/connect`, `connect=true`)
  gets connected accounts' events (`webhooks.logic.CONNECT_HANDLERS`: a host's `account.updated`). Stripe signs each
  endpoint with its own secret (docs.stripe.com/connect/webhooks); both go to Secrets Manager when their names
  are given (`put_secret_value` on an existing secret, else `create_secret`), and are printed otherwise.
- Both are made with `api_version = STRIPE_API_VERSION`: an endpoint renders its events in its own API version
  (not the SDK's, not the account's default), so this is what makes the payloads have the shape our code reads.
  They are snapshot-event endpoints (`/v1/webhook_endpoints`), the kind `stripe.Webhook.construct_event`
  verifies. (docs.stripe.com/api/webhook_endpoints/create; docs.stripe.com/webhooks/versioning.)
- An endpoint already at that URL is kept when its version and events match; one with another version is an
  error that names it (Stripe cannot change an endpoint's version: delete it, then run this again).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from shared.stripe_client import STRIPE_API_VERSION

if TYPE_CHECKING:
    import stripe
    from stripe.params import WebhookEndpointCreateParams


class SetupError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "account" or "connect"
    id: str
    url: str
    secret: str | None  # only known when the endpoint was created now


def endpoint_specs(function_url: str) -> list[tuple[str, WebhookEndpointCreateParams]]:
    """(kind, creation parameters) of both endpoints, the events taken from the webhook function itself."""
    from webhooks.logic import CONNECT_HANDLERS, HANDLERS

    if not function_url.startswith("https://") or not function_url.endswith("/"):
        raise SetupError("--function-url must be the StripeWebhookUrl output: https://…/ (ending in /)")
    account: WebhookEndpointCreateParams = {
        "url": f"{function_url}stripe",
        "api_version": STRIPE_API_VERSION,
        "enabled_events": cast(Any, sorted(HANDLERS)),
        "description": "SkillSwap: platform account events",
    }
    connect: WebhookEndpointCreateParams = {
        "url": f"{function_url}stripe/connect",
        "api_version": STRIPE_API_VERSION,
        "connect": True,
        "enabled_events": cast(Any, sorted(CONNECT_HANDLERS)),
        "description": "SkillSwap: connected accounts (hosts) events",
    }
    return [("account", account), ("connect", connect)]


def ensure_endpoints(client: stripe.StripeClient, function_url: str) -> list[Endpoint]:
    existing = {e.url: e for e in client.v1.webhook_endpoints.list({"limit": 100}).auto_paging_iter()}
    made = []
    for kind, params in endpoint_specs(function_url):
        url = params["url"]
        found = existing.get(url)
        if found is not None:
            if found.api_version != STRIPE_API_VERSION:
                raise SetupError(
                    f"endpoint {found.id} at {url} renders events as {found.api_version}, not {STRIPE_API_VERSION};"
                    " an endpoint's version cannot change: delete it in the Dashboard and run this again"
                )
            if sorted(found.enabled_events) != sorted(params["enabled_events"]):
                client.v1.webhook_endpoints.update(
                    found.id,
                    {"enabled_events": params["enabled_events"]},
                    {"idempotency_key": f"we-events-{found.id}-{'-'.join(params['enabled_events'])}"},
                )
            made.append(Endpoint(kind, found.id, url, None))
            continue
        created = client.v1.webhook_endpoints.create(params, {"idempotency_key": f"we-{kind}-{url}"})
        made.append(Endpoint(kind, created.id, url, created.secret))
    return made


def store_secret(name: str, value: str) -> None:
    import boto3

    manager = boto3.client("secretsmanager")
    try:
        manager.put_secret_value(SecretId=name, SecretString=value)
    except manager.exceptions.ResourceNotFoundException:
        manager.create_secret(Name=name, SecretString=value)


def _client() -> stripe.StripeClient:
    import stripe

    key = os.environ.get("STRIPE_API_KEY", "")
    if not key.startswith(("sk_", "rk_")):
        raise SetupError("set STRIPE_API_KEY to the account's secret key (sk_live_… or sk_test_…)")
    base = os.environ.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        key, stripe_version=STRIPE_API_VERSION, base_addresses={"api": base} if base else None, max_network_retries=2
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.stripe_setup")
    commands = parser.add_subparsers(dest="command", required=True)
    hooks = commands.add_parser("webhooks", help="create the account and Connect webhook endpoints")
    hooks.add_argument("--function-url", required=True)
    hooks.add_argument("--account-secret-name")
    hooks.add_argument("--connect-secret-name")
    args = parser.parse_args(argv)
    try:
        endpoints = ensure_endpoints(_client(), args.function_url)
        names = {"account": args.account_secret_name, "connect": args.connect_secret_name}
        for endpoint in endpoints:
            print(f"{endpoint.kind} endpoint {endpoint.id}: {endpoint.url} (API version {STRIPE_API_VERSION})")
            if endpoint.secret is None:
                print("  existing endpoint: its signing secret is already where you put it")
            elif names[endpoint.kind]:
                store_secret(names[endpoint.kind], endpoint.secret)
                print(f"  signing secret stored in Secrets Manager as {names[endpoint.kind]}")
            else:
                print(f"  signing secret (store it as the {endpoint.kind} webhook secret): {endpoint.secret}")
    except SetupError as exc:
        print(f"stripe_setup: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

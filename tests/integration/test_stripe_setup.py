"""`python -m infra.stripe_setup webhooks`: both endpoints made with the pinned API version and the events the
webhook function handles, their secrets put in Secrets Manager (moto), and an endpoint of another version refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from infra import stripe_setup
from shared.stripe_client import STRIPE_API_VERSION
from tests.helpers import StripeRecorder, untyped_fields
from webhooks.logic import CONNECT_HANDLERS, HANDLERS

FUNCTION_URL = "https://abc123.lambda-url.eu-west-1.on.aws/"


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> StripeRecorder:
    import stripe

    rec = StripeRecorder()
    real = stripe.StripeClient

    def client(key: str, **kwargs: Any) -> stripe.StripeClient:
        return real(key, **{**kwargs, "http_client": rec})

    monkeypatch.setattr(stripe, "StripeClient", client)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_setup")
    return rec


@pytest.fixture
def secrets() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws():
        manager = boto3.client("secretsmanager", region_name=os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"))
        manager.create_secret(Name="skillswap/test/stripe-webhook-secret", SecretString="placeholder")
        yield manager


def test_both_endpoints_are_made_with_the_pinned_version_and_their_secrets_stored(
    recorder: StripeRecorder, secrets: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = stripe_setup.main(
        [
            "webhooks",
            "--function-url",
            FUNCTION_URL,
            "--account-secret-name",
            "skillswap/test/stripe-webhook-secret",
            "--connect-secret-name",
            "skillswap/test/stripe-connect-webhook-secret",
        ]
    )
    assert code == 0
    creates = [r for r in recorder.requests if (r.method, r.path) == ("POST", "/v1/webhook_endpoints")]
    assert len(creates) == 2
    account, connect = (dict(r.fields) for r in creates)
    assert account["url"] == f"{FUNCTION_URL}stripe"
    assert connect["url"] == f"{FUNCTION_URL}stripe/connect"
    assert account["api_version"] == connect["api_version"] == STRIPE_API_VERSION
    assert connect["connect"] == "true"
    assert "connect" not in account
    assert [v for k, v in creates[0].fields if k.startswith("enabled_events")] == sorted(HANDLERS)
    assert [v for k, v in creates[1].fields if k.startswith("enabled_events")] == sorted(CONNECT_HANDLERS)
    for request in recorder.requests:
        assert untyped_fields(request) == []
        assert request.headers.get("Stripe-Version") == STRIPE_API_VERSION
    stored = {
        name: secrets.get_secret_value(SecretId=name)["SecretString"]
        for name in ("skillswap/test/stripe-webhook-secret", "skillswap/test/stripe-connect-webhook-secret")
    }
    assert stored["skillswap/test/stripe-webhook-secret"].startswith("whsec_rec")
    assert stored["skillswap/test/stripe-connect-webhook-secret"].startswith("whsec_rec")
    assert len(set(stored.values())) == 2
    assert "whsec_" not in capsys.readouterr().out  # stored, never printed


def test_an_endpoint_of_another_api_version_is_refused_by_name(
    recorder: StripeRecorder, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder.answers[("GET", "/v1/webhook_endpoints")] = {
        "object": "list",
        "has_more": False,
        "url": "/v1/webhook_endpoints",
        "data": [
            {
                "id": "we_old",
                "object": "webhook_endpoint",
                "url": f"{FUNCTION_URL}stripe",
                "api_version": "2025-03-31.basil",
                "enabled_events": sorted(HANDLERS),
            }
        ],
    }
    assert stripe_setup.main(["webhooks", "--function-url", FUNCTION_URL]) == 2
    assert "we_old" in capsys.readouterr().err
    assert not [r for r in recorder.requests if r.method == "POST"]


def test_the_function_url_must_be_the_stack_output() -> None:
    with pytest.raises(stripe_setup.SetupError):
        stripe_setup.endpoint_specs("http://abc.lambda-url.eu-west-1.on.aws/")

"""Deploying the web client: the bundle and the cloud settings land in the bucket with the right types and caching
(moto's S3), and the cloud settings never carry the demo sign-in or a secret Stripe key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.web_deploy import IMMUTABLE, REVALIDATE, cloud_config, upload

OUTPUTS = {
    "BookingsUrl": "https://b.lambda-url.eu-west-1.on.aws/",
    "MatchingUrl": "https://m.lambda-url.eu-west-1.on.aws/",
    "PaymentsUrl": "https://p.lambda-url.eu-west-1.on.aws/",
}


def test_the_cloud_settings_have_no_demo_sign_in_and_only_a_publishable_key() -> None:
    config = cloud_config(
        OUTPUTS, supabase_url="https://x.supabase.co", supabase_key="sb_publishable_x", stripe_key="pk_live_1"
    )
    assert config["devSignIn"] is None
    assert config["mode"] == "cloud"
    assert config["api"]["payments"] == OUTPUTS["PaymentsUrl"]
    with pytest.raises(ValueError, match="publishable"):
        cloud_config(OUTPUTS, supabase_url="u", supabase_key="k", stripe_key="sk_live_secret")


def test_the_bundle_is_uploaded_with_types_and_caching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="web", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        config = cloud_config(OUTPUTS, supabase_url="u", supabase_key="k", stripe_key="pk_test_1")
        keys = upload(s3, "web", tmp_path, config)
        assert keys == ["assets/index-abc.js", "index.html", "config.json"]
        js = s3.head_object(Bucket="web", Key="assets/index-abc.js")
        assert (js["ContentType"], js["CacheControl"]) == ("text/javascript", IMMUTABLE)
        assert s3.head_object(Bucket="web", Key="index.html")["CacheControl"] == REVALIDATE
        stored = json.loads(s3.get_object(Bucket="web", Key="config.json")["Body"].read())
        assert stored == config

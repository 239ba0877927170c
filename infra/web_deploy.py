"""Deploy the web client: `python -m infra.web_deploy --stack skillswap-prod [--supabase-url … --supabase-key …
--stripe-key pk_live_…]` uploads web/dist (built by `make build`) to the stack's WebBucket with the environment's
config.json (the function URLs from the stack's outputs, Supabase's URL and publishable key, Stripe's publishable
key; no demo sign-in), then invalidates the CloudFront distribution. Hashed assets are cached for a year; index.html
and config.json are revalidated on every load."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

from infra.localenv import ROOT

DIST = ROOT / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def cloud_config(outputs: dict[str, str], *, supabase_url: str, supabase_key: str, stripe_key: str) -> dict[str, Any]:
    """The client's settings for a deployed stack (the same shape as the local stack's, infra.webhost)."""
    if not stripe_key.startswith("pk_"):
        raise ValueError("the Stripe key given to the browser must be a publishable key (pk_…)")
    return {
        "mode": "cloud",
        "api": {
            "bookings": outputs["BookingsUrl"],
            "matching": outputs["MatchingUrl"],
            "payments": outputs["PaymentsUrl"],
        },
        "stripe": {"publishableKey": stripe_key, "jsUrl": "https://js.stripe.com/v3/"},
        "supabase": {"url": supabase_url, "publishableKey": supabase_key},
        "devSignIn": None,
    }


def upload(s3: Any, bucket: str, dist: Path, config: dict[str, Any]) -> list[str]:
    """Every file of the bundle, then config.json; returns the keys written."""
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist}/index.html is missing: run `make build` first")
    written = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type, CacheControl=cache)
        written.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl=REVALIDATE,
    )
    return [*written, "config.json"]


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--supabase-url", required=True)
    parser.add_argument("--supabase-key", required=True, help="the project's publishable (anon) key")
    parser.add_argument("--stripe-key", required=True, help="Stripe publishable key (pk_…)")
    args = parser.parse_args(argv)
    stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    config = cloud_config(
        outputs, supabase_url=args.supabase_url, supabase_key=args.supabase_key, stripe_key=args.stripe_key
    )
    keys = upload(boto3.client("s3"), outputs["WebBucketName"], DIST, config)
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"web: {len(keys)} files to s3://{outputs['WebBucketName']}; https://{outputs['WebClientDomain']}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

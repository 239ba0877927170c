"""The web client on the local stack: its bundle (`web/`, built in the `devstack` mode) served on an origin of its
own, so the browser talks to the functions across origins as it will in the cloud (CORS), with

- `/config.json`: where the functions and the local Stripe are (one bundle, settings per environment), and
- `/dev/users`, `/dev/token`: the demo sign-in. They exist only here, on the local stack; the cloud bundle is
  built without the code that calls them, and signs in with Supabase Auth.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from infra.localenv import ROOT

WEB = ROOT / "web"
DIST = WEB / "dist-devstack"
LOCAL_PUBLISHABLE_KEY = "pk_test_local_skillswap"


def bundle_is_stale() -> bool:
    if not (DIST / "index.html").exists():
        return True
    built = (DIST / "index.html").stat().st_mtime
    sources = [*WEB.joinpath("src").rglob("*"), WEB / "index.html", WEB / "package-lock.json", WEB / "vite.config.ts"]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def build_bundle() -> Path:
    """`npm run build:devstack` when the bundle is missing or older than its sources (npm ci ran at install)."""
    if bundle_is_stale():
        subprocess.run(["npm", "run", "--silent", "build:devstack"], cwd=WEB, check=True, capture_output=True)
    return DIST


def client_config(*, api_base: str, stripe_base: str) -> dict[str, Any]:
    return {
        "mode": "local",
        "api": {name: f"{api_base}/{name}" for name in ("bookings", "matching", "payments")},
        "stripe": {"publishableKey": LOCAL_PUBLISHABLE_KEY, "jsUrl": f"{stripe_base}/js.stripe.com/v3/"},
        "supabase": None,
        "devSignIn": "/dev",
    }


def build_web_app(*, api_base: str, stripe_base: str, dsn: str) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from infra.dev import demo_users
    from infra.token import mint_token

    settings = client_config(api_base=api_base, stripe_base=stripe_base)

    async def config_json(request: Request) -> JSONResponse:
        return JSONResponse(settings, headers={"Cache-Control": "no-store"})

    async def users(request: Request) -> JSONResponse:
        return JSONResponse(
            [{"email": e, "name": n, "role": str(meta.get("role", "member"))} for _, e, n, meta in demo_users(dsn)]
        )

    async def token(request: Request) -> JSONResponse:
        email = (await request.json()).get("email")
        for user_id, e, name, meta in demo_users(dsn):
            if e == email:
                minted = mint_token(user_id=user_id, email=e, app_metadata=dict(meta), ttl_seconds=12 * 3600)
                return JSONResponse({"user_id": user_id, "email": e, "name": name, "access_token": minted})
        return JSONResponse({"detail": "no such demo user"}, status_code=404)

    return Starlette(
        routes=[
            Route("/config.json", config_json),
            Route("/dev/users", users),
            Route("/dev/token", token, methods=["POST"]),
            Mount("/", StaticFiles(directory=build_bundle(), html=True)),
        ]
    )

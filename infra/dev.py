"""`make dev`: the whole platform on this machine.

Postgres 15 (cluster in .local/, 127.0.0.1:54322) with the local Supabase bootstrap, every migration and the
seed; localstripe as the Stripe peer; every HTTP function served by one uvicorn on 127.0.0.1:8000. Prints the
URLs, demo users with ready bearer tokens, and curl lines. Ctrl-C stops what it started; running it again
reuses the data and applies only new migrations.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from infra.localdb import Cluster, LocalDbError, prepare
from infra.localenv import LOCAL_WEBHOOK_SECRET, ROOT, DevConfig, function_env
from infra.token import mint_token


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port} after {timeout:.0f}s")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_localstripe(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """localstripe as the pinned Stripe API version answers (`infra.stripe_standin`), on loopback."""
    log = log_path.open("ab")
    # --from-scratch: every localstripe shares /tmp/localstripe.pickle otherwise, and a copy truncated by an
    # interrupted run stops the next one from starting.
    proc = subprocess.Popen(
        [sys.executable, "-m", "infra.stripe_standin", "--port", str(port), "--from-scratch"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        wait_for_port(port)
    except RuntimeError as exc:
        proc.terminate()
        tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"localstripe did not start ({exc}); its log ends:\n  " + "\n  ".join(tail)) from exc
    return proc


def register_webhook(cfg: DevConfig) -> None:
    """Tell localstripe to send its signed events to the local webhook function."""
    import httpx

    reply = httpx.post(
        f"http://127.0.0.1:{cfg.stripe_port}/_config/webhooks/skillswap-dev",
        data={"url": f"http://127.0.0.1:{cfg.api_port}/webhooks/stripe", "secret": LOCAL_WEBHOOK_SECRET},
        timeout=10,
    )
    reply.raise_for_status()


def register_prices(stripe_base: str, dsn: str) -> list[str]:
    """Give the local Stripe the prices of the seeded membership plans, under the ids the seeds name (in the cloud
    the plans name prices made in the Stripe dashboard)."""
    import httpx

    with psycopg.connect(dsn) as conn:
        plans = conn.execute(
            "select stripe_price_id, amount, currency, billing_interval from public.membership_plans"
        ).fetchall()
    for price_id, amount, currency, interval in plans:
        reply = httpx.post(
            f"{stripe_base}/_config/prices/{price_id}",
            data={"unit_amount": str(amount), "currency": currency, "recurring[interval]": interval},
            timeout=10,
        )
        reply.raise_for_status()
    return [row[0] for row in plans]


def start_dispatcher(outbox: Path, every_seconds: float = 5.0) -> threading.Thread:
    """The reminders dispatcher, as its schedule runs it in the cloud, every few seconds; emails become .eml
    files in `outbox`."""

    def loop() -> None:
        from reminders.logic import dispatch

        while True:
            try:
                result = dispatch(time_budget_seconds=every_seconds)
                if result["sent"] or result["dead"]:
                    print(f"dev: wrote {result['sent']} email(s) to {outbox} ({result})", flush=True)
            except Exception as exc:
                print(f"dev: dispatcher error: {exc!r}", flush=True)
            time.sleep(every_seconds)

    thread = threading.Thread(target=loop, name="dispatcher", daemon=True)
    thread.start()
    return thread


def start_realtime_janitor(dsn: str, every_seconds: float = 600.0) -> threading.Thread:
    """What Realtime's janitor does on the platform: daily realtime.messages partitions made ahead, dropped after
    72 hours (skillswap_local.maintain_realtime_partitions, from infra/local/supabase_bootstrap.sql)."""

    def loop() -> None:
        while True:
            time.sleep(every_seconds)
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute("select skillswap_local.maintain_realtime_partitions()")
            except psycopg.Error as exc:
                print(f"dev: realtime partition upkeep failed: {exc!r}", flush=True)

    thread = threading.Thread(target=loop, name="realtime-janitor", daemon=True)
    thread.start()
    return thread


def demo_users(dsn: str) -> list[tuple[str, str, str, dict[str, object]]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select u.id::text, u.email, p.display_name, coalesce(u.raw_app_meta_data, '{}'::jsonb)"
            " from auth.users u join public.profiles p on p.id = u.id order by u.email"
        ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def banner(cfg: DevConfig, dsn: str, applied: list[str]) -> str:
    api = f"http://127.0.0.1:{cfg.api_port}"
    lines = [
        "",
        "SkillSwap is running locally",
        f"  web client            http://127.0.0.1:{cfg.web_port}/  (sign in as a demo user)",
        f"  API (all functions)   {api}/",
        f"    bookings            {api}/bookings/health",
        f"    matching            {api}/matching/health",
        f"    payments            {api}/payments/health",
        f"    webhooks (Stripe)   {api}/webhooks/health",
        f"  Postgres 15           {dsn}",
        f"  localstripe           http://127.0.0.1:{cfg.stripe_port}  (webhooks → {api}/webhooks/stripe)",
        f"  emails (.eml)         {cfg.outbox_dir}  (the reminders dispatcher runs every 5 s)",
        f"  migrations applied now: {', '.join(applied) if applied else 'none (database up to date)'}",
        "",
        "Demo users (tokens valid 24 h; mint more with `.venv/bin/python -m infra.token EMAIL`):",
    ]
    first_token = None
    for user_id, email, name, app_metadata in demo_users(dsn):
        token = mint_token(user_id=user_id, email=email, app_metadata=dict(app_metadata), ttl_seconds=24 * 3600)
        first_token = first_token or token
        lines.append(f"  {name:<15} {email:<24} {user_id}")
        lines.append(f"    TOKEN={token}")
    lines += [
        "",
        "Try:",
        f"  curl -s {api}/bookings/health",
        f"  curl -s {api}/matching/health",
        f"  curl -s {api}/webhooks/health",
    ]
    if first_token:
        lines.append(f"  curl -s -H 'Authorization: Bearer {first_token}' {api}/bookings/health")
    lines += ["", "Ctrl-C stops everything started here.", ""]
    return "\n".join(lines)


def main() -> int:
    cfg = DevConfig.from_env()
    cfg.data_dir.parent.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(cfg.data_dir, cfg.db_port)
    started_db = not cluster.is_running()
    stripe: subprocess.Popen[bytes] | None = None
    try:
        print(f"dev: preparing Postgres 15 in {cfg.data_dir} on 127.0.0.1:{cfg.db_port} ...", flush=True)
        applied = prepare(cluster, seed=True)
        dsn = cluster.dsn
        if port_in_use(cfg.stripe_port):
            print(
                f"dev: something already listens on {cfg.stripe_port}; using it as the Stripe peer",
                flush=True,
            )
        else:
            stripe = start_localstripe(cfg.stripe_port, cfg.data_dir.parent / "localstripe.log")
        register_webhook(cfg)
        register_prices(f"http://127.0.0.1:{cfg.stripe_port}", cluster.dsn)
        os.environ.update(function_env(database_url=dsn, stripe_port=cfg.stripe_port))
        cfg.outbox_dir.mkdir(parents=True, exist_ok=True)
        os.environ.update({"MAIL_TRANSPORT": "file", "MAIL_OUTBOX_DIR": str(cfg.outbox_dir)})
        start_dispatcher(cfg.outbox_dir)
        start_realtime_janitor(dsn)

        import uvicorn

        from infra.devserver import build_app
        from infra.webhost import build_web_app

        web_origins = [f"http://127.0.0.1:{cfg.web_port}", f"http://localhost:{cfg.web_port}"]
        app = build_app(web_origins=web_origins)
        web = build_web_app(
            api_base=f"http://127.0.0.1:{cfg.api_port}", stripe_base=f"http://127.0.0.1:{cfg.stripe_port}", dsn=dsn
        )
        web_server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=cfg.web_port, log_level="warning"))
        threading.Thread(target=web_server.run, name="web-client", daemon=True).start()
        print(banner(cfg, dsn, applied), flush=True)
        uvicorn.run(app, host="127.0.0.1", port=cfg.api_port, log_level="warning", access_log=True)
        return 0
    except (LocalDbError, RuntimeError) as exc:
        print(f"dev: {exc}", file=sys.stderr)
        return 1
    finally:
        if stripe is not None:
            stripe.send_signal(signal.SIGINT)
            try:
                stripe.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stripe.kill()
        if started_db:
            cluster.stop()
        print("dev: stopped", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

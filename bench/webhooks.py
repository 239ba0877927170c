"""Stripe webhook benchmark: `python -m bench.webhooks` (starts its own Postgres cluster, stops it at the end).

10,000 signed events (30 % of them duplicates), shuffled, are delivered through the real webhook Lambda
handler (signature check, ledger + effect in one transaction) by 8 concurrent clients, as Stripe delivers
them; the resulting state is compared with in-order single delivery of the same events into a second
database. The reference, in a third database and the same run: 8 clients delivering the same shuffled storm
doing only the database work of each event — the ledger insert and the one SQL effect, in one transaction,
their statements and parameters worked out beforehand (no signature, no parsing, no HTTP; not server-prepared,
as ours are not: the pooler allows none). `webhooks_ratio` is our rate over the
reference's; `webhooks_p99_ratio` our p99 over its p99. The floor, in a fourth database: a hello-world FastAPI
app behind Mangum doing exactly the reference's work for each delivered body, invoked with the same events
(`webhooks_floor_ratio`, `webhooks_floor_p99_ratio`): what the framework alone costs. Last line: one JSON object.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from fastapi import Request  # (at module level: FastAPI reads the route's annotations from the module's names)
from fastapi.responses import JSONResponse

from bench.common import (
    bench_cluster,
    create_users,
    emit,
    fresh_database,
    median,
    percentile,
    run_processes,
    running_cluster,
    use_database,
)
from infra.stripe_events import endpoint_of, event, sign

EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "10000"))
DUPLICATE_SHARE = 0.30
CLIENTS = int(os.environ.get("BENCH_WEBHOOK_CLIENTS", "8"))
SEED = int(os.environ.get("BENCH_SEED", "20261122"))


def _event(event_type: str, obj: dict[str, Any], created: int) -> dict[str, Any]:
    return event(event_type, obj, created=created, event_id=f"evt_{uuid.uuid4().hex[:24]}")


def build_world(dsn: str, unique: int, now: int) -> list[dict[str, Any]]:
    """Bookings held for payment, members with customers, hosts with Connect accounts; and `unique` distinct
    events Stripe would send about them, each with its own (increasing) creation time."""
    n_bookings = unique // 2 // 7 * 3  # 3 bookings → 7 payment events (see below)
    n_subs = unique * 3 // 10 // 7  # 7 events a subscription
    n_accounts = (unique - n_bookings // 3 * 7 - n_subs * 7) // 5 + 1  # 5 events an account
    learners = [u for u, _ in create_users(dsn, n_bookings, "learner")]
    hosts = [u for u, _ in create_users(dsn, max(n_accounts, 1), "host")]
    members = [u for u, _ in create_users(dsn, n_subs, "member")]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled)"
            " select h, 'acct_' || replace(h::text, '-', ''), true from unnest(%s::uuid[]) h",
            (hosts,),
        )
        sessions = [str(uuid.uuid4()) for _ in range(max(1, n_bookings // 10))]
        conn.execute(
            """
            insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, price_amount,
                                         status, published_at)
            select s, %s, 'workshop', 'Bench', now() + interval '20 days', now() + interval '20 days 1 hour',
                   20, 1000, 'published', now()
            from unnest(%s::uuid[]) s
            """,
            (hosts[0], sessions),
        )
        bookings = [str(uuid.uuid4()) for _ in learners]
        conn.execute(
            """
            insert into public.bookings (id, session_id, learner_id, status, amount, currency, hold_expires_at,
                                         payment_intent_id)
            select b, (%s::uuid[])[1 + (i - 1) %% %s], l, 'pending_payment', 1000, 'usd', now() + interval '1 day',
                   'pi_' || replace(b::text, '-', '')
            from unnest(%s::uuid[], %s::uuid[]) with ordinality as t(b, l, i)
            """,
            (sessions, len(sessions), bookings, learners),
        )
        conn.execute(
            "update public.sessions s set seats_taken ="
            " (select count(*) from public.bookings b where b.session_id = s.id) where s.id = any(%s)",
            (sessions,),
        )
        conn.execute(
            "insert into public.stripe_customers (user_id, customer_id)"
            " select m, 'cus_' || replace(m::text, '-', '') from unnest(%s::uuid[]) m",
            (members,),
        )
        conn.execute(
            "insert into public.membership_plans (id, name, stripe_price_id, amount, currency, billing_interval)"
            " values ('bench', 'Bench', 'price_bench', 900, 'usd', 'month')"
        )

    t = now - 10 * unique
    events: list[dict[str, Any]] = []

    def add(event_type: str, obj: dict[str, Any]) -> None:
        nonlocal t
        t += 1
        events.append(_event(event_type, obj, t))

    def intent(booking: str, status: str) -> dict[str, Any]:
        return {
            "id": "pi_" + booking.replace("-", ""),
            "object": "payment_intent",
            "amount": 1000,
            "amount_received": 1000 if status == "succeeded" else 0,
            "currency": "usd",
            "status": status,
            "latest_charge": "ch_" + booking[:8],
            "metadata": {"kind": "booking", "booking_id": booking},
        }

    for i in range(0, len(bookings) - 2, 3):
        a, b, c = bookings[i : i + 3]
        add("payment_intent.succeeded", intent(a, "succeeded"))  # paid at once
        add("payment_intent.payment_failed", intent(b, "requires_payment_method"))  # failed, then paid
        add("payment_intent.succeeded", intent(b, "succeeded"))
        add("payment_intent.payment_failed", intent(c, "requires_payment_method"))  # failed, retried, failed
        add("payment_intent.payment_failed", intent(c, "requires_payment_method"))
        add("payment_intent.canceled", intent(c, "canceled"))
        add(
            "charge.refunded",
            {"id": "ch_" + a[:8], "payment_intent": "pi_" + a.replace("-", ""), "refunds": {"data": []}},
        )
    for m in members:
        sub = {
            "id": "sub_" + m.replace("-", "")[:20],
            "customer": "cus_" + m.replace("-", ""),
            "items": {"data": [{"price": {"id": "price_bench"}}]},
        }
        inv = {"subscription": sub["id"], "customer": sub["customer"]}
        p1, p2 = now + 86400 * 30, now + 86400 * 60
        add("customer.subscription.created", {**sub, "status": "incomplete"})
        add("invoice.paid", {**inv, "id": "in_a", "lines": {"data": [{"period": {"end": p1}}]}})
        add("customer.subscription.updated", {**sub, "status": "active", "current_period_end": p1})
        add("invoice.payment_failed", {**inv, "id": "in_b"})
        add("customer.subscription.updated", {**sub, "status": "past_due", "current_period_end": p1})
        add("invoice.paid", {**inv, "id": "in_c", "lines": {"data": [{"period": {"end": p2}}]}})
        add("customer.subscription.updated", {**sub, "status": "active", "current_period_end": p2})
    for h in hosts:
        acct = "acct_" + h.replace("-", "")
        for charges, payouts in ((False, False), (True, False), (False, False), (True, True), (True, True)):
            add(
                "account.updated",
                {"id": acct, "charges_enabled": charges, "payouts_enabled": payouts, "details_submitted": charges},
            )
    return events[:unique]


def snapshot(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        return {
            "bookings": conn.execute(
                "select payment_intent_id, status::text, paid_at is not null from public.bookings order by 1"
            ).fetchall(),
            "seats": conn.execute("select sum(seats_taken) from public.sessions").fetchone(),
            "entitlements": conn.execute(
                "select stripe_subscription_id, status, plan_id, current_period_end from public.entitlements order by 1"
            ).fetchall(),
            "accounts": conn.execute(
                "select stripe_account_id, charges_enabled, payouts_enabled from public.payout_accounts order by 1"
            ).fetchall(),
            "refunds": conn.execute("select count(*) from public.refunds").fetchone(),
            "ledger": conn.execute("select count(*) from public.stripe_events").fetchone(),
        }


Delivery = tuple[str, bytes, str]  # (endpoint path, body, Stripe-Signature)


def _client(dsn: str, deliveries: list[Delivery], barrier: Any, out: Any) -> None:
    try:
        use_database(dsn)
        from infra.lambda_events import function_url_event, invoke
        from webhooks.handler import lambda_handler

        def deliver(path: str, body: bytes, header: str) -> int:
            event = function_url_event("POST", path, raw_body=body, headers={"Stripe-Signature": header})
            return invoke(lambda_handler, event).status

        if invoke(lambda_handler, function_url_event("GET", "/health")).status != 200:
            raise RuntimeError("webhook handler not healthy")
        gc.collect()
        gc.freeze()  # this client's share of the storm is not part of a Lambda container (as in bench.bookings)
        barrier.wait()
        latencies: list[float] = []
        codes: dict[int, int] = {}
        for path, body, header in deliveries:
            t0 = time.perf_counter()
            code = deliver(path, body, header)
            latencies.append(time.perf_counter() - t0)
            codes[code] = codes.get(code, 0) + 1
        out.put({"latencies": latencies, "codes": codes, "ended": time.perf_counter()})
    except Exception as exc:
        out.put({"error": repr(exc)})


Direct = tuple[str, str, datetime, tuple[str, tuple[Any, ...]] | None]  # (id, type, created, effect statement)


def direct_form(evt: dict[str, Any]) -> Direct:
    """The event as the reference runs it: the effect statement our handler decides on (the same SQL, without our
    code around it), or none."""
    from webhooks.dal import Effect
    from webhooks.logic import CONNECT_HANDLERS, HANDLERS

    connect = endpoint_of(evt)[0].endswith("connect")
    created = datetime.fromtimestamp(evt["created"], UTC)
    handler = (CONNECT_HANDLERS if connect else HANDLERS).get(evt["type"])
    decision = handler(evt["data"]["object"], created) if handler is not None else None
    effect = ("select " + decision.call, decision.params) if isinstance(decision, Effect) else None
    return evt["id"], evt["type"], created, effect


def reference_work(conn: psycopg.Connection[Any], item: Direct) -> None:
    """The reference's work for one event: one transaction with the ledger insert and (if new) the effect."""
    event_id, event_type, created, effect = item
    with conn.transaction():
        row = conn.execute("select public.claim_stripe_event(%s, %s, %s)", (event_id, event_type, created)).fetchone()
        if row and row[0] and effect is not None:
            conn.execute(*effect)


def _direct_client(dsn: str, items: list[Direct], barrier: Any, out: Any) -> None:
    """The reference client: per event, one transaction with the ledger insert and (if new) the effect."""
    try:
        with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
            gc.collect()
            gc.freeze()
            barrier.wait()
            latencies: list[float] = []
            for item in items:
                t0 = time.perf_counter()
                reference_work(conn, item)
                latencies.append(time.perf_counter() - t0)
            out.put({"latencies": latencies, "codes": {200: len(items)}, "ended": time.perf_counter()})
    except Exception as exc:
        out.put({"error": repr(exc)})


def _floor_client(dsn: str, deliveries: list[tuple[Delivery, Direct]], barrier: Any, out: Any) -> None:
    """The decided stack's floor: a hello-world FastAPI app behind Mangum (no signature check, no models, no
    powertools) whose routes do exactly the reference client's work for the delivered body, looked up by its bytes,
    invoked with the same Function URL events as our handler."""
    try:
        from fastapi import FastAPI
        from mangum import Mangum

        from infra.lambda_events import function_url_event, invoke

        work = {body: item for (_, body, _), item in deliveries}
        conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=None)
        app = FastAPI()

        async def receive(request: Request) -> JSONResponse:
            item = work[await request.body()]
            reference_work(conn, item)
            return JSONResponse({"received": True, "event_id": item[0]})

        for path in ("/stripe", "/stripe/connect"):
            app.add_api_route(path, receive, methods=["POST"])
        handler = Mangum(app, lifespan="off")
        gc.collect()
        gc.freeze()
        barrier.wait()
        latencies: list[float] = []
        codes: dict[int, int] = {}
        for (path, body, header), _ in deliveries:
            t0 = time.perf_counter()
            event = function_url_event("POST", path, raw_body=body, headers={"Stripe-Signature": header})
            code = invoke(handler, event).status
            latencies.append(time.perf_counter() - t0)
            codes[code] = codes.get(code, 0) + 1
        out.put({"latencies": latencies, "codes": codes, "ended": time.perf_counter()})
    except Exception as exc:
        out.put({"error": repr(exc)})


def deliver(client: Any, dsn: str, items: list[Any], clients: int, what: str) -> dict[str, Any]:
    """`items` shared round-robin among `clients` processes running `client` (ours, the reference or the floor):
    every latency, the answers counted by status, and the wall time from the common start to the last end."""
    shares = [(dsn, items[i::clients]) for i in range(clients)]
    results, started = run_processes(client, shares, what=what, timeout=900)
    latencies = [x for r in results for x in r["latencies"]]
    codes: dict[int, int] = {}
    for r in results:
        for code, n in r["codes"].items():
            codes[int(code)] = codes.get(int(code), 0) + n
    return {"latencies": latencies, "codes": codes, "elapsed": max(r["ended"] for r in results) - started}


def main() -> int:
    unique = round(EVENTS * (1 - DUPLICATE_SHARE))
    rng = random.Random(SEED)
    now = int(time.time())
    with running_cluster("bench_webhooks") as storm_db:
        ref_db = bench_cluster("bench_webhooks_ref")
        direct_db = bench_cluster("bench_webhooks_direct")
        floor_db = bench_cluster("bench_webhooks_floor")
        for cluster in (storm_db, ref_db, direct_db, floor_db):
            fresh_database(cluster)
        events = build_world(storm_db.dsn, unique, now)
        # The same world in the in-order, direct and floor databases: same users, sessions, bookings (row for row).
        for copy in (ref_db, direct_db, floor_db):
            _copy_world(storm_db.dsn, copy.dsn)

        in_order: list[Delivery] = []
        for evt in events:
            path, secret = endpoint_of(evt)
            body = json.dumps(evt).encode()
            in_order.append((path, body, sign(body, secret=secret)))
        order = list(range(len(in_order))) + rng.choices(range(len(in_order)), k=EVENTS - len(in_order))
        rng.shuffle(order)
        storm = [in_order[i] for i in order]
        direct = [direct_form(e) for e in events]

        ref = deliver(_client, ref_db.dsn, in_order, 1, "in-order client")
        baseline = deliver(_direct_client, direct_db.dsn, [direct[i] for i in order], CLIENTS, "reference clients")
        result = deliver(_client, storm_db.dsn, storm, CLIENTS, "webhook clients")
        floor = deliver(
            _floor_client, floor_db.dsn, [(in_order[i], direct[i]) for i in order], CLIENTS, "floor clients"
        )
        state, reference = snapshot(storm_db.dsn), snapshot(ref_db.dsn)
        matches = state == reference
        direct_matches = snapshot(direct_db.dsn) == reference
        floor_matches = snapshot(floor_db.dsn) == reference
        statuses: dict[str, int] = {}
        for _, status, _paid in reference["bookings"]:
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"reference state: bookings {statuses}, {len(reference['entitlements'])} entitlements,"
            f" {len(reference['accounts'])} payout accounts, ledger {reference['ledger'][0]}"
        )
        bad = sum(n for code, n in result["codes"].items() if code != 200)
        rate, direct_rate = len(storm) / result["elapsed"], len(storm) / baseline["elapsed"]
        p99, direct_p99 = percentile(result["latencies"], 0.99), percentile(baseline["latencies"], 0.99)
        floor_rate, floor_p99 = len(storm) / floor["elapsed"], percentile(floor["latencies"], 0.99)
        print(
            f"in order (1 client): {len(in_order)} events in {ref['elapsed']:.2f}s; storm ({CLIENTS} clients):"
            f" {len(storm)} events in {result['elapsed']:.2f}s, codes {result['codes']}, p50"
            f" {median(result['latencies']) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms; reference (ledger + effect"
            f" only, {CLIENTS} clients): {direct_rate:,.0f} events/s, p99 {direct_p99 * 1000:.2f} ms, its state"
            f" {'equal to' if direct_matches else 'DIFFERENT from'} in-order delivery; floor (FastAPI + Mangum hello"
            f" world doing the reference's work): {floor_rate:,.0f} events/s, codes {floor['codes']}, p99"
            f" {floor_p99 * 1000:.2f} ms, its"
            f" state {'equal to' if floor_matches else 'DIFFERENT from'} in-order delivery"
        )
        emit(
            {
                "events": len(storm),
                "unique_events": len(in_order),
                "duplicate_share": round(1 - len(in_order) / len(storm), 3),
                "clients": CLIENTS,
                "events_per_s": round(rate, 1),
                "p50_ms": round(median(result["latencies"]) * 1000, 3),
                "p99_ms": round(p99 * 1000, 3),
                "webhooks_ref_events_per_s": round(direct_rate, 1),
                "webhooks_ref_p99_ms": round(direct_p99 * 1000, 3),
                "webhooks_ratio": round(rate / direct_rate, 3),
                "webhooks_p99_ratio": round(p99 / direct_p99, 3),
                "webhooks_floor_ratio": round(floor_rate / direct_rate, 3),
                "webhooks_floor_p99_ratio": round(floor_p99 / direct_p99, 3),
                "non_200": bad,
                "state_matches_in_order": matches,
            }
        )
    return 0


def _copy_world(source: str, target: str) -> None:
    """Copy the world row for row (triggers off on the target, so rows arrive exactly as they are)."""
    tables = [
        "auth.users",
        "public.profiles",
        "public.payout_accounts",
        "public.sessions",
        "public.bookings",
        "public.stripe_customers",
        "public.membership_plans",
    ]
    with psycopg.connect(source) as src, psycopg.connect(target, autocommit=True) as dst:
        dst.execute("set session_replication_role = replica")
        for table in tables:
            schema, name = table.split(".")
            columns = [
                r[0]
                for r in src.execute(
                    "select column_name from information_schema.columns where table_schema = %s and table_name = %s"
                    " and is_generated = 'NEVER' order by ordinal_position",
                    (schema, name),
                ).fetchall()
            ]
            cols = ", ".join(columns)
            with (
                src.cursor().copy(f"copy (select {cols} from {table}) to stdout") as out,
                dst.cursor().copy(f"copy {table} ({cols}) from stdin") as into,
            ):
                for chunk in out:
                    into.write(chunk)


if __name__ == "__main__":
    raise SystemExit(main())

"""Stripe webhook benchmark: `python -m bench.webhooks` (starts its own Postgres cluster, stops it at the end).

10,000 signed events (30 % of them duplicates), shuffled, are delivered through the real webhook Lambda
handler (signature check, ledger + effect in one transaction) by concurrent clients, as Stripe delivers
them; the resulting state is compared with in-order single delivery of the same events into a second
database. Prints `events`, `duplicate_share`, `events_per_s`, `p99_ms` and `state_matches_in_order` as its
last line (one JSON object).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from typing import Any

import psycopg

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


def deliver_all(dsn: str, deliveries: list[Delivery], clients: int) -> dict[str, Any]:
    shares = [(dsn, deliveries[i::clients]) for i in range(clients)]
    results, started = run_processes(_client, shares, what="webhook clients", timeout=900)
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
        for cluster in (storm_db, ref_db):
            fresh_database(cluster)
        events = build_world(storm_db.dsn, unique, now)
        # The same world in the reference database: same users, sessions, bookings (copied row for row).
        _copy_world(storm_db.dsn, ref_db.dsn)

        in_order: list[Delivery] = []
        for evt in events:
            path, secret = endpoint_of(evt)
            body = json.dumps(evt).encode()
            in_order.append((path, body, sign(body, secret=secret)))
        storm = in_order + [in_order[i] for i in rng.choices(range(len(in_order)), k=EVENTS - len(in_order))]
        rng.shuffle(storm)

        ref = deliver_all(ref_db.dsn, in_order, 1)
        result = deliver_all(storm_db.dsn, storm, CLIENTS)
        state, reference = snapshot(storm_db.dsn), snapshot(ref_db.dsn)
        matches = state == reference
        statuses: dict[str, int] = {}
        for _, status, _paid in reference["bookings"]:
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"reference state: bookings {statuses}, {len(reference['entitlements'])} entitlements,"
            f" {len(reference['accounts'])} payout accounts, ledger {reference['ledger'][0]}"
        )
        bad = sum(n for code, n in result["codes"].items() if code != 200)
        print(
            f"in order (1 client): {len(in_order)} events in {ref['elapsed']:.2f}s; storm ({CLIENTS} clients):"
            f" {len(storm)} events in {result['elapsed']:.2f}s, codes {result['codes']}, p50"
            f" {median(result['latencies']) * 1000:.2f} ms"
        )
        emit(
            {
                "events": len(storm),
                "unique_events": len(in_order),
                "duplicate_share": round(1 - len(in_order) / len(storm), 3),
                "clients": CLIENTS,
                "events_per_s": round(len(storm) / result["elapsed"], 1),
                "p50_ms": round(median(result["latencies"]) * 1000, 3),
                "p99_ms": round(percentile(result["latencies"], 0.99) * 1000, 3),
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

"""Every per-message statement of the dispatcher finds its delivery by the primary key, whatever the statistics
say about the queue: a plan through another index costs in proportion to the messages in flight (migration
20261130001900_delivery_lease_index_by_lease.sql). The plans are the ones the server really runs, statements
inside functions included (auto_explain, its output sent to this client as notices), in a transaction rolled back."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from reminders import dal
from tests.factories import User

LEASED = 5000

# Each dal function that writes one message's mark (one statement through db.run_bookkeeping or
# db.bookkeeping_rows), called as the dispatcher calls it; `first` and `second` are leased deliveries.
CALLS: dict[str, Callable[[int, int], Any]] = {
    "mark_handing_over": lambda first, second: dal.mark_handing_over(first),
    "mark_handing_over (with the previous message's sent mark)": lambda first, second: dal.mark_handing_over(
        first, (second, "provider-id")
    ),
    "mark_sent": lambda first, second: dal.mark_sent(first, "provider-id"),
    "mark_void": lambda first, second: dal.mark_void(first, "session moved"),
    "mark_failed": lambda first, second: dal.mark_failed(first, "unavailable", permanent=False, max_attempts=5),
    "mark_parked": lambda first, second: dal.mark_parked(first, "parked", wait_seconds=900),
    "release": lambda first, second: dal.release([first, second]),
}


# Bookkeeping that touches no delivery (the mail account's send clock).
NOT_PER_MESSAGE = {"reserve_sends"}


def _per_message_functions() -> set[str]:
    return {
        name
        for name, function in vars(dal).items()
        if inspect.isfunction(function)
        and function.__module__ == dal.__name__
        and any(call in inspect.getsource(function) for call in ("db.run_bookkeeping(", "db.bookkeeping_rows("))
    } - NOT_PER_MESSAGE


def test_every_per_message_statement_of_the_dispatcher_is_covered() -> None:
    assert {name.split(" ")[0] for name in CALLS} == _per_message_functions()


@pytest.fixture
def leased_queue(admin_conn: psycopg.Connection[Any], make_user: Callable[..., User]) -> list[int]:
    """LEASED deliveries leased to a worker, the statistics gathered while none of them was (a freshly filled queue,
    analysed before the first claim)."""
    user = make_user()
    admin_conn.execute(
        "insert into public.deliveries (user_id, kind, payload, due_at)"
        " select %s, 'session_changed', '{}'::jsonb, now() - interval '1 second' from generate_series(1, %s)",
        (user.id, LEASED),
    )
    admin_conn.execute("analyze public.deliveries")
    rows = admin_conn.execute(
        "update public.deliveries set status = 'sending', lease_until = now() + interval '5 minutes',"
        " attempts = attempts + 1 returning id"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _captured(monkeypatch: pytest.MonkeyPatch, call: Callable[[int, int], Any], ids: list[int]) -> list[Any]:
    statements: list[Any] = []

    def record(query: str, params: Any) -> int:
        statements.append((query, params))
        return 1

    def record_rows(query: str, params: Any) -> list[dict[str, Any]]:
        statements.append((query, params))
        return [{"held": True}]

    monkeypatch.setattr(dal.db, "run_bookkeeping", record)
    monkeypatch.setattr(dal.db, "bookkeeping_rows", record_rows)
    call(ids[len(ids) // 2], ids[len(ids) // 2 + 1])
    monkeypatch.undo()
    return statements


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plans_run(conn: psycopg.Connection[Any], sql: str) -> list[dict[str, Any]]:
    """The plan of every statement the server runs for `sql`, nested ones included; nothing is kept."""
    plans: list[dict[str, Any]] = []

    def keep(notice: psycopg.errors.Diagnostic) -> None:
        message = notice.message_primary or ""
        if "plan:" in message:
            plans.append(json.loads(message.split("plan:", 1)[1])["Plan"])

    conn.add_notice_handler(keep)
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("load 'auto_explain'")
            for setting, value in (
                ("log_min_duration", "0"),
                ("log_nested_statements", "on"),
                ("log_format", "json"),
                ("log_level", "notice"),
            ):
                conn.execute("select set_config(%s, %s, true)", (f"auto_explain.{setting}", value))
            conn.execute(sql)
    finally:
        conn.remove_notice_handler(keep)
    return plans


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_per_message_statement_uses_the_primary_key_with_many_messages_in_flight(
    name: str, leased_queue: list[int], admin_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = _captured(monkeypatch, CALLS[name], leased_queue)
    assert statements, f"{name} wrote nothing"
    for query, params in statements:
        plans = _plans_run(admin_conn, psycopg.ClientCursor(admin_conn).mogrify(query, params))
        nodes = [
            n
            for plan in plans
            for n in _nodes(plan)
            if n.get("Relation Name") == "deliveries" or str(n.get("Index Name", "")).startswith("deliveries")
        ]
        assert nodes, f"{name}: no plan touched deliveries ({plans})"
        used = {(n["Node Type"], n.get("Index Name")) for n in nodes}
        assert all(index == "deliveries_pkey" for _, index in used if index), (name, used)
        assert not any(kind == "Seq Scan" for kind, _ in used), (name, used)

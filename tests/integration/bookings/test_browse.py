"""Browse and search published sessions: filters, start-time order, keyset pagination, seats_left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import call, problem
from tests.integration.bookings.conftest import in_hours


@pytest.fixture
def catalogue(publish: Any, make_user: Any, admin_conn: psycopg.Connection[Any]) -> dict[str, Any]:
    admin_conn.execute(
        "insert into public.skills (slug, name, category)"
        " values ('python', 'Python', 'Tech'), ('spanish', 'Spanish', 'Lang')"
    )
    skill = {r[0]: r[1] for r in admin_conn.execute("select slug, id from public.skills").fetchall()}
    ada, grace = make_user(name="Ada"), make_user(name="Grace")
    made = {
        "py_free": publish(ada, title="Python for data people", skill_ids=[skill["python"]], starts_at=in_hours(24))[1],
        "py_paid": publish(
            ada, title="Advanced Python typing", skill_ids=[skill["python"]], price_amount=3000, starts_at=in_hours(48)
        )[1],
        "es_webinar": publish(
            grace,
            title="Spanish for travellers",
            format="webinar",
            capacity=100,
            skill_ids=[skill["spanish"]],
            price_amount=500,
            starts_at=in_hours(96),
        )[1],
        "es_1on1": publish(
            grace,
            title="Spanish conversation",
            format="one_on_one",
            capacity=1,
            skill_ids=[skill["spanish"]],
            price_amount=4000,
            starts_at=in_hours(120),
        )[1],
    }
    call("POST", "/sessions", ada, {**_draft_body(), "title": "Secret draft"})
    return {"sessions": made, "ada": ada, "grace": grace}


def _draft_body() -> dict[str, Any]:
    starts = in_hours(30)
    return {
        "format": "workshop",
        "title": "draft",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": 3,
    }


def titles(query: dict[str, str]) -> list[str]:
    reply = call("GET", "/sessions", query=query)
    assert reply.status == 200, reply.text
    return [s["title"] for s in reply.json()["data"]]


def test_browse_lists_published_sessions_in_start_order(catalogue: dict[str, Any]) -> None:
    assert titles({}) == [
        "Python for data people",
        "Advanced Python typing",
        "Spanish for travellers",
        "Spanish conversation",
    ]


def test_filters(catalogue: dict[str, Any]) -> None:
    assert titles({"skill": "python"}) == ["Python for data people", "Advanced Python typing"]
    assert titles({"format": "webinar"}) == ["Spanish for travellers"]
    assert titles({"min_price": "1", "max_price": "3000"}) == ["Advanced Python typing", "Spanish for travellers"]
    assert titles({"max_price": "0"}) == ["Python for data people"]
    assert titles({"host_id": str(catalogue["grace"].id)}) == ["Spanish for travellers", "Spanish conversation"]
    assert titles({"q": "spanish conversation"}) == ["Spanish conversation"]
    assert titles({"q": "typing"}) == ["Advanced Python typing"]
    window = {"starts_after": in_hours(40).isoformat(), "starts_before": in_hours(100).isoformat()}
    assert titles(window) == ["Advanced Python typing", "Spanish for travellers"]
    assert titles({"skill": "python", "max_price": "0", "format": "workshop"}) == ["Python for data people"]


def test_every_row_carries_seats_left(catalogue: dict[str, Any], book: Any) -> None:
    sid = catalogue["sessions"]["py_free"]["id"]
    book(sid)
    book(sid)
    rows = {s["id"]: s for s in call("GET", "/sessions").json()["data"]}
    assert rows[sid]["seats_left"] == 3
    assert all("seats_left" in row for row in rows.values())


def test_keyset_pagination_walks_everything_once(catalogue: dict[str, Any]) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = {"limit": "1"} | ({"cursor": cursor} if cursor else {})
        page = call("GET", "/sessions", query=query).json()
        seen += [s["title"] for s in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == titles({})


def test_bad_search_parameters_are_422_naming_them(catalogue: dict[str, Any]) -> None:
    problem(call("GET", "/sessions", query={"cursor": "garbage!"}), 422, "cursor")
    problem(call("GET", "/sessions", query={"limit": "0"}), 422, "limit")
    problem(call("GET", "/sessions", query={"format": "lecture"}), 422, "format")
    problem(call("GET", "/sessions", query={"min_price": "10", "max_price": "5"}), 422, "max_price")
    problem(call("GET", "/sessions", query={"host_id": "not-a-uuid"}), 422, "host_id")
    problem(call("GET", "/sessions", query={"colour": "red"}), 422, "colour")

"""Premium content as a product, end to end: an expert authors an item as themselves (the Supabase role, RLS), the
catalogue shows it to everyone, a buyer pays for it against the local Stripe and the webhook opens it, a refund
closes it again; the author's earnings show the charge, the fee and the refund."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra.url_bridge import FunctionUrlBridge
from tests.helpers import call, problem
from tests.integration.bookings.conftest import make_payable
from tests.integration.payments.conftest import pay, wait_for


def author_item(author: Any, *, price: int, title: str = "Parsing, the hard parts") -> str:
    """The expert writes the item as themselves, through the grants and policies a web client has."""
    from shared import db

    with db.user_transaction(author.claims) as conn:
        row = conn.execute(
            "insert into public.premium_content (kind, title, summary, author_id, price_amount, currency)"
            " values ('recording', %s, 'Two hours on error recovery.', %s, %s, 'usd') returning id",
            (title, author.id, price),
        ).fetchone()
        assert row is not None
        conn.execute(
            "insert into public.premium_content_bodies (content_id, body, url) values (%s, 'Chapter 1...',"
            " 'https://media.skillswap.test/parsing')",
            (row["id"],),
        )
        conn.execute("update public.premium_content set status = 'published' where id = %s", (row["id"],))
    return str(row["id"])


def test_a_premium_item_is_bought_opened_and_refunded(
    make_user: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge
) -> None:
    author, buyer = make_user(name="Ada Author"), make_user()
    make_payable(admin_conn, author)
    item = author_item(author, price=1500)

    # Everyone sees the catalogue; nobody but the entitled sees the body.
    listed = call("GET", "/content", function="payments").json()["data"]
    assert [(c["id"], c["price_amount"], c["author_name"], c["access"]) for c in listed] == [
        (item, 1500, "Ada Author", "locked")
    ]
    assert "body" not in listed[0] or listed[0]["body"] is None
    locked = call("GET", f"/content/{item}", buyer, function="payments").json()
    assert (locked["access"], locked["body"], locked["url"]) == ("locked", None, None)
    assert call("GET", f"/content/{item}", author, function="payments").json()["access"] == "author"

    # Buy: a PaymentIntent, paid in the browser; Stripe's webhook records the purchase.
    purchase = call("POST", f"/content/{item}/purchase", buyer, function="payments")
    assert purchase.status == 200, purchase.text
    body = purchase.json()
    assert (body["amount"], body["currency"]) == (1500, "usd")
    assert (
        call("POST", f"/content/{item}/purchase", buyer, function="payments").json()["payment_intent_id"]
        == (body["payment_intent_id"])
    ), "asking twice before paying is the same payment"
    assert pay(body["payment_intent_id"], "4242424242424242") is True
    wait_for(admin_conn, "select count(*) from public.content_purchases where user_id = %s", (buyer.id,), 1)
    opened = call("GET", f"/content/{item}", buyer, function="payments").json()
    assert (opened["access"], opened["body"]) == ("purchased", "Chapter 1...")
    problem(call("POST", f"/content/{item}/purchase", buyer, function="payments"), 409, "content_id")

    earnings = call("GET", "/me/earnings", author, function="payments").json()
    assert [(t["currency"], t["gross"], t["refunded"]) for t in earnings["totals"]] == [("usd", 1500, 0)]
    assert [(c["kind"], c["reference_id"], c["amount"]) for c in earnings["charges"]] == [("content", item, 1500)]

    # Refund within the window: the body closes at once; the author's earnings show it.
    refund = call("POST", f"/content/{item}/refund", buyer, function="payments")
    assert refund.status == 200, refund.text
    assert refund.json()["refund_id"].startswith("re_")
    assert call("GET", f"/content/{item}", buyer, function="payments").json()["access"] == "locked"
    problem(call("POST", f"/content/{item}/refund", buyer, function="payments"), 404, "content_id")
    totals = call("GET", "/me/earnings", author, function="payments").json()["totals"]
    assert [(t["gross"], t["refunded"], t["net"]) for t in totals] == [(1500, 1500, 0)]

    # A buyer who was refunded may buy again (a new payment, not the old one replayed).
    again = call("POST", f"/content/{item}/purchase", buyer, function="payments").json()
    assert again["payment_intent_id"] != body["payment_intent_id"]


def test_refunds_close_after_seven_days_and_some_items_are_not_for_sale(
    make_user: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge
) -> None:
    author, buyer = make_user(), make_user()
    make_payable(admin_conn, author)
    item = author_item(author, price=900)
    members_only = author_item(author, price=0, title="Members' notes")
    body = call("POST", f"/content/{item}/purchase", buyer, function="payments").json()
    assert pay(body["payment_intent_id"], "4242424242424242") is True
    wait_for(admin_conn, "select count(*) from public.content_purchases where user_id = %s", (buyer.id,), 1)
    admin_conn.execute(
        "update public.content_purchases set created_at = %s where user_id = %s",
        (datetime.now(UTC) - timedelta(days=8), buyer.id),
    )
    problem(call("POST", f"/content/{item}/refund", buyer, function="payments"), 409, "content_id")
    problem(call("POST", f"/content/{item}/purchase", author, function="payments"), 409, "content_id")
    problem(call("POST", f"/content/{members_only}/purchase", buyer, function="payments"), 409, "content_id")
    problem(call("POST", f"/content/{item}/purchase", None, function="payments"), 401)
    draft = admin_conn.execute(
        "insert into public.premium_content (kind, title, author_id) values ('article', 'Draft', %s) returning id",
        (author.id,),
    ).fetchone()
    assert draft is not None
    problem(call("POST", f"/content/{draft[0]}/purchase", buyer, function="payments"), 404, "content_id")
    problem(call("GET", f"/content/{draft[0]}", buyer, function="payments"), 404, "content_id")


def test_the_catalogue_is_paged_and_filtered(make_user: Any, admin_conn: Any) -> None:
    author = make_user()
    make_payable(admin_conn, author)
    items = [author_item(author, price=100 * (n + 1), title=f"Item {n}") for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/content", query=query, function="payments").json()
        assert len(page["data"]) <= 2
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(items)), "newest first, each once"
    assert call("GET", "/content", query={"kind": "article"}, function="payments").json()["data"] == []
    problem(call("GET", "/content", query={"cursor": "nonsense"}, function="payments"), 422, "cursor")


def test_a_hosts_earnings_show_paid_bookings(
    publish: Any, book: Any, admin_conn: Any, webhook_endpoint: FunctionUrlBridge
) -> None:
    host, session = publish(price_amount=2500, currency="eur")
    _, reply = book(session["id"])
    assert pay(reply.json()["payment"]["payment_intent_id"], "4242424242424242") is True
    wait_for(admin_conn, "select status::text from public.bookings where id = %s", (reply.json()["id"],), "confirmed")
    earnings = call("GET", "/me/earnings", host, function="payments").json()
    assert earnings["payout_account"] in {"onboarding", "active"}
    assert [(t["currency"], t["gross"]) for t in earnings["totals"]] == [("eur", 2500)]
    assert earnings["charges"][0]["kind"] == "booking"
    assert earnings["charges"][0]["title"] == session["title"]

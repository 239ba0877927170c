"""The web client in a real browser (headless Chromium), against the local stack: a learner books a free seat; pays
for a paid one with card 4242 and sees it confirmed after Stripe's webhook; a declined card shows the error and
frees the seat; a learner cancels and sees the refund; an expert creates and publishes a session and marks
attendance. Every page passes axe-core with no serious or critical violation, at phone and desktop widths, and a
screenshot of each is written under .local/web-screenshots/."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from infra.localenv import ROOT
from tests.factories import User
from tests.web.conftest import SHOTS

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": (360, 780), "desktop": (1440, 900)}


def sign_in(page: Any, user_name: str) -> None:
    page.goto("/#/signin")
    page.get_by_role("button", name=f"Sign in as {user_name}").click()
    page.get_by_role("button", name="Sign out").wait_for()


def publish_session(api: str, admin: Any, host: User, **body: Any) -> dict[str, Any]:
    """Through the API server over HTTP (Playwright's sync API owns this thread's event loop, so the handlers are
    not called in-process here)."""
    starts = body.pop("starts_at", datetime.now(UTC) + timedelta(days=3))
    session = {
        "format": "workshop",
        "title": "Parsing with Grace",
        "description": "Recursive descent, from scratch.",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": 3,
        **body,
    }
    if session.get("price_amount"):
        admin.execute(
            "insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled, payouts_enabled)"
            " values (%s, %s, true, true) on conflict do nothing",
            (host.id, f"acct_{host.id.hex[:16]}"),
        )
    auth = {"Authorization": f"Bearer {host.token}"}
    created = httpx.post(f"{api}/bookings/sessions", json=session, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    published = httpx.post(f"{api}/bookings/sessions/{created.json()['id']}/publish", headers=auth, timeout=10)
    assert published.status_code == 200, published.text
    body_out: dict[str, Any] = published.json()
    return body_out


@pytest.fixture
def publish(web_stack: dict[str, str], web_admin: Any) -> Any:
    """publish(host, **session) through the API server of this stack."""
    return lambda host, **body: publish_session(web_stack["api"], web_admin, host, **body)


def fill_card(page: Any, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")


def book_and_pay(page: Any, session_id: str, card: str) -> None:
    """From the session's page: book, fill the card, pay."""
    page.goto(f"/#/sessions/{session_id}")
    page.get_by_role("button", name="Book and pay").click()
    fill_card(page, card)
    page.get_by_role("button", name="Pay", exact=True).click()


def test_a_learner_books_a_free_seat(page: Any, make_person: Any, web_admin: Any, publish: Any) -> None:
    host, learner = make_person("Grace Free"), make_person("Linus Free")
    session = publish(host, title="Free compilers clinic")
    sign_in(page, "Linus Free")
    page.goto("/#/")
    page.get_by_role("link", name="Free compilers clinic").click()
    page.get_by_role("button", name="Book a seat").click()
    page.get_by_text("You're booked. See you there!").wait_for()
    status = web_admin.execute(
        "select status::text from public.bookings where session_id = %s and learner_id = %s",
        (session["id"], learner.id),
    ).fetchone()
    assert status == ("confirmed",)


def test_a_learner_pays_with_4242_and_sees_the_seat_confirmed_after_the_webhook(
    page: Any, make_person: Any, web_admin: Any, publish: Any
) -> None:
    host, learner = make_person("Grace Paid"), make_person("Maya Paid")
    session = publish(host, title="Paid parsing workshop", price_amount=2500)
    sign_in(page, "Maya Paid")
    page.goto(f"/#/sessions/{session['id']}")
    page.get_by_role("button", name="Book and pay").click()
    page.get_by_role("heading", name="Pay $25.00").wait_for()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_text("You're booked. See you there!").wait_for(timeout=30_000)
    row = web_admin.execute(
        "select status::text, paid_at is not null from public.bookings where learner_id = %s", (learner.id,)
    ).fetchone()
    assert row == ("confirmed", True)


def test_a_declined_card_shows_the_error_and_frees_the_seat(
    page: Any, make_person: Any, web_admin: Any, publish: Any, web_stack: dict[str, str]
) -> None:
    host, learner = make_person("Grace Declined"), make_person("Ken Declined")
    session = publish(host, title="One seat, paid", price_amount=1500, capacity=1)
    sign_in(page, "Ken Declined")
    book_and_pay(page, session["id"], "4000000000000341")
    page.get_by_role("alert").filter(has_text="declined").wait_for(timeout=30_000)
    page.get_by_text("The payment failed, so the seat was released.").wait_for()
    seats = web_admin.execute("select seats_taken from public.sessions where id = %s", (session["id"],)).fetchone()
    assert seats == (0,)
    assert web_admin.execute(
        "select status::text from public.bookings where learner_id = %s", (learner.id,)
    ).fetchone() == ("payment_failed",)


def test_a_learner_cancels_and_sees_the_refund(
    page: Any, make_person: Any, web_admin: Any, publish: Any, web_stack: dict[str, str]
) -> None:
    host, learner = make_person("Grace Refund"), make_person("Ada Refund")
    session = publish(host, title="Refundable workshop", price_amount=4000)
    sign_in(page, "Ada Refund")
    book_and_pay(page, session["id"], "4242424242424242")
    page.get_by_text("You're booked. See you there!").wait_for(timeout=30_000)
    page.goto("/#/me/bookings")
    page.get_by_role("button", name="Cancel…").click()
    page.get_by_text("You will get back $40.00.").wait_for()  # shown before confirming
    page.get_by_role("button", name="Yes, cancel").click()
    page.get_by_text("refund $40.00").wait_for()
    refund = web_admin.execute(
        "select r.amount from public.refunds r join public.bookings b on b.id = r.booking_id where b.learner_id = %s",
        (learner.id,),
    ).fetchone()
    assert refund == (4000,)


def test_an_expert_creates_publishes_edits_and_marks_attendance(
    page: Any, make_person: Any, web_admin: Any, publish: Any, web_stack: dict[str, str]
) -> None:
    host, learner = make_person("Grace Host"), make_person("Linus Attendee")
    sign_in(page, "Grace Host")
    page.goto("/#/host")
    page.get_by_label("Title").fill("Compilers office hours")
    page.get_by_label("Starts (your time)").fill((datetime.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Seats").fill("4")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("heading", name="Compilers office hours").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("published").first.wait_for()
    page.get_by_label("Title").fill("Compilers office hours, edited")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Compilers office hours, edited").wait_for()
    # A session that has already taken place, with one confirmed attendee: the host marks attendance.
    past = web_admin.execute(
        "insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity, status, published_at)"
        " values (%s, 'workshop', 'Yesterday''s workshop', now() - interval '1 day', now() - interval '23 hours', 3,"
        " 'published', now() - interval '2 days') returning id",
        (host.id,),
    ).fetchone()[0]
    web_admin.execute(
        "insert into public.bookings (session_id, learner_id, status, amount, currency, confirmed_at)"
        " values (%s, %s, 'confirmed', 0, 'usd', now() - interval '2 days')",
        (past, learner.id),
    )
    page.goto(f"/#/host/sessions/{past}")
    row = page.get_by_role("row", name="Linus Attendee")
    row.get_by_role("button", name="Attended").click()
    row.get_by_role("button", name="Attended").wait_for(state="detached")
    assert row.get_by_role("cell").nth(3).inner_text() == "attended", page.locator("main").inner_text()
    assert web_admin.execute(
        "select attendance::text from public.bookings where session_id = %s", (past,)
    ).fetchone() == ("attended",)


PAGES = ["/#/", "/#/signin", "/#/me/bookings", "/#/host", "/#/mentors", "/#/membership", "/#/earnings", "session"]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_passes_axe_and_is_photographed(
    browser: Any, web_stack: dict[str, str], make_person: Any, web_admin: Any, publish: Any, width: str
) -> None:
    host = make_person(f"Grace Axe {width}")
    session = publish(host, title=f"Accessible session ({width})")
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=web_stack["web"])
    page = context.new_page()
    sign_in(page, f"Grace Axe {width}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[str]] = {}
    for target in PAGES:
        url = f"/#/sessions/{session['id']}" if target == "session" else target
        page.goto(url)
        page.locator("main h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        name = target.strip("/#").replace("/", "-") or "browse"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']} ({v['impact']})" for v in report["violations"] if v["impact"] in ("serious", "critical")]
        results[name] = bad
        # No page scrolls sideways: the layout fits from 360 px up.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    (SHOTS / f"axe-{width}.json").write_text(json.dumps(results, indent=2))
    context.close()
    assert all(not v for v in results.values()), results


def test_keyboard_alone_reaches_and_books_a_session(
    page: Any, make_person: Any, web_admin: Any, publish: Any, web_stack: dict[str, str]
) -> None:
    host = make_person("Grace Keys")
    make_person("Maya Keys")
    session = publish(host, title="Keyboard-only session")
    sign_in(page, "Maya Keys")
    page.goto(f"/#/sessions/{session['id']}")
    page.locator("main h1").wait_for()
    for _ in range(40):  # Tab until the booking button has the focus; a visible focus ring is styled
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent") == "Book a seat":
            break
    else:
        pytest.fail("the booking button cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.get_by_text("You're booked. See you there!").wait_for()


def test_the_functions_refuse_other_origins(web_stack: dict[str, str]) -> None:
    import httpx

    ok = httpx.options(
        f"{web_stack['api']}/bookings/sessions",
        headers={"Origin": web_stack["web"], "Access-Control-Request-Method": "GET"},
    )
    assert ok.headers.get("access-control-allow-origin") == web_stack["web"]
    other = httpx.options(
        f"{web_stack['api']}/bookings/sessions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in other.headers

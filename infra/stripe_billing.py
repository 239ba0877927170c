"""Stripe Billing as the pinned API version answers it, for the local stand-in (`infra.stripe_standin`).

localstripe models an older Billing: items by `plan` (no Prices), no `payment_behavior=default_incomplete`, no
`expand`, no `confirmation_secret`, and it charges the customer's default card at once. Since 2025-03-31.basil an
invoice no longer carries `payment_intent`; the client secret of a subscription's first payment is the invoice's
`confirmation_secret` (docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-
invoices), the invoice names its subscription under `parent.subscription_details`, and a subscription's period lives
on its items. This module models the part we use, after Stripe's API reference for Subscriptions and Invoices:

- `POST /v1/subscriptions` with `items[0][price]`, `payment_behavior=default_incomplete` (the only behaviour we
  send: the subscription stays `incomplete` until the first invoice's PaymentIntent is confirmed by the client),
  `trial_period_days` (then `trialing`, a paid zero invoice, and a SetupIntent in `pending_setup_intent` to collect
  the card), `expand[]` of `latest_invoice.confirmation_secret` and `pending_setup_intent`, and idempotency keys.
- `GET`, `POST` (cancel_at_period_end, a new price with `proration_behavior`), `DELETE /v1/subscriptions/{id}`.
- `GET /v1/invoices?customer=&subscription=`.
- The first invoice's PaymentIntent is a real localstripe PaymentIntent: confirming it (as Stripe.js would) pays the
  invoice, activates the subscription, and the card becomes its default payment method.
- Signed events as Stripe sends them: customer.subscription.created / updated / deleted, invoice.paid,
  invoice.payment_failed, rendered with the pinned API version.
- Knobs of the stand-in (not Stripe's API): `POST /_config/prices/{id}` registers a price under a fixed id (the
  seeds name theirs), and `POST /_config/subscriptions/{id}/advance` moves a subscription to its period's end
  (a renewal, the end of a trial, or a cancellation taking effect), as a test clock would.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

_PRICES: dict[str, dict[str, Any]] = {}
_SUBSCRIPTIONS: dict[str, dict[str, Any]] = {}
_INVOICES: dict[str, dict[str, Any]] = {}
_INVOICE_OF_INTENT: dict[str, str] = {}

_DAY = 86_400
_INTERVAL_SECONDS = {"day": _DAY, "week": 7 * _DAY, "month": 30 * _DAY, "year": 365 * _DAY}


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _error(status: int, message: str, param: str | None = None, code: str = "resource_missing") -> tuple[int, Any]:
    return status, {"error": {"type": "invalid_request_error", "code": code, "param": param, "message": message}}


def _expands(form: dict[str, Any]) -> set[str]:
    return {str(v) for k, v in form.items() if k == "expand" or k.startswith("expand[")}


# Events ------------------------------------------------------------------------------------------------------
class _Snapshot:
    """What localstripe's Event needs of an object: its export."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def _export(self) -> dict[str, Any]:
        return self.body


def _emit(event_type: str, body: dict[str, Any]) -> None:
    from localstripe.resources import Event
    from localstripe.webhooks import schedule_webhook

    schedule_webhook(Event(event_type, _Snapshot(_public(body))))


def _public(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if not k.startswith("_")}


# Objects -----------------------------------------------------------------------------------------------------
def register_price(price_id: str, form: dict[str, Any]) -> tuple[int, Any]:
    try:
        amount = int(form.get("unit_amount", ""))
    except ValueError:
        return _error(400, "unit_amount must be an integer", "unit_amount", "parameter_invalid_integer")
    interval = form.get("recurring[interval]", "month")
    if interval not in _INTERVAL_SECONDS or amount < 0:
        return _error(400, "Invalid recurring interval or amount", "recurring[interval]", "parameter_invalid")
    _PRICES[price_id] = {
        "id": price_id,
        "object": "price",
        "unit_amount": amount,
        "currency": form.get("currency", "usd"),
        "recurring": {"interval": interval, "interval_count": 1},
        "type": "recurring",
    }
    return 200, _PRICES[price_id]


def _period_of(price: dict[str, Any]) -> int:
    return _INTERVAL_SECONDS[price["recurring"]["interval"]]


def _invoice(sub: dict[str, Any], amount: int, start: int, end: int, reason: str) -> dict[str, Any]:
    invoice = {
        "id": _id("in"),
        "object": "invoice",
        "customer": sub["customer"],
        "status": "open",
        "amount_due": amount,
        "amount_paid": 0,
        "amount_remaining": amount,
        "currency": sub["items"]["data"][0]["price"]["currency"],
        "created": int(time.time()),
        "billing_reason": reason,
        "number": f"LOCAL-{len(_INVOICES) + 1:04d}",
        "hosted_invoice_url": f"https://invoice.stripe.com/i/local/{secrets.token_urlsafe(12)}",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub["id"]}},
        "lines": {"object": "list", "data": [{"amount": amount, "period": {"start": start, "end": end}}]},
        "period_start": start,
        "period_end": end,
        "_intent": None,
    }
    _INVOICES[invoice["id"]] = invoice
    sub["latest_invoice"] = invoice["id"]
    return invoice


def _pay(invoice: dict[str, Any]) -> None:
    invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
    _emit("invoice.paid", invoice)


def _charge_saved_card(sub: dict[str, Any], invoice: dict[str, Any]) -> None:
    """A renewal or proration: Stripe charges the subscription's saved card; without one the invoice fails."""
    if invoice["amount_due"] == 0 or _saved_card(sub):
        _pay(invoice)
    else:
        _emit("invoice.payment_failed", invoice)
        sub["status"] = "past_due"


def _render(sub: dict[str, Any], expand: set[str]) -> dict[str, Any]:
    body = _public(sub)
    if "latest_invoice" in expand or "latest_invoice.confirmation_secret" in expand:
        invoice = _public(_INVOICES[sub["latest_invoice"]]) if sub.get("latest_invoice") else None
        if invoice is not None and "latest_invoice.confirmation_secret" in expand:
            intent = _INVOICES[invoice["id"]]["_intent"]
            invoice["confirmation_secret"] = (
                {"type": "payment_intent", "client_secret": intent.client_secret} if intent is not None else None
            )
        body["latest_invoice"] = invoice
    if "pending_setup_intent" in expand and sub.get("pending_setup_intent"):
        from localstripe.resources import SetupIntent

        setup = SetupIntent._api_retrieve(sub["pending_setup_intent"])
        body["pending_setup_intent"] = {"id": setup.id, "client_secret": setup.client_secret, "status": setup.status}
    return body


def create_subscription(form: dict[str, Any]) -> tuple[int, Any]:
    from localstripe.errors import UserError
    from localstripe.resources import Customer, PaymentIntent, SetupIntent

    customer = form.get("customer", "")
    try:
        Customer._api_retrieve(customer)
    except UserError:
        return _error(400, f"No such customer: '{customer}'", "customer")
    price = _PRICES.get(form.get("items[0][price]", ""))
    if price is None:
        return _error(400, "No such price", "items[0][price]")
    if "items[1][price]" in form:
        return _error(400, "this stand-in models one item per subscription", "items")
    behavior = form.get("payment_behavior", "allow_incomplete")
    if behavior != "default_incomplete":
        return _error(
            400, "this stand-in models payment_behavior=default_incomplete", "payment_behavior", "parameter_invalid"
        )
    now = int(time.time())
    trial_days = int(form.get("trial_period_days", "0") or 0)
    end = now + (trial_days * _DAY if trial_days else _period_of(price))
    sub: dict[str, Any] = {
        "id": _id("sub"),
        "object": "subscription",
        "customer": customer,
        "status": "trialing" if trial_days else "incomplete",
        "cancel_at_period_end": False,
        "canceled_at": None,
        "created": now,
        "start_date": now,
        "trial_start": now if trial_days else None,
        "trial_end": end if trial_days else None,
        "default_payment_method": None,
        "pending_setup_intent": None,
        "latest_invoice": None,
        "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": _id("si"),
                    "object": "subscription_item",
                    "price": price,
                    "quantity": 1,
                    "current_period_start": now,
                    "current_period_end": end,
                }
            ],
        },
    }
    _SUBSCRIPTIONS[sub["id"]] = sub
    invoice = _invoice(sub, 0 if trial_days else price["unit_amount"], now, end, "subscription_create")
    if trial_days or invoice["amount_due"] == 0:
        setup = SetupIntent(customer=customer, usage="off_session")
        sub["pending_setup_intent"] = setup.id
        _emit("customer.subscription.created", sub)
        _pay(invoice)
    else:
        intent = PaymentIntent(amount=price["unit_amount"], currency=price["currency"], customer=customer)
        invoice["_intent"] = intent
        _INVOICE_OF_INTENT[intent.id] = invoice["id"]
        _emit("customer.subscription.created", sub)
        _emit("invoice.finalized", invoice)
    return 200, _render(sub, _expands(form))


def _find(sub_id: str) -> dict[str, Any] | None:
    return _SUBSCRIPTIONS.get(sub_id)


def update_subscription(sub_id: str, form: dict[str, Any]) -> tuple[int, Any]:
    sub = _find(sub_id)
    if sub is None:
        return _error(404, f"No such subscription: '{sub_id}'", "id")
    if sub["status"] in {"canceled", "incomplete_expired"}:
        return _error(400, "A canceled subscription can only update its metadata", None, "parameter_invalid")
    if "cancel_at_period_end" in form:
        sub["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
    new_price_id = form.get("items[0][price]")
    if new_price_id is not None:
        item = sub["items"]["data"][0]
        if form.get("items[0][id]") != item["id"]:
            return _error(400, "items[0][id] must name the subscription's item", "items[0][id]", "parameter_invalid")
        price = _PRICES.get(new_price_id)
        if price is None:
            return _error(400, "No such price", "items[0][price]")
        old = item["price"]
        now = int(time.time())
        start, end = item["current_period_start"], item["current_period_end"]
        unused = max(0.0, (end - now) / max(1, end - start))
        credit = round(old["unit_amount"] * unused) if sub["status"] == "active" else 0
        item["price"] = price
        if price["recurring"]["interval"] != old["recurring"]["interval"]:
            # A new interval restarts the billing cycle now (Stripe, "Change the billing interval").
            item.update(current_period_start=now, current_period_end=now + _period_of(price))
            amount = max(0, price["unit_amount"] - credit)
        else:
            amount = max(0, round(price["unit_amount"] * unused) - credit)
        behaviour = form.get("proration_behavior", "create_prorations")
        if behaviour == "always_invoice" and sub["status"] == "active":
            invoice = _invoice(sub, amount, now, item["current_period_end"], "subscription_update")
            _charge_saved_card(sub, invoice)
    _emit("customer.subscription.updated", sub)
    return 200, _render(sub, _expands(form))


def cancel_subscription(sub_id: str) -> tuple[int, Any]:
    sub = _find(sub_id)
    if sub is None:
        return _error(404, f"No such subscription: '{sub_id}'", "id")
    if sub["status"] not in {"canceled", "incomplete_expired"}:
        sub.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
        for invoice in _INVOICES.values():
            if invoice["parent"]["subscription_details"]["subscription"] == sub_id and invoice["status"] == "open":
                invoice["status"] = "void"
        _emit("customer.subscription.deleted", sub)
    return 200, _render(sub, set())


def advance_subscription(sub_id: str) -> tuple[int, Any]:
    """The subscription reaches its period's end (a test clock's move)."""
    sub = _find(sub_id)
    if sub is None:
        return _error(404, f"No such subscription: '{sub_id}'", "id")
    item = sub["items"]["data"][0]
    end = item["current_period_end"]
    if sub["cancel_at_period_end"] or (sub["status"] == "trialing" and not _saved_card(sub)):
        # A pending cancellation takes effect; a trial without a card ends (trial_settings: cancel).
        return cancel_subscription(sub_id)
    if sub["status"] not in {"active", "trialing", "past_due"}:
        return _error(400, f"a {sub['status']} subscription does not renew", None, "parameter_invalid")
    price = item["price"]
    item.update(current_period_start=end, current_period_end=end + _period_of(price))
    invoice = _invoice(sub, price["unit_amount"], end, item["current_period_end"], "subscription_cycle")
    if sub["status"] == "trialing":
        sub["status"] = "active"
    _charge_saved_card(sub, invoice)
    if invoice["status"] == "paid":
        sub["status"] = "active"
    _emit("customer.subscription.updated", sub)
    return 200, _render(sub, set())


def list_invoices(query: dict[str, Any]) -> tuple[int, Any]:
    found = [
        _public(i)
        for i in _INVOICES.values()
        if query.get("customer") in {None, i["customer"]}
        and query.get("subscription") in {None, i["parent"]["subscription_details"]["subscription"]}
    ]
    found.sort(key=lambda i: i["created"], reverse=True)
    return 200, {"object": "list", "data": found, "has_more": False, "url": "/v1/invoices"}


# Hooks into localstripe's own payment objects ------------------------------------------------------------------
def _intent_succeeded(intent: Any) -> None:
    invoice_id = _INVOICE_OF_INTENT.get(intent.id)
    if invoice_id is None:
        return
    invoice = _INVOICES[invoice_id]
    sub = _SUBSCRIPTIONS[invoice["parent"]["subscription_details"]["subscription"]]
    sub["default_payment_method"] = intent.payment_method
    _pay(invoice)
    if sub["status"] in {"incomplete", "past_due"}:
        sub["status"] = "active"
        _emit("customer.subscription.updated", sub)


def _intent_failed(intent: Any) -> None:
    invoice_id = _INVOICE_OF_INTENT.get(intent.id)
    if invoice_id is not None:
        _emit("invoice.payment_failed", _INVOICES[invoice_id])


def _saved_card(sub: dict[str, Any]) -> str | None:
    """The subscription's default payment method, or the card a trial's SetupIntent collected."""
    if not sub.get("default_payment_method") and sub.get("pending_setup_intent"):
        from localstripe.resources import SetupIntent

        setup = SetupIntent._api_retrieve(sub["pending_setup_intent"])
        if setup.status == "succeeded" and setup.payment_method:
            sub["default_payment_method"] = setup.payment_method
    card: str | None = sub.get("default_payment_method")
    return card


def install(app: Any) -> None:
    """Add the Billing routes to localstripe's app and hook its PaymentIntents and SetupIntents (before start)."""
    from aiohttp import web
    from localstripe.resources import PaymentIntent

    succeeded, failed = PaymentIntent._on_success, PaymentIntent._report_failure

    def on_success(self: Any) -> None:
        succeeded(self)
        _intent_succeeded(self)

    def report_failure(self: Any) -> None:
        _intent_failed(self)
        failed(self)  # raises the card error to the caller

    PaymentIntent._on_success = on_success
    PaymentIntent._report_failure = report_failure

    async def form_of(request: web.Request) -> dict[str, Any]:
        return {str(k): v for k, v in (await request.post()).items()}

    async def create(request: web.Request) -> tuple[int, Any]:
        # (A repeated Idempotency-Key is answered before this by infra.stripe_standin's `idempotent` middleware.)
        return create_subscription(await form_of(request))

    async def retrieve(request: web.Request, sub_id: str) -> tuple[int, Any]:
        sub = _find(sub_id)
        if sub is None:
            return _error(404, f"No such subscription: '{sub_id}'", "id")
        return 200, _render(sub, _expands(dict(request.query)))

    async def update(request: web.Request, sub_id: str) -> tuple[int, Any]:
        return update_subscription(sub_id, await form_of(request))

    async def delete(request: web.Request, sub_id: str) -> tuple[int, Any]:
        return cancel_subscription(sub_id)

    async def invoices(request: web.Request) -> tuple[int, Any]:
        return list_invoices(dict(request.query))

    async def price(request: web.Request, price_id: str) -> tuple[int, Any]:
        return register_price(price_id, await form_of(request))

    async def advance(request: web.Request, sub_id: str) -> tuple[int, Any]:
        return advance_subscription(sub_id)

    # (method, path pattern, handler): answered before localstripe's own routes, which model the older Billing.
    routes: list[tuple[str, re.Pattern[str], Any]] = [
        ("POST", re.compile(r"/v1/subscriptions"), create),
        ("GET", re.compile(r"/v1/subscriptions/(sub_\w+)"), retrieve),
        ("POST", re.compile(r"/v1/subscriptions/(sub_\w+)"), update),
        ("DELETE", re.compile(r"/v1/subscriptions/(sub_\w+)"), delete),
        ("GET", re.compile(r"/v1/invoices"), invoices),
        ("POST", re.compile(r"/_config/prices/(\w+)"), price),
        ("POST", re.compile(r"/_config/subscriptions/(sub_\w+)/advance"), advance),
    ]

    @web.middleware
    async def billing(request: web.Request, handler: Any) -> web.StreamResponse:
        for method, pattern, serve in routes:
            found = pattern.fullmatch(request.path)
            if found and request.method == method:
                status, body = await serve(request, *found.groups())
                return web.json_response(body, status=status)
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(billing)

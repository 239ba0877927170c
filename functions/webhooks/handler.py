"""Lambda entries of the Stripe webhook function: the HTTP app (built once per container, behind Mangum) and
the scheduled refund executor."""

from __future__ import annotations

from shared.app import create_app, lambda_entry, scheduled_entry
from webhooks.logic import execute_refunds
from webhooks.routes import router

app = create_app(title="webhooks", routers=[router])
lambda_handler = lambda_entry(app)
refunds_handler = scheduled_entry(execute_refunds, metric_prefix="refunds")

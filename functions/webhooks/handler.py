"""Lambda entry of the Stripe webhook function: the HTTP app, built once per container, behind Mangum. (The
refund executor's entry is webhooks.jobs.refunds_handler.)"""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from shared.app import create_app, lambda_entry
    from webhooks.routes import router

    app = create_app(title="webhooks", routers=[router])
    lambda_handler = lambda_entry(app)

"""Lambda entry of the payments function: the HTTP app, built once per container, behind Mangum."""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from payments.routes import routers
    from shared.app import create_app, lambda_entry

    app = create_app(title="payments", routers=routers)
    lambda_handler = lambda_entry(app)

"""Lambda entry of the matching function: the FastAPI app, built once per container, behind Mangum."""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from matching.routes import router
    from shared.app import create_app, lambda_entry

    app = create_app(title="matching", routers=[router])
    lambda_handler = lambda_entry(app)

"""Lambda entry of the bookings function: the HTTP app, built once per container, behind Mangum. (The hold
sweep's entry is bookings.jobs.sweep_handler.)"""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from bookings.routes import router
    from shared.app import create_app, lambda_entry

    app = create_app(title="bookings", routers=[router])
    lambda_handler = lambda_entry(app)

"""Lambda entries of the bookings function: the HTTP app (built once per container, behind Mangum) and the
scheduled sweep that frees lapsed seat holds."""

from __future__ import annotations

from bookings.logic import expire_lapsed_holds
from bookings.routes import router
from shared.app import create_app, lambda_entry, scheduled_entry

app = create_app(title="bookings", routers=[router])
lambda_handler = lambda_entry(app)
sweep_handler = scheduled_entry(expire_lapsed_holds, metric_prefix="holds")

"""Lambda entry of the reminders function: the dispatcher, run every minute by its schedule."""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from reminders.logic import dispatch_due
    from shared.jobs import scheduled_entry

    lambda_handler = scheduled_entry(dispatch_due, metric_prefix="deliveries")

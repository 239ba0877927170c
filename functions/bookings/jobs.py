"""Scheduled entry of the bookings function: the hold sweep (no HTTP app is built, so it starts fast)."""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from bookings.holds import expire_lapsed_holds
    from shared.jobs import scheduled_entry

    sweep_handler = scheduled_entry(expire_lapsed_holds, metric_prefix="holds")

"""Scheduled entry of the webhooks function: the refund executor (no HTTP app is built, so it starts fast)."""

from __future__ import annotations

from shared.coldstart import init_phase

with init_phase():
    from shared.jobs import scheduled_entry
    from webhooks.refunds import execute_refunds

    refunds_handler = scheduled_entry(execute_refunds, metric_prefix="refunds")

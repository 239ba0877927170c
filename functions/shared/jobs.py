"""The Lambda entry of scheduled jobs. Deliberately free of FastAPI and Starlette: a job has no HTTP app, and
importing the web framework would be most of its cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.observability import logger, metrics, traced


def scheduled_entry(
    job: Callable[[], dict[str, int]], *, metric_prefix: str
) -> Callable[[dict[str, Any], Any], dict[str, int]]:
    """The Lambda handler for a scheduled job: powertools context, tracing, and one metric per counter."""
    from aws_lambda_powertools.metrics import MetricUnit

    @logger.inject_lambda_context(clear_state=True)
    @traced
    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
        result = job()
        for name, value in result.items():
            metrics.add_metric(name=f"{metric_prefix}.{name}", unit=MetricUnit.Count, value=value)
        logger.info("scheduled job done", extra=result)
        return result

    return lambda_handler

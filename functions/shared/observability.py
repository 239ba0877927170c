"""powertools Logger and Metrics singletons, and an opt-in Tracer.

Tracing: the template sets `Tracing: Active`, so Lambda records every invocation in X-Ray without any SDK.
powertools' Tracer adds subsegments through the X-Ray SDK, whose import (it pulls in botocore) costs about
0.4 s of every cold start even when tracing is disabled; so it is created only when SKILLSWAP_XRAY_SUBSEGMENTS
is true, and then needs the X-Ray SDK on the path: attach AWS's Powertools layer (it includes aws-xray-sdk);
ours leaves it out, as the SDK drags botocore (~30 MB) into a package that must stay under 250 MB.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "SkillSwap"))


def xray_subsegments_enabled() -> bool:
    return os.environ.get("SKILLSWAP_XRAY_SUBSEGMENTS", "false").lower() == "true"


def traced(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Lambda handler with powertools' Tracer when X-Ray subsegments are enabled."""
    if not xray_subsegments_enabled():
        return handler
    from aws_lambda_powertools import Tracer

    wrapped: Callable[..., Any] = Tracer().capture_lambda_handler(capture_response=False)(handler)
    return wrapped

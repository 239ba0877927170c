"""Real-shaped Lambda events and contexts for invoking handlers in-process (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass
class LambdaContext:
    """The attributes powertools and Mangum read from the Lambda context object."""

    function_name: str = "skillswap-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:000000000000:function:skillswap-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/skillswap-local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def function_url_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: bytes | str | None = None,
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """A Lambda Function URL event (payload format 2.0), as AWS delivers it."""
    hdrs = {
        "host": "abc123.lambda-url.eu-west-1.on.aws",
        "user-agent": "skillswap-tests",
        "x-forwarded-proto": "https",
    }
    if token is not None:
        hdrs["authorization"] = f"Bearer {token}"
    payload: str | None = None
    is_b64 = False
    if raw_body is not None:
        if isinstance(raw_body, bytes):
            payload, is_b64 = base64.b64encode(raw_body).decode(), True
        else:
            payload = raw_body
    elif body is not None:
        payload = json.dumps(body)
        hdrs["content-type"] = "application/json"
    for key, value in (headers or {}).items():
        hdrs[key.lower()] = value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": hdrs,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "abc123",
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "skillswap-tests",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if payload is not None:
        event["body"] = payload
    return event


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def invoke(handler: Callable[[dict[str, Any], Any], dict[str, Any]], event: dict[str, Any]) -> Reply:
    """Call a Lambda handler in-process and decode its Function URL response.

    Each calling thread stands for one Lambda container: it gets its own event loop (Mangum runs the ASGI app
    on the thread's loop) and, through shared.db, its own database connection.
    """
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    result = handler(event, LambdaContext())
    text = result.get("body") or ""
    if result.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return Reply(status=int(result["statusCode"]), headers=headers, text=text)

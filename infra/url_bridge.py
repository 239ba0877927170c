"""A Lambda Function URL on loopback: HTTP requests become Function URL events for an in-process handler,
its answer becomes the HTTP response. Lets a real peer (localstripe posting signed webhooks) reach the very
`lambda_handler` that runs in AWS."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.lambda_events import function_url_event, invoke

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class FunctionUrlBridge:
    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        bridge = self

        class _Request(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                event = function_url_event(
                    self.command,
                    url.path,
                    raw_body=body,
                    query=dict(parse_qsl(url.query)),
                    headers=dict(self.headers.items()),
                )
                reply = invoke(bridge.handler, event)
                payload = reply.text.encode()
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    if key not in {"content-length", "transfer-encoding"}:
                        self.send_header(key, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                bridge.requests += 1

            do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.handler = handler
        self.requests = 0
        self.server = ThreadingHTTPServer((host, port), _Request)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FunctionUrlBridge:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

"""The fake Twilio of cloud.py behind a real HTTP port, for callroute processes (a worker run
as a subprocess) that send their REST requests to ``CALLROUTE_TWILIO_API_URL``.

It runs in a thread of the test process with its own event loop; the test reads what was asked
from ``cloud.requests``. ``delay`` makes every answer slow: the request is handled (a call is
created) when it arrives, and answered ``delay`` seconds later, as a slow Twilio would — a
process killed meanwhile never hears that its call was created.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from tests.twilio.cloud import TwilioCloud

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class CloudApp:
    def __init__(self, cloud: TwilioCloud, delay: float) -> None:
        self.cloud = cloud
        self.delay = delay
        self.lock = threading.Lock()
        self.arrived = threading.Event()  # set at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode()
        url = f"https://api.twilio.com{scope['path']}" + (f"?{query}" if query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        request = httpx.Request(scope["method"], url, headers=headers, content=body)
        with self.lock:
            response = self.cloud.handle(request)
        self.arrived.set()
        await asyncio.sleep(self.delay)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": response.content})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(cloud: TwilioCloud, *, delay: float = 0.0) -> Iterator[tuple[str, CloudApp]]:
    """Serve ``cloud`` on a free port; yields its base URL."""
    app = CloudApp(cloud, delay)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake Twilio did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)

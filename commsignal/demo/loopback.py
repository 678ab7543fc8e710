"""The scaffolding the loopback fake servers share: a JSON handler and a thread-served 127.0.0.1 port.

A fake subclasses `LoopbackServer`, names its handler class, and gets start/stop, the context
manager, the bound port and a request counter; the handler gets quiet logging and a JSON reply.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self


class JsonHandler(BaseHTTPRequestHandler):
    """Request handler base: no access log on stderr, and one way to answer with a JSON body."""

    content_type: ClassVar[str] = "application/json"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: the tests and the demo report their own progress, and requests are counted."""

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        """Send `body` as JSON with a Content-Length, so keep-alive clients know where it ends."""
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    """A threaded server with a listen backlog deeper than the stdlib's 5.

    A client opening more parallel connections than the backlog (the Graph connector opens 8) gets
    connection resets whenever the accept loop falls behind, as it does on a loaded machine; a real
    service does not behave like that, so neither should the fake.
    """

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hung up mid-reply (it timed out and will retry); report the rest."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LoopbackServer:
    """Serve `handler` on a free 127.0.0.1 port from a daemon thread; use as a context manager.

    Each request gets a subclass of `handler` whose `fake` attribute is this server, so handlers
    reach the fake's state without globals.
    """

    handler: ClassVar[type[BaseHTTPRequestHandler]]

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.root_url = ""  # http://127.0.0.1:<port> once started; kept after stop for messages
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> Self:
        """Bind a free loopback port and serve from a daemon thread, so a hung test cannot hang exit."""
        bound = type("Handler", (self.handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), bound)
        self.root_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        """The bound port; only while started, since a stopped fake has none."""
        assert self._server is not None, f"{type(self).__name__} is not started"
        return int(self._server.server_address[1])

    @property
    def total_requests(self) -> int:
        """All requests counted so far, faults included."""
        return sum(self.requests.values())

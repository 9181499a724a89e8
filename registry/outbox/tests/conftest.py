"""Fixtures of the outbox tests: the workflow personas and a local receiver that honours idempotency keys."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """An HTTP receiver that applies each Idempotency-Key once; it can be down or hold a request."""

    def __init__(self):
        self.applied: Counter[str] = Counter()
        self.requests = 0
        self.duplicates = 0
        self.down = False
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.bodies: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()

    def handle(self, headers, body: bytes) -> tuple[int, dict]:
        with self.lock:
            self.requests += 1
            if self.down:
                return 503, {"error": "down"}
            key = headers.get("Idempotency-Key", "")
            self.bodies.append((dict(headers), body))
            if self.applied[key]:
                self.duplicates += 1
                return 200, {"status": "duplicate"}
            self.applied[key] += 1
            hold, self.hold_next = self.hold_next, False
        if hold:  # applied, but the answer is held: the sender dies before it hears the acknowledgement
            self.holding.set()
            self.release.wait(60)
        return 200, {"status": "accepted"}


@pytest.fixture
def receiver():
    """Start a receiver on a free local port; yield (receiver, url)."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = state.handle(self.headers, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the sender is gone

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/messages"
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()

"""A local stand-in for the external signing service: HTTP on 127.0.0.1, a random port, one key."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from registry.seal.crypto import PrivateKey, sm2_sign


class SigningService:
    """Serve POST /sign with the RemoteSigner protocol; `mode` makes it misbehave on purpose."""

    def __init__(self, private_key: PrivateKey, token: str) -> None:
        self.private_key = private_key
        self.token = token
        self.mode = "ok"  # ok | wrong-signature | not-json | error | slow
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                service.requests.append(body)
                if self.headers.get("Authorization") != f"Bearer {service.token}":
                    self._answer(401, {"error": "bad token"})
                    return
                if service.mode == "error":
                    self._answer(503, {"error": "device busy"})
                    return
                if service.mode == "slow":
                    time.sleep(2)
                tbs = base64.b64decode(body["tbs"])
                if service.mode == "wrong-signature":
                    tbs += b"tampered"
                if service.mode == "not-json":
                    self._raw(200, b"<html>proxy page</html>")
                    return
                signature = sm2_sign(service.private_key, tbs)
                self._answer(200, {"signature": base64.b64encode(signature).decode()})

            def _answer(self, status: int, payload: dict) -> None:
                self._raw(status, json.dumps(payload).encode())

            def _raw(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the service's signing URL."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sign"

    def __enter__(self) -> SigningService:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()

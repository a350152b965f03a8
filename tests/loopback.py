"""Real servers on loopback for the delivery tests: SMTP (aiosmtpd) and HTTP (http.server)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from email import message_from_bytes
from email import policy
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd on 127.0.0.1:port; .messages holds what it received, parsed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    @property
    def messages(self):
        return self.inbox.messages

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        self.inbox.refuse[address] = reply

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Post:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HTTPServer:
    """An HTTP server recording every POST and answering from a script (default 200 {})."""

    port: int
    posts: list[Post] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)
    # Seconds to hold each answer back, once the request has been recorded (a slow receiver).
    delay: float = 0.0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HTTPServer:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.posts.append(Post(self.path, dict(self.headers), body))
                time.sleep(recorder.delay)
                status, answer = recorder.answers.pop(0) if recorder.answers else (200, {})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self._server = _QuietServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _QuietServer(ThreadingHTTPServer):
    """A receiver whose client went away (a scheduler killed mid-delivery, a reply that came
    after the test stopped) says nothing: the tests check what was received."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

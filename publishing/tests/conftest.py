"""Publishing test fixtures: a workspace (`ws`) and its admin, and a real HTTP receiver for webhook
tests (a threaded http.server on 127.0.0.1 and a free port)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def admin(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: tuple[tuple[str, str], ...] = ()


class Receiver:
    """Answers each POST with the next queued Answer (then `default`), and records every request."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: deque[Answer] = deque()
        self.default = Answer()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                    answer = receiver.answers.popleft() if receiver.answers else receiver.default
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format, *args):  # keep test output quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def queue(self, *answers: Answer | int) -> None:
        for answer in answers:
            self.answers.append(Answer(status=answer) if isinstance(answer, int) else answer)


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def local_webhooks(settings):
    """Allow deliveries to 127.0.0.1 (the receiver), as development settings do."""
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True

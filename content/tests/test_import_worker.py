"""The documented maximum, 5,000 rows, through the web command the project ships (the Dockerfile's CMD:
gunicorn with its default 30 s worker timeout) and a real Celery worker: upload, watch the progress,
commit, watch it again, and find every post. No request does work that grows with the file."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from accounts.roles import Role
from accounts.services import personal_token_create
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget
from tests.worker import BASE_DIR, celery_worker  # noqa: F401 - the fixture, bound in this module

ROWS = 5000
REQUEST_LIMIT = 10.0  # seconds any one request may take on a loaded machine, far below gunicorn's 30 s


def shipped_web_command() -> list[str]:
    """The Dockerfile's CMD (docker-compose.yml's web runs the same)."""
    [line] = [line for line in (BASE_DIR / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    command = json.loads(line[len("CMD ") :])
    assert command[0] == "gunicorn" and "--timeout" not in command  # gunicorn's default: 30 s
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict, log_path: Path):
    """The shipped command, bound to a free local port, on the test database and the worker's broker."""
    port = free_port()
    command = shipped_web_command()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/api/v1/workspaces/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text(errors="replace")
                assert time.monotonic() < deadline, "gunicorn did not start\n" + log_path.read_text(
                    errors="replace"
                )
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=5)


def five_thousand_rows() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["accounts", "text", "scheduled_at", "title"])
    for i in range(ROWS):
        accounts = "weibo:tea_cn;tea_global" if i % 2 else "tea_cn"
        when = f"2031-{1 + i % 12:02d}-{1 + i % 28:02d} {8 + i % 12:02d}:{i % 60:02d}"
        writer.writerow([accounts, f"春季新品 {i} 🍵 Spring tea, row {i}", when, f"Row {i}"])
    return buffer.getvalue().encode("utf-8")


class Client:
    """Requests to the running server, each timed."""

    def __init__(self, base: str, token: str, workspace_id: int):
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.url = f"/api/v1/workspaces/{workspace_id}/imports/"
        self.slowest = 0.0

    def send(self, method: str, path: str, **kwargs) -> httpx.Response:
        started = time.monotonic()
        response = self.http.request(method, self.url + path, **kwargs)
        self.slowest = max(self.slowest, time.monotonic() - started)
        assert response.status_code < 500, response.text[:2000]
        return response

    def watch(self, job_id: int, until: set[str], timeout: float = 300) -> tuple[dict, list[tuple[str, int]]]:
        """Poll the job until its status is in `until`; returns it and the progress seen on the way."""
        seen: list[tuple[str, int]] = []
        deadline = time.monotonic() + timeout
        while True:
            job = self.send("GET", f"{job_id}/").json()
            if job["progress"]["phase"]:
                seen.append((job["progress"]["phase"], job["progress"]["done"]))
            if job["status"] in until:
                return job, seen
            assert time.monotonic() < deadline, job
            time.sleep(0.2)


@pytest.mark.worker
def test_5000_rows_through_gunicorn_and_a_worker_import_with_progress(celery_worker, tmp_path):  # noqa: F811
    # given: a workspace with two accounts, an editor with a token, the shipped web server on its database
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    SocialAccountFactory(workspace=workspace, platform="weibo", handle="tea_cn")
    SocialAccountFactory(workspace=workspace, platform="x", handle="tea_global")
    editor = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    _token, secret = personal_token_create(actor=editor, name="import test")
    data = five_thousand_rows()
    with gunicorn(celery_worker.env, tmp_path / "gunicorn.log") as base:
        client = Client(base, secret, workspace.pk)
        # when: upload, wait for the check, commit, wait for the import
        started = time.monotonic()
        uploaded = client.send("POST", "", files={"file": ("posts.csv", data, "text/csv")})
        assert uploaded.status_code == 202, uploaded.text
        job, checking = client.watch(uploaded.json()["id"], {"ready", "invalid", "failed"})
        checked = time.monotonic()
        assert job["status"] == "ready", (job["status"], job["errors"][:5], job["message"])
        committed = client.send("POST", f"{job['id']}/commit/", json={})
        assert committed.status_code == 202, committed.text
        job, importing = client.watch(job["id"], {"committed", "invalid", "failed"})
        finished = time.monotonic()
    # then: every row, with progress on the way, and no request anywhere near gunicorn's timeout
    assert job["status"] == "committed", (job["status"], job["errors"][:5], job["message"])
    assert job["created"] == ROWS and len(job["posts"]) == ROWS
    assert job["total_rows"] == ROWS and job["encoding"] == "utf-8" and job["delimiter"] == ","
    assert Post.objects.filter(workspace=workspace).count() == ROWS
    assert PostTarget.objects.filter(workspace=workspace).count() == ROWS * 3 // 2
    assert [done for _phase, done in checking] == sorted(done for _phase, done in checking)
    writing = [done for phase, done in importing if phase == "committing"]
    assert writing == sorted(writing)
    assert any(0 < done < ROWS for done in writing), importing  # seen part-way, not only at the ends
    assert client.slowest < REQUEST_LIMIT, client.slowest
    print(
        f"\n5,000-row import through gunicorn + a Celery worker: checked in {checked - started:.1f} s, "
        f"imported in {finished - checked:.1f} s, {finished - started:.1f} s in all; "
        f"slowest request {client.slowest * 1000:.0f} ms; progress seen while writing: {sorted(set(writing))}"
    )

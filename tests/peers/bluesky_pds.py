"""pytest plugin: `bluesky_pds` runs Bluesky's own PDS (and a local PLC directory) once per session.

The Bluesky connector must work against the real server, not only against platform_sim. The packages
are pinned in tests/peers/bluesky/package-lock.json and installed by scripts/peers.sh (`npm ci`); the
server is started by tests/peers/bluesky/start.js on 127.0.0.1 with a fresh data directory (the in-memory
PLC forgets every DID on restart). Missing node or packages FAIL the tests that use the fixture: the
acceptance test must never be skipped silently.

The fixture creates an account (`alice.test`) and an app password for it, and yields `BlueskyPeer`.
Rate limits are on, as on bsky.social; tests that exhaust one use an account of their own
(`BlueskyPeer.create_account`). Registered in the root conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PEER_DIR = Path(__file__).resolve().parent / "bluesky"
READY_PREFIX = "KAWO_PEER_READY "
START_TIMEOUT = 60.0
INSTALL_HINT = "run `bash scripts/peers.sh` (it runs `npm ci` in tests/peers/bluesky)"


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    did: str
    password: str  # the account's main password (the connector must refuse it)
    app_password: str


def xrpc(pds_url: str, method: str, nsid: str, *, token: str = "", **kwargs) -> httpx.Response:
    headers = dict(kwargs.pop("headers", None) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, f"{pds_url}/xrpc/{nsid}", headers=headers, timeout=30, **kwargs)


def create_account(pds_url: str, name: str) -> BlueskyAccount:
    """A new account `<name>.test` with an app password, made the way Bluesky's app makes them."""
    handle = f"{name}.test"
    password = secrets.token_urlsafe(16)
    response = xrpc(
        pds_url,
        "POST",
        "com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{name}@example.test", "password": password},
    )
    if response.status_code != 200:
        raise RuntimeError(f"createAccount {handle} failed: {response.status_code} {response.text}")
    session = response.json()
    response = xrpc(
        pds_url,
        "POST",
        "com.atproto.server.createAppPassword",
        token=session["accessJwt"],
        json={"name": "kawo-oss"},
    )
    if response.status_code != 200:
        raise RuntimeError(f"createAppPassword {handle} failed: {response.status_code} {response.text}")
    return BlueskyAccount(
        handle=handle, did=session["did"], password=password, app_password=response.json()["password"]
    )


@dataclass(frozen=True)
class BlueskyPeer:
    pds_url: str
    plc_url: str
    account: BlueskyAccount  # alice.test

    def xrpc(self, method: str, nsid: str, *, token: str = "", **kwargs) -> httpx.Response:
        return xrpc(self.pds_url, method, nsid, token=token, **kwargs)

    def create_account(self, name: str) -> BlueskyAccount:
        return create_account(self.pds_url, name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            f"Bluesky peer: `node` is not on PATH; install Node.js 20+, then {INSTALL_HINT}", pytrace=False
        )
    for package in ("@atproto/pds", "@did-plc/server"):
        if not (PEER_DIR / "node_modules" / package / "package.json").is_file():
            pytest.fail(f"Bluesky peer: the npm package {package} is missing; {INSTALL_HINT}", pytrace=False)
    return node


def _read_lines(stream, lines: queue.Queue) -> None:
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode(errors="replace").rstrip("\n"))
    lines.put(None)


def start_peer(node: str, data_dir: Path) -> tuple[subprocess.Popen, dict]:
    """Start start.js; return the process and its ready line's JSON. Raises RuntimeError on failure."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PDS_PORT": str(_free_port()),
        "PDS_DATA_DIRECTORY": str(data_dir),
        "PDS_BLOBSTORE_DISK_LOCATION": str(data_dir / "blobs"),
        "PDS_JWT_SECRET": secrets.token_hex(32),
        "PDS_DPOP_SECRET": secrets.token_hex(32),
        "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX": secrets.token_hex(32),
        "PDS_ADMIN_PASSWORD": secrets.token_hex(16),
        "PDS_RATE_LIMITS_ENABLED": "true",
    }
    log = open(data_dir / "peer.log", "wb")  # noqa: SIM115 - closed in stop_peer / on failure
    proc = subprocess.Popen(
        [node, "start.js"],
        cwd=PEER_DIR,
        env=env,
        stdin=subprocess.PIPE,  # start.js exits when this closes, even if pytest is killed
        stdout=subprocess.PIPE,
        stderr=log,
    )
    proc._kawo_log = log  # type: ignore[attr-defined]
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        if line.startswith(READY_PREFIX):
            return proc, json.loads(line[len(READY_PREFIX) :])
    stop_peer(proc)
    log_text = (data_dir / "peer.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"the Bluesky peer did not start (exit code {proc.returncode}):\n{log_text}")


def stop_peer(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout, getattr(proc, "_kawo_log", None)):
        if stream is not None:
            stream.close()


@pytest.fixture(scope="session")
def bluesky_pds() -> Iterator[BlueskyPeer]:
    node = _check_installed()
    data_dir = Path(tempfile.mkdtemp(prefix="kawo-bluesky-pds-"))
    proc = None
    try:
        for attempt in range(3):  # the free port can be taken between choosing and binding it
            try:
                proc, ready = start_peer(node, data_dir / f"run{attempt}")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        account = create_account(ready["pds_url"], "alice")
        yield BlueskyPeer(pds_url=ready["pds_url"], plc_url=ready["plc_url"], account=account)
    finally:
        if proc is not None:
            stop_peer(proc)
        shutil.rmtree(data_dir, ignore_errors=True)

"""pytest plugin: `platform_sim` starts the simulator once per session as a subprocess on a free port.

The session fixture `platform_sim_server` starts it, waits until /_sim/health answers, points every
settings.PLATFORMS[key] base_url/auth_url at it (and PLATFORM_SIM_URL), and always kills the process.
The function fixture `platform_sim` yields the SimClient and resets the simulator's state before each test.
Registered in the root conftest.py (`pytest_plugins = ["platform_sim.testing"]`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .client import SimClient

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sim(port: int | None = None, timeout: float = 20.0) -> tuple[subprocess.Popen, str]:
    """Start `python -m platform_sim` and wait until it answers. Returns (process, base URL)."""
    port = port or _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "platform_sim",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--parent-pid",
            str(os.getpid()),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"platform_sim exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"{url}/_sim/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    stop_sim(proc)
    raise RuntimeError("platform_sim did not become ready in time")


def stop_sim(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc.stderr:
        proc.stderr.close()


def _point_settings_at(url: str) -> dict:
    """Point settings.PLATFORMS at the simulator; return what to restore."""
    from django.conf import settings

    saved = {"PLATFORMS": settings.PLATFORMS, "PLATFORM_SIM_URL": settings.PLATFORM_SIM_URL}
    platforms = {}
    for key, conf in settings.PLATFORMS.items():
        platforms[key] = {**conf, "base_url": f"{url}/{key}", "auth_url": f"{url}/{key}"}
    settings.PLATFORMS = platforms
    settings.PLATFORM_SIM_URL = url
    return saved


@pytest.fixture(scope="session")
def platform_sim_server():
    proc, url = start_sim()
    saved = None
    try:
        saved = _point_settings_at(url)
        client = SimClient(url)
        yield client
        client.close()
    finally:
        stop_sim(proc)
        if saved is not None:
            from django.conf import settings

            for name, value in saved.items():
                setattr(settings, name, value)


@pytest.fixture
def platform_sim(platform_sim_server):
    """The running simulator's SimClient, with an empty world (accounts, faults, counters) for this test."""
    platform_sim_server.reset()
    yield platform_sim_server

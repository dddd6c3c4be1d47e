"""Run the simulator: one process, one asyncio loop, bound to 127.0.0.1 (never a public interface)."""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import threading
import time

import uvicorn

from .app import build_app

ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1")


def _raise_open_file_limit() -> None:
    """Thousands of held connections need thousands of descriptors: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _exit_with_parent(parent_pid: int) -> None:
    """Test runs start the simulator as a child; if the runner dies hard (SIGKILL), go with it."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="platform-sim-parent-watch", daemon=True).start()


def serve(host: str = "127.0.0.1", port: int = 8100, log_level: str = "warning", parent_pid: int = 0) -> None:
    # Loopback only, except inside a container network (docker-compose sets PLATFORM_SIM_CONTAINER=1).
    if host not in ALLOWED_HOSTS and os.environ.get("PLATFORM_SIM_CONTAINER") != "1":
        raise SystemExit(f"platform_sim binds to loopback only, not {host!r}")
    _raise_open_file_limit()
    if parent_pid:
        _exit_with_parent(parent_pid)
    config = uvicorn.Config(
        build_app(),
        host=host,
        port=port,
        log_level=log_level,
        loop="asyncio",
        http="h11",
        lifespan="off",
        backlog=4096,  # the publish benchmark opens thousands of slow requests at once
        timeout_keep_alive=30,
        access_log=False,
    )
    uvicorn.Server(config).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platform_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this parent process is gone")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.log_level, args.parent_pid)

"""Run the simulator: one process, one asyncio loop, bound to 127.0.0.1 (never a public interface)."""

from __future__ import annotations

import argparse
import contextlib
import resource

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


def serve(host: str = "127.0.0.1", port: int = 8100, log_level: str = "warning") -> None:
    if host not in ALLOWED_HOSTS:
        raise SystemExit(f"platform_sim binds to loopback only, not {host!r}")
    _raise_open_file_limit()
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
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.log_level)

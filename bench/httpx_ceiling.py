"""The ceiling for the publishing benchmark: how fast a bare httpx loop can publish on the simulator.

Sends N publish requests (the same call a connector makes) to platform_sim at a fixed concurrency, with
no database, no Celery and no Redis, and prints the throughput. The publishing benchmark runs the real
pipeline against the same simulator at the same latency and reports its throughput as a ratio of this.

    .venv/bin/python bench/httpx_ceiling.py --requests 2000 --concurrency 50 --latency-ms 100
    .venv/bin/python bench/httpx_ceiling.py --sim-url http://127.0.0.1:8100 --mode threads --json

Without --sim-url it starts its own simulator (`python -m platform_sim` on a free loopback port) and
stops it afterwards; with --sim-url it uses that one and does NOT reset it (others may be using it): it
creates its own accounts and counts only their posts, and scopes the latency fault to those accounts
(removed at the end).

Also importable: `run_ceiling(base_url=..., requests=..., concurrency=..., latency_ms=...)` returns the
figures as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from platform_sim.client import SimAccount, SimClient  # noqa: E402

# platform -> (path under the platform's mount, body for request n); one publish call each, the same
# call the platform's connector makes for a text post.
PUBLISH_CALLS = {
    "mastodon": ("/api/v1/statuses", lambda text: {"status": text}),
    "x": ("/2/tweets", lambda text: {"text": text}),
}


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at `fraction` (0..1) of already sorted values (0.0 for none)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _request_specs(
    accounts: list[SimAccount], platform: str, requests: int, run_id: str
) -> list[tuple[SimAccount, str, dict[str, Any], dict[str, str]]]:
    path, body = PUBLISH_CALLS[platform]
    specs = []
    for n in range(requests):
        account = accounts[n % len(accounts)]
        text = f"ceiling {run_id} #{n}"
        headers = {"Authorization": f"Bearer {account.access_token}", "Idempotency-Key": f"{run_id}-{n}"}
        specs.append((account, path, body(text), headers))
    return specs


def _run_threads(base: str, specs, concurrency: int, timeout: float):
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, timeout=timeout, limits=limits) as client:

        def one(spec):
            _account, path, body, headers = spec
            started = time.perf_counter()
            try:
                status = str(client.post(path, json=body, headers=headers).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, specs))
        return time.perf_counter() - started, latencies, statuses


async def _run_asyncio(base: str, specs, concurrency: int, timeout: float):
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    queue: asyncio.Queue = asyncio.Queue()
    for spec in specs:
        queue.put_nowait(spec)

    async def worker():
        # One client (one connection) per worker: httpcore's async pool rescans every connection on
        # each request, which costs more CPU than the requests themselves at 50+ connections.
        async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
            while True:
                try:
                    _account, path, body, headers = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                try:
                    status = str((await client.post(path, json=body, headers=headers)).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, statuses


def run_ceiling(
    *,
    base_url: str,
    requests: int = 2000,
    concurrency: int = 50,
    latency_ms: int = 100,
    platform: str = "mastodon",
    accounts: int = 100,
    mode: str = "threads",
    timeout: float = 30.0,
    shared_sim: bool = True,
) -> dict[str, Any]:
    """Publish `requests` posts over `accounts` simulator accounts; return the figures.

    `shared_sim`: others may use this simulator, so the latency fault is one rule per own account
    (the simulator scans its rules on every request); False: one rule for the whole platform.
    """
    if platform not in PUBLISH_CALLS:
        raise ValueError(f"platform must be one of {sorted(PUBLISH_CALLS)}")
    sim = SimClient(base_url)
    run_id = uuid.uuid4().hex[:8]
    made = [
        sim.create_account(platform, handle=f"ceiling_{run_id}_{n}", external_id=f"ceiling-{run_id}-{n}")
        for n in range(max(1, accounts))
    ]
    fault_ids = []
    if latency_ms > 0 and not shared_sim:
        rule = sim.add_fault("latency", platform=platform, operation="publish", ms=latency_ms)
        fault_ids.append(rule.get("id"))
    elif latency_ms > 0:
        for account in made:
            rule = sim.add_fault(
                "latency", platform=platform, account=account.external_id, operation="publish", ms=latency_ms
            )
            fault_ids.append(rule.get("id"))
    specs = _request_specs(made, platform, requests, run_id)
    base = sim.url(platform)
    try:
        if mode == "threads":
            wall, latencies, statuses = _run_threads(base, specs, concurrency, timeout)
        elif mode == "asyncio":
            wall, latencies, statuses = asyncio.run(_run_asyncio(base, specs, concurrency, timeout))
        else:
            raise ValueError("mode must be 'asyncio' or 'threads'")
        created = sum(sim.posts_created(platform, account.external_id) for account in made)
    finally:
        for fault_id in fault_ids:
            if fault_id is not None:
                sim._http.delete(f"/faults/{fault_id}")
        sim.close()
    latencies.sort()
    ok = sum(count for status, count in statuses.items() if status.startswith("2"))
    return {
        "platform": platform,
        "mode": mode,
        "requests": requests,
        "concurrency": concurrency,
        "accounts": len(made),
        "latency_ms": latency_ms,
        "wall_seconds": round(wall, 3),
        "throughput_per_second": round(requests / wall, 1) if wall else 0.0,
        "ideal_per_second": round(concurrency * 1000 / latency_ms, 1) if latency_ms else None,
        "latency_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "latency_mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        "ok": ok,
        "statuses": dict(statuses),
        "posts_created": created,
    }


def _print(figures: dict[str, Any]) -> None:
    print(
        f"httpx ceiling: {figures['requests']} {figures['platform']} publishes, concurrency "
        f"{figures['concurrency']} ({figures['mode']}), {figures['accounts']} accounts, simulator latency "
        f"{figures['latency_ms']} ms"
    )
    print(f"  wall time        {figures['wall_seconds']:.2f} s")
    ideal = figures["ideal_per_second"]
    ideal_text = f" (ideal {ideal:.0f}/s = concurrency / latency)" if ideal else ""
    print(f"  throughput       {figures['throughput_per_second']:.1f} requests/s{ideal_text}")
    print(f"  latency p50/p99  {figures['latency_p50_ms']:.1f} / {figures['latency_p99_ms']:.1f} ms")
    print(f"  answers          {figures['statuses']}")
    print(f"  posts created    {figures['posts_created']} (simulator's count)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--platform", choices=sorted(PUBLISH_CALLS), default="mastodon")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--mode", choices=["threads", "asyncio"], default="threads")
    parser.add_argument("--sim-url", default="", help="a running simulator (default: start one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    proc = None
    base_url = args.sim_url
    if not base_url:
        from platform_sim.testing import start_sim

        proc, base_url = start_sim()
    try:
        figures = run_ceiling(
            base_url=base_url,
            requests=args.requests,
            concurrency=args.concurrency,
            latency_ms=args.latency_ms,
            platform=args.platform,
            accounts=args.accounts,
            mode=args.mode,
            shared_sim=proc is None,
        )
    finally:
        if proc is not None:
            from platform_sim.testing import stop_sim

            stop_sim(proc)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return 0 if figures["ok"] == args.requests and figures["posts_created"] == args.requests else 1


if __name__ == "__main__":
    raise SystemExit(main())

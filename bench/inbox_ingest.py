"""The inbox's push path under load (issue 16, acceptance 4): signed Meta webhooks over HTTP, real workers.

Creates (and migrates) its own PostgreSQL database, makes a workspace with `--accounts` Facebook Pages,
starts a real app server (gunicorn, `--web-workers` processes x `--web-threads` threads, serving
`kawo.wsgi`) and `--workers` real Celery workers (`--pool`, `--concurrency` each) on one broker key
prefix, then a load generator POSTs Meta webhook deliveries to `hooks/inbox/meta/` at `--rate` items
a minute (open loop: each delivery is sent at its planned instant, whatever the answers to earlier ones),
each delivery one page-feed comment (or `--per-delivery` comments, as Meta batches them), signed with
`X-Hub-Signature-256` exactly as Meta signs them. The platform event's time is the instant the
generator sends it. An observer in this process polls the queue selector
(`inbox.selectors.inbox_items(workspace)`) every `--poll-ms` and notes when each item first appears.

Prints: items sent and seen, HTTP answers, the offered and the achieved rate (items seen per minute
between the first send and the last item seen), the end-to-end lag (event time -> visible in the
queue) p50/p99/max, the webhook answer time p50/p99, SQL queries per delivery (one delivery processed
in this process, counted), and the load average before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_bench_inbox REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/inbox_ingest.py --items 10000 --rate 10000

The database named in DATABASE_URL is created if missing and migrated; never point this at a database
other people use. Each run makes a workspace of its own; broker keys carry a prefix of their own and are
removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_bench_inbox")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")
os.environ.setdefault("PYTEST_XDIST_WORKER", "inboxbench")

from bench.httpx_ceiling import percentile  # noqa: E402 (after the path and environment above)

BENCH_SLUG_PREFIX = "bench-inbox-"
TEXTS = [
    "Love this, where can I buy it?",
    "Is this in stock in Shanghai?",
    "Not happy with the delivery time, still waiting",
    "这个颜色还有货吗？",
    "Great post! Can you ship to Hong Kong?",
    "客服什么时候回复？",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_workspace(accounts: int):
    from accounts.tests.factories import WorkspaceFactory
    from channels_app.tests.factories import SocialAccountFactory

    run_id = uuid.uuid4().hex[:8]
    workspace = WorkspaceFactory(
        slug=f"{BENCH_SLUG_PREFIX}{run_id}",
        name=f"Bench inbox {run_id}",
        organization__slug=f"{BENCH_SLUG_PREFIX}{run_id}",
        organization__name=f"Bench inbox {run_id}",
    )
    pages = [
        SocialAccountFactory(
            workspace=workspace,
            platform="facebook",
            external_id=f"bench-{run_id}-page-{n}",
            credentials=False,
        )
        for n in range(accounts)
    ]
    return run_id, workspace, pages


def comment_change(*, page_post: str, comment_id: str, fan: int, text: str, at: float) -> dict:
    """One page-feed comment as Meta's webhook carries it (field "feed", item "comment", verb "add")."""
    return {
        "field": "feed",
        "value": {
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": page_post,
            "parent_id": page_post,
            "message": text,
            "from": {"id": f"fan-{fan}", "name": f"Fan {fan}"},
            "created_time": int(at),
        },
    }


def delivery_body(*, page_id: str, changes: list[dict], at: float) -> bytes:
    return json.dumps(
        {"object": "page", "entry": [{"id": page_id, "time": int(at * 1000), "changes": changes}]}
    ).encode()


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@contextlib.contextmanager
def app_server(args, env: dict[str, str], scratch: Path):
    """gunicorn serving kawo.wsgi on a free loopback port; waits until it answers; always stopped."""
    import httpx

    port = free_port()
    log_path = scratch / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "kawo.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.web_workers}",
        f"--threads={args.web_threads}",
        "--worker-class=gthread",
        "--backlog=2048",
        "--log-level=warning",
        "--keep-alive=75",  # longer than the client keeps an idle connection: no close racing a send
        "--timeout=120",
    ]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
            try:
                httpx.get(f"{url}/hooks/inbox/meta/", timeout=2)  # 403 without the verify token: it answers
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer: {log_path.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def cluster(args, scratch: Path):
    """The app server and `--workers` Celery workers, all on one broker key prefix."""
    from tests.worker import _delete_broker_keys, run_celery_worker, worker_environment

    broker_url = os.environ["REDIS_URL"]
    prefix = f"kawo-inboxbench-{uuid.uuid4().hex[:8]}:"
    env = {"LOG_LEVEL": "WARNING", "PYTEST_XDIST_WORKER": "inboxbench"}
    try:
        with contextlib.ExitStack() as stack:
            workers = [
                stack.enter_context(
                    run_celery_worker(
                        broker_url=broker_url,
                        key_prefix=prefix,
                        log_dir=scratch / f"worker{n}",
                        mail_dir=scratch / "mail",
                        pool=args.pool,
                        concurrency=args.concurrency,
                        publish=False,
                        cleanup_broker=False,
                        extra_env=env,
                    )
                )
                for n in range(args.workers)
            ]
            web_env = worker_environment(
                broker_url=broker_url, key_prefix=prefix, mail_dir=scratch / "mail", extra=env
            )
            url = stack.enter_context(app_server(args, web_env, scratch))
            yield url, workers
    finally:
        _delete_broker_keys(broker_url, prefix)


class Observer(threading.Thread):
    """Polls the queue selector and notes when each item (by the platform's id) is first visible.

    Ids are handed out before commit, so a row with a lower id can become visible after a higher one:
    the ids skipped below the highest seen are read again until they appear (or for `GAP_SECONDS`: an
    id a rolled-back insert used never appears)."""

    GAP_SECONDS = 60.0

    def __init__(self, workspace, poll_seconds: float):
        super().__init__(daemon=True)
        self.workspace = workspace
        self.poll_seconds = poll_seconds
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.last_pk = 0
        self.gaps: dict[int, float] = {}  # id skipped -> when first skipped

    def poll(self) -> None:
        from inbox.selectors import inbox_items

        now = time.time()
        self.gaps = {pk: at for pk, at in self.gaps.items() if now - at < self.GAP_SECONDS}
        floor = min(self.gaps, default=self.last_pk + 1)
        rows = list(
            inbox_items(self.workspace).filter(pk__gte=floor).order_by("pk").values_list("pk", "external_id")
        )
        now = time.time()
        for pk, external_id in rows:
            self.gaps.pop(pk, None)
            if external_id in self.seen:
                continue
            self.seen[external_id] = now
            if pk > self.last_pk:
                for skipped in range(self.last_pk + 1, pk):
                    self.gaps.setdefault(skipped, now)
                self.last_pk = pk

    def run(self) -> None:
        from django.db import connection
        from django.db.models import Max

        from inbox.models import InboxItem

        try:
            self.last_pk = InboxItem.objects.aggregate(top=Max("pk"))["top"] or 0
            while not self.stop.is_set():
                self.poll()
                self.stop.wait(self.poll_seconds)
        finally:
            connection.close()


async def generate(args, url: str, pages, secret: str, run_id: str) -> dict:
    """Open loop: delivery n leaves at start + n * interval; returns send times and answers."""
    import httpx

    deliveries = -(-args.items // args.per_delivery)
    interval = 60.0 * args.per_delivery / args.rate
    sent: dict[str, float] = {}  # items of accepted deliveries -> the event's time
    refused: list[str] = []
    statuses: Counter = Counter()
    answer_ms: list[float] = []
    late: list[float] = []
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    semaphore = asyncio.Semaphore(args.connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        start = time.monotonic() + 0.5

        async def one(n: int) -> None:
            page = pages[n % len(pages)]
            wait = start + n * interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with semaphore:
                late.append(max(0.0, time.monotonic() - (start + n * interval)))
                at = time.time()
                changes, ids = [], []
                for k in range(args.per_delivery):
                    index = n * args.per_delivery + k
                    if index >= args.items:
                        break
                    comment_id = f"{run_id}_{index}"
                    changes.append(
                        comment_change(
                            page_post=f"{page.external_id}_post{index % 50}",
                            comment_id=comment_id,
                            fan=index % 997,
                            text=TEXTS[index % len(TEXTS)],
                            at=at,
                        )
                    )
                    ids.append(comment_id)
                body = delivery_body(page_id=page.external_id, changes=changes, at=at)
                began = time.perf_counter()
                try:
                    answer = await client.post(
                        "/hooks/inbox/meta/",
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "X-Hub-Signature-256": sign(body, secret),
                        },
                    )
                    statuses[answer.status_code] += 1
                    if answer.status_code == 200:  # accepted: it must reach the queue
                        sent.update(dict.fromkeys(ids, at))
                    else:
                        refused.extend(ids)
                except httpx.HTTPError as error:  # Meta would send it again; counted, not expected
                    statuses[type(error).__name__] += 1
                    refused.extend(ids)
                answer_ms.append((time.perf_counter() - began) * 1000)

        first_send = time.time() + 0.5
        await asyncio.gather(*(one(n) for n in range(deliveries)))
        last_answer = time.time()
    return {
        "sent": sent,
        "refused": len(refused),
        "statuses": dict(statuses),
        "answer_ms": sorted(answer_ms),
        "send_late_s": sorted(late),
        "first_send": first_send,
        "last_answer": last_answer,
        "deliveries": deliveries,
    }


def queries_per_delivery(workspace, page, secret: str, per_delivery: int) -> dict:
    """One delivery stored and processed in this process (tasks eager), its SQL queries counted."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inbox.models import InboundDelivery
    from inbox.services import deliveries

    at = time.time()
    tag = uuid.uuid4().hex[:8]
    changes = [
        comment_change(
            page_post=f"{page.external_id}_q",
            comment_id=f"q{tag}_{k}",
            fan=5000 + k,
            text=TEXTS[k % 6],
            at=at,
        )
        for k in range(per_delivery)
    ]
    body = delivery_body(page_id=page.external_id, changes=changes, at=at)
    with CaptureQueriesContext(connection) as stored, mock.patch.object(deliveries, "_enqueue"):
        delivery = deliveries.inbound_delivery_store(source=InboundDelivery.Source.META, body=body)
    with CaptureQueriesContext(connection) as processed:
        deliveries.inbound_delivery_process(delivery.pk)
    return {"store": len(stored.captured_queries), "process": len(processed.captured_queries)}


def run(args) -> dict:
    import django

    if urlparse(os.environ["DATABASE_URL"]).scheme not in ("postgres", "postgresql"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("ensure_database")
    log("migrating the benchmark database")
    call_command("migrate", verbosity=0, interactive=False)
    secret = settings.PLATFORMS["facebook"]["client_secret"]
    run_id, workspace, pages = make_workspace(args.accounts)
    queries = queries_per_delivery(workspace, pages[0], secret, args.per_delivery)
    log(f"SQL queries per delivery of {args.per_delivery} item(s): {queries}")
    scratch = Path(tempfile.mkdtemp(prefix="kawo-inboxbench-"))
    load_before = os.getloadavg()
    log(
        f"starting gunicorn ({args.web_workers} x {args.web_threads} threads) and {args.workers} Celery "
        f"worker(s) ({args.pool} x {args.concurrency}); logs in {scratch}"
    )
    with cluster(args, scratch) as (url, workers):
        observer = Observer(workspace, args.poll_ms / 1000)
        observer.start()
        log(f"sending {args.items} items at {args.rate}/min to {url}")
        generated = asyncio.run(generate(args, url, pages, secret, run_id))
        log(f"sent; answers {generated['statuses']}; waiting for the queue")
        deadline = time.monotonic() + args.timeout
        last_report = 0.0
        while len(observer.seen) < len(generated["sent"]) and time.monotonic() < deadline:
            if time.monotonic() - last_report > 10:
                log(f"visible {len(observer.seen)}/{len(generated['sent'])} (load {os.getloadavg()[0]:.1f})")
                last_report = time.monotonic()
            if any(not w.is_alive() for w in workers):
                log("a worker died")
                break
            time.sleep(0.2)
        observer.stop.set()
        observer.join()
    load_after = os.getloadavg()
    sent, seen = generated["sent"], observer.seen
    lags = sorted(seen[key] - at for key, at in sent.items() if key in seen)
    last_seen = max((seen[key] for key in sent if key in seen), default=generated["first_send"])
    span = max(1e-9, last_seen - generated["first_send"])
    send_span = max(1e-9, generated["last_answer"] - generated["first_send"])
    return {
        "items": args.items,
        "per_delivery": args.per_delivery,
        "deliveries": generated["deliveries"],
        "offered_per_minute": args.rate,
        "sent_per_minute": round((len(sent) + generated["refused"]) / send_span * 60),
        "achieved_per_minute": round(len(lags) / span * 60),
        "seen": len(lags),
        "refused": generated["refused"],
        "lost": len(sent) - len(lags),
        "http": generated["statuses"],
        "lag_p50_s": round(percentile(lags, 0.50), 3),
        "lag_p99_s": round(percentile(lags, 0.99), 3),
        "lag_max_s": round(lags[-1], 3) if lags else None,
        "answer_p50_ms": round(percentile(generated["answer_ms"], 0.50), 1),
        "answer_p99_ms": round(percentile(generated["answer_ms"], 0.99), 1),
        "send_late_p99_s": round(percentile(generated["send_late_s"], 0.99), 3),
        "queries_per_delivery": queries,
        "web": f"gunicorn {args.web_workers} x {args.web_threads} threads",
        "workers": f"{args.workers} x {args.pool} {args.concurrency}",
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def print_report(r: dict) -> None:
    print(
        f"inbox ingest: {r['items']} Meta comments in {r['deliveries']} signed webhook deliveries "
        f"({r['per_delivery']} per delivery), offered {r['offered_per_minute']}/min"
    )
    print(
        f"  servers          {r['web']}; Celery {r['workers']}; {r['cpus']} CPUs; load average "
        f"before {r['load_average_before'][0]:.2f}, after {r['load_average_after'][0]:.2f}"
    )
    print(f"  webhook answers  {r['http']}; p50/p99 {r['answer_p50_ms']} / {r['answer_p99_ms']} ms")
    print(
        f"  sent             {r['sent_per_minute']}/min (sender behind schedule p99 {r['send_late_p99_s']} s)"
    )
    print(
        f"  visible in queue {r['seen']} of the accepted (lost {r['lost']}; not accepted {r['refused']}); "
        f"achieved {r['achieved_per_minute']}/min"
    )
    print(f"  lag event->queue p50 {r['lag_p50_s']} s  p99 {r['lag_p99_s']} s  max {r['lag_max_s']} s")
    print(
        f"  SQL per delivery store {r['queries_per_delivery']['store']}, process "
        f"{r['queries_per_delivery']['process']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=10_000, help="items per minute offered")
    parser.add_argument("--per-delivery", type=int, default=1, help="comments per webhook delivery")
    parser.add_argument(
        "--accounts", type=int, default=20, help="Facebook Pages the comments are spread over"
    )
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=4, help="threads per Celery worker")
    parser.add_argument("--connections", type=int, default=32, help="concurrent HTTP connections")
    parser.add_argument("--poll-ms", type=float, default=100, help="how often the observer reads the queue")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds to wait for the queue to catch up"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    ok = report["lost"] == 0 and set(report["http"]) == {200}
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

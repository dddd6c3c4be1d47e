"""The publishing benchmark (issues 6 and 18): N posts due at one instant (or at a steady rate),
published by real Celery workers.

Creates (and migrates) its own PostgreSQL database, starts its own platform simulator
(`python -m platform_sim` on a free loopback port) with a latency fault on X's publish calls, makes
`--accounts` X accounts on the simulator and as connected SocialAccounts of one workspace (their real
simulated tokens stored through the vault), starts `--workers` Celery workers (thread pool: `--concurrency`
publish tasks at once, each of up to `--task-batch` targets, sent on `--send-threads` sender threads per
worker) and one beat, then schedules `--posts` posts (one target each, spread evenly over the accounts),
all due at the same instant, or with `--rate`, that many due every second: status scheduled, in a
workspace without an approval workflow (the approval gate answers "not_required"). It waits until every
target is published or failed and prints:

- drain time (first due time -> last target published), lateness p50/p99 (published_at - the post's own
  due time), throughput;
- duplicates and losses counted by the simulator (posts stored per account vs targets per account);
- CPU milliseconds per published post of the workers, of PostgreSQL (every PostgreSQL process on the
  machine, and the backends that ended: run it on a quiet machine), of the beat and of the simulator,
  from /proc;
- with `--profile FILE`, where one worker's CPU went (py-spy, only samples holding the GIL);
- for a burst, in the same run, the ceiling: a bare httpx loop (bench/httpx_ceiling.run_ceiling) sending
  the same number of X publish calls to the same simulator at the same latency and the same concurrency
  (workers x sender threads), with no database, Celery or Redis; and the ratio pipeline / ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_pubbench REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/publish_burst.py --posts 10000 --accounts 100 --latency-ms 100
    ... --posts 15000 --rate 50        (the steady load: 50 posts due per second for 5 minutes)

Why threads, and why four processes of 16 sender threads rather than two of 32 (the same concurrency):
a publish spends most of its wall time waiting (the database, and the platform's latency), and each
sender thread keeps its own connector (one httpx client and its connection pool); but every thread
needs the GIL to parse an answer, and 32 threads in one process spent more CPU waiting for it than on
the work (2 x 32: 196.7 posts/s, workers 5.6 ms CPU per publish; 4 x 16: 305.7 posts/s, 3.8 ms;
bench/README.md).

The database named in DATABASE_URL is created if missing and migrated; never point this at a database
other people use: at the start any target left unfinished in it (an interrupted run) is cancelled.
Broker keys carry a prefix of their own and are removed at the end; the publish rate-limit keys
(`kawo:rl:`) in the REDIS_URL database are cleared at the start.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_pubbench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")
# The test settings key the cache by xdist worker; give the benchmark (and its workers) a prefix of its own.
os.environ.setdefault("PYTEST_XDIST_WORKER", "pubbench")

from bench.httpx_ceiling import percentile  # noqa: E402 (after the path and environment above)

BENCH_SLUG_PREFIX = "bench-publish-"
PLATFORM = "x"  # X does not deduplicate: a second publish of one target would be a second post


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def clean_previous_runs() -> None:
    """Nothing an interrupted run left behind may be dispatched now (earlier runs' rows stay, finished)."""
    import redis
    from django.conf import settings
    from django.db import connection

    from content.models import TargetStatus as S

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE content_posttarget SET status = %s WHERE status NOT IN (%s, %s, %s)",
            [S.CANCELLED, S.PUBLISHED, S.FAILED, S.CANCELLED],
        )
    from publishing.ratelimit import KEY_PREFIX

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}*", count=500))
    if keys:
        client.delete(*keys)


def make_accounts(sim, workspace, count: int):
    """`count` X accounts on the simulator, each a connected SocialAccount with its tokens in the vault
    (the publishing tests' own `sim_account`)."""
    from publishing.tests.pipeline_kit import sim_account

    return [sim_account(sim, workspace, PLATFORM)[0] for _ in range(count)]


def schedule_posts(workspace, accounts, posts: int, due, *, rate: float = 0.0) -> list[int]:
    """`posts` scheduled posts, one target each, round-robin over the accounts, all due at `due`, or
    with `rate`, `rate` of them due every second from `due` on (the steady-load run)."""
    from django.db import transaction

    from content.models import Post, PostTarget
    from content.models import TargetStatus as S

    with transaction.atomic():  # the dispatcher sees all of them at once
        made = Post.objects.bulk_create(
            [
                Post(
                    workspace=workspace,
                    title=f"Burst {n}",
                    scheduled_at=due + timedelta(seconds=n / rate) if rate else due,
                    status=S.SCHEDULED,
                )
                for n in range(posts)
            ],
            batch_size=2000,
        )
        targets = PostTarget.objects.bulk_create(
            [
                PostTarget(
                    workspace=workspace,
                    post=post,
                    account=accounts[n % len(accounts)],
                    text=f"Burst {workspace.pk}-{n} https://kawo.example/{post.pk}",
                    status=S.SCHEDULED,
                )
                for n, post in enumerate(made)
            ],
            batch_size=2000,
        )
    return [t.pk for t in targets]


def analyze() -> None:
    """Fresh planner statistics after the bulk insert (autovacuum's job in a live database): with stale
    ones PostgreSQL plans the pipeline's reads of a few rows as full scans."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def status_counts(workspace) -> dict[str, int]:
    from django.db.models import Count

    from content.models import PostTarget

    rows = PostTarget.objects.filter(workspace=workspace).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def pipeline_env(args, sim_url: str) -> dict[str, str]:
    env = {
        "PLATFORM_SIM_URL": sim_url,
        "LOG_LEVEL": "WARNING",
        "PYTEST_XDIST_WORKER": "pubbench",
        "KAWO_PUBLISH_SEND_THREADS": str(args.send_threads),
        "KAWO_PUBLISH_TASK_BATCH": str(args.task_batch),
        "KAWO_PUBLISH_MAX_IN_FLIGHT": str(args.max_in_flight),
    }
    if args.dispatch_seconds:
        env["KAWO_PUBLISH_DISPATCH_SECONDS"] = str(args.dispatch_seconds)
    if args.lease_seconds:
        env["KAWO_PUBLISH_LEASE_SECONDS"] = str(args.lease_seconds)
    return env


def _ticks(pid: int, *, children: bool = False) -> int:
    """CPU clock ticks a process used (user + system; with `children`, plus its reaped children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    used = int(fields[11]) + int(fields[12])
    return used + (int(fields[13]) + int(fields[14]) if children else 0)


def postgres_ticks() -> int:
    """Every PostgreSQL process's CPU ticks, plus what the postmaster reaped (backends that ended)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            status = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if comm.startswith("postgres"):
            total += _ticks(int(entry.name), children=status[1] == "1")  # ppid 1: the postmaster
    return total


def cpu_snapshot(workers, beat, sim_pid: int) -> dict[str, int]:
    return {
        "workers": sum(_ticks(w.process.pid, children=True) for w in workers),
        "beat": _ticks(beat.process.pid, children=True),
        "simulator": _ticks(sim_pid, children=True),
        "postgres": postgres_ticks(),
    }


# Where a worker's CPU samples fall (py-spy's collapsed stacks): the first part whose needle is in a
# frame of the sample's stack names it. The needles match the one-target pipeline before batches too
# (publish_attempt, _prepare, publish_gate, _record), so a profile of an older checkout compares.
PROFILE_PARTS = (
    ("platform call (connector, httpx)", ("channels_app/connectors/",)),
    ("record the answers", ("_record",)),
    ("approval gate", ("publish_gate",)),
    ("payload and compliance", ("_checked_payload", "target_payload", "_blocking_findings")),
    ("prepare, the rest (locks, moves, attempt rows)", ("_prepare",)),
    ("claim (scheduled -> queued)", ("claim_due",)),
    ("dispatch, the rest (release, sweep, settle)", ("dispatch (publishing",)),
    ("Celery and kombu", ("celery/", "kombu/")),
)


def start_profile(pid: int, path: Path):
    """py-spy sampling one worker process into collapsed stacks: only the thread holding the GIL, so a
    sample is Python running on a CPU, not a thread waiting for the platform."""
    import shutil
    import subprocess

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [
            spy,
            "record",
            "--gil",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def profile_summary(path: Path) -> dict[str, float]:
    """Share of the worker's CPU samples per part of the publish (PROFILE_PARTS), in percent."""
    counts: Counter = Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        part = "other"
        for label, needles in PROFILE_PARTS:
            if any(needle in frame for frame in frames for needle in needles):
                part = label
                break
        counts[part] += int(n)
    total = sum(counts.values()) or 1
    return {part: round(100 * n / total, 1) for part, n in counts.most_common()}


def cpu_per_publish(before: dict, after: dict, published: int) -> dict[str, float]:
    """CPU milliseconds per published post, by part (from /proc clock ticks)."""
    hz = os.sysconf("SC_CLK_TCK")
    return {part: round((after[part] - before[part]) * 1000 / hz / max(published, 1), 2) for part in before}


@contextlib.contextmanager
def cluster(args, env: dict[str, str], scratch: Path):
    """`--workers` thread-pool workers and one beat on one broker key prefix; always stopped."""
    from tests.worker import _delete_broker_keys, run_celery_beat, run_celery_worker

    broker_url = os.environ["REDIS_URL"]
    prefix = f"kawo-pubbench-{uuid.uuid4().hex[:8]}:"
    try:
        with contextlib.ExitStack() as stack:
            workers = [
                stack.enter_context(
                    run_celery_worker(
                        broker_url=broker_url,
                        key_prefix=prefix,
                        # the publish workers of production (Procfile's "publish"): the beat's other
                        # tasks (metric planning, exports, ...) wait for workers this run does not start
                        queues=["publish"],
                        log_dir=scratch / f"worker{n}",
                        mail_dir=scratch / "mail",
                        pool="threads",
                        concurrency=args.concurrency,
                        publish=False,
                        cleanup_broker=False,
                        extra_env=env,
                    )
                )
                for n in range(args.workers)
            ]
            beat = stack.enter_context(
                run_celery_beat(
                    broker_url=broker_url, key_prefix=prefix, log_dir=scratch / "beat", extra_env=env
                )
            )
            yield workers, beat
    finally:
        _delete_broker_keys(broker_url, prefix)


def wait_until_final(workspace, total: int, workers, timeout: float) -> tuple[bool, dict[str, int]]:
    from content.models import TargetStatus as S

    deadline = time.monotonic() + timeout
    last_report = 0.0
    while True:
        counts = status_counts(workspace)
        final = sum(counts.get(s, 0) for s in (S.PUBLISHED, S.FAILED, S.CANCELLED))
        if final >= total:
            return True, counts
        if time.monotonic() - last_report > 10:
            log(f"progress: {counts} (load average {os.getloadavg()[0]:.1f})")
            last_report = time.monotonic()
        dead = [w.hostname for w in workers if not w.is_alive()]
        if dead:
            log(f"worker(s) died: {dead}")
            return False, counts
        if time.monotonic() > deadline:
            return False, counts
        time.sleep(1)


def pipeline_figures(workspace, accounts, sim, due, wall_seconds: float) -> dict:
    from content.models import PostTarget
    from content.models import TargetStatus as S
    from publishing.models import PublishAttempt

    published = list(
        PostTarget.objects.filter(workspace=workspace, status=S.PUBLISHED).values_list(
            "published_at", "post__scheduled_at"
        )
    )
    lateness = sorted((at - scheduled).total_seconds() for at, scheduled in published if at is not None)
    last_due = max((scheduled for _at, scheduled in published), default=due)
    drain = max(at for at, _s in published if at is not None) - due if published else None
    drain = drain.total_seconds() if drain is not None else None
    expected = Counter(
        PostTarget.objects.filter(workspace=workspace).values_list("account__external_id", flat=True)
    )
    published_per_account = Counter(
        PostTarget.objects.filter(workspace=workspace, status=S.PUBLISHED).values_list(
            "account__external_id", flat=True
        )
    )
    stored = {
        row["account"]: row["count"] for row in sim.counts()["posts_created"] if row["platform"] == PLATFORM
    }
    own = {a.external_id for a in accounts}
    duplicates = sum(max(0, stored.get(acct, 0) - expected[acct]) for acct in own)
    losses = sum(max(0, expected[acct] - stored.get(acct, 0)) for acct in own)
    mismatched = sum(1 for acct in own if stored.get(acct, 0) != published_per_account[acct])
    attempts = PublishAttempt.objects.filter(target__workspace=workspace)
    outcomes = Counter(attempts.values_list("outcome", flat=True))
    calls = sorted(d for d in attempts.values_list("duration_ms", flat=True) if d is not None)
    failed = list(
        PostTarget.objects.filter(workspace=workspace, status=S.FAILED).values_list(
            "error_message", flat=True
        )[:5]
    )
    return {
        "published": len(published),
        "statuses": status_counts(workspace),
        "drain_seconds": round(drain, 2) if drain is not None else None,
        "wait_wall_seconds": round(wall_seconds, 2),
        "throughput_per_second": round(len(published) / drain, 1) if drain else 0.0,
        "last_due_after_first_seconds": round((last_due - due).total_seconds(), 2),
        "lateness_p50_seconds": round(percentile(lateness, 0.50), 2),
        "lateness_p99_seconds": round(percentile(lateness, 0.99), 2),
        "lateness_mean_seconds": round(statistics.fmean(lateness), 2) if lateness else 0.0,
        "sim_posts_stored": sum(stored.get(acct, 0) for acct in own),
        "sim_duplicates": duplicates,
        "sim_losses": losses,
        "accounts_where_sim_differs_from_published": mismatched,
        "attempts": attempts.count(),
        "attempt_outcomes": dict(outcomes),
        "platform_call_p50_ms": percentile(calls, 0.50),
        "platform_call_p99_ms": percentile(calls, 0.99),
        "failed_examples": failed,
    }


def run(args) -> dict:
    import django

    if urlparse(os.environ["DATABASE_URL"]).scheme not in ("postgres", "postgresql"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.tests.factories import WorkspaceFactory
    from bench.httpx_ceiling import run_ceiling

    call_command("ensure_database")  # the benchmark's own database, created when missing
    from platform_sim.client import SimClient
    from platform_sim.testing import start_sim, stop_sim

    log("migrating the benchmark database")
    call_command("migrate", verbosity=0, interactive=False)
    clean_previous_runs()
    load_before = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="kawo-pubbench-"))
    proc, sim_url = start_sim()
    sim = SimClient(sim_url)
    try:
        rule = None
        if args.latency_ms > 0:
            rule = sim.add_fault("latency", platform=PLATFORM, operation="publish", ms=args.latency_ms)
        run_id = uuid.uuid4().hex[:8]
        workspace = WorkspaceFactory(
            slug=f"{BENCH_SLUG_PREFIX}{run_id}",
            name=f"Bench publish {run_id}",
            organization__slug=f"{BENCH_SLUG_PREFIX}{run_id}",
            organization__name=f"Bench publish {run_id}",
        )
        log(f"simulator at {sim_url}; creating {args.accounts} accounts")
        accounts = make_accounts(sim, workspace, args.accounts)
        env = pipeline_env(args, sim_url)
        log(
            f"starting {args.workers} worker(s) x {args.concurrency} threads and one beat (logs in {scratch})"
        )
        with cluster(args, env, scratch) as (workers, beat):
            due = timezone.now().replace(microsecond=0) + timedelta(seconds=args.lead_seconds)
            what = f"{args.rate}/s from" if args.rate else "all due at"
            log(f"scheduling {args.posts} posts, {what} {due.isoformat()}")
            schedule_posts(workspace, accounts, args.posts, due, rate=args.rate)
            analyze()
            spy = start_profile(workers[0].process.pid, args.profile) if args.profile else None
            cpu_before = cpu_snapshot(workers, beat, proc.pid)
            started = time.monotonic()
            done, counts = wait_until_final(workspace, args.posts, workers, args.timeout)
            wall = time.monotonic() - started
            cpu_after = cpu_snapshot(workers, beat, proc.pid)
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes what it sampled and stops
                spy.wait(timeout=60)
            log(f"{'drained' if done else 'NOT drained'}: {counts}")
        load_after_pipeline = os.getloadavg()
        figures = pipeline_figures(workspace, accounts, sim, due, wall)
        figures["drained"] = done
        figures["cpu_ms_per_publish"] = cpu_per_publish(cpu_before, cpu_after, figures["published"])
        figures["profile"] = profile_summary(args.profile) if args.profile else {}
        if rule is not None:
            sim._http.delete(f"/faults/{rule.get('id')}")  # the ceiling adds its own latency rule
        concurrency = args.workers * args.send_threads
        ceiling = {}
        if not args.rate:  # a steady load is not limited by the platform: no ceiling to compare with
            log(f"ceiling: {args.posts} bare httpx publishes at concurrency {concurrency}")
            ceiling = run_ceiling(
                base_url=sim_url,
                requests=args.posts,
                concurrency=concurrency,
                latency_ms=args.latency_ms,
                platform=PLATFORM,
                accounts=args.accounts,
                mode="threads",
                shared_sim=False,
            )
    finally:
        sim.close()
        stop_sim(proc)
    ratio = (
        round(figures["throughput_per_second"] / ceiling["throughput_per_second"], 3)
        if ceiling.get("throughput_per_second")
        else None
    )
    return {
        "posts": args.posts,
        "accounts": args.accounts,
        "latency_ms": args.latency_ms,
        "workers": args.workers,
        "tasks_per_worker": args.concurrency,
        "send_threads_per_worker": args.send_threads,
        "task_batch": args.task_batch,
        "rate_per_second": args.rate,
        "platform": PLATFORM,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_pipeline": [round(x, 2) for x in load_after_pipeline],
        "pipeline": figures,
        "ceiling": ceiling,
        "ratio_pipeline_to_ceiling": ratio,
    }


def print_report(r: dict) -> None:
    p, c = r["pipeline"], r["ceiling"]
    when = f"{r['rate_per_second']} due per second" if r["rate_per_second"] else "due at the same instant"
    print(
        f"publish {'steady load' if r['rate_per_second'] else 'burst'}: {r['posts']} posts {when} on "
        f"{r['accounts']} {r['platform']} accounts, simulator latency {r['latency_ms']} ms on publish"
    )
    print(
        f"  workers          {r['workers']} x ({r['tasks_per_worker']} tasks of {r['task_batch']} targets, "
        f"{r['send_threads_per_worker']} sender threads) + 1 beat on {r['cpus']} CPUs; pipeline "
        f"concurrency {r['workers'] * r['send_threads_per_worker']}; load average before "
        f"{r['load_average_before'][0]:.2f}, after {r['load_average_after_pipeline'][0]:.2f}"
    )
    print(f"  final statuses   {p['statuses']}{'' if p['drained'] else '  (TIMED OUT)'}")
    print(f"  drain time       {p['drain_seconds']} s (due time -> last published)")
    print(f"  lateness p50/p99 {p['lateness_p50_seconds']} / {p['lateness_p99_seconds']} s after due time")
    print(f"  throughput       {p['throughput_per_second']} posts/s")
    cpu = p["cpu_ms_per_publish"]
    print(
        f"  CPU per publish  workers {cpu['workers']} ms, PostgreSQL {cpu['postgres']} ms, beat "
        f"{cpu['beat']} ms, simulator {cpu['simulator']} ms"
    )
    print(
        f"  simulator        {p['sim_posts_stored']} posts stored; duplicates {p['sim_duplicates']}, "
        f"losses {p['sim_losses']}"
    )
    print(
        f"  attempts         {p['attempts']} {p['attempt_outcomes']}; platform call p50/p99 "
        f"{p['platform_call_p50_ms']} / {p['platform_call_p99_ms']} ms"
    )
    if p["failed_examples"]:
        print(f"  failed, e.g.     {p['failed_examples']}")
    if p["profile"]:
        print(f"  worker profile   {p['profile']} (% of one worker's CPU samples, py-spy)")
    if c:
        print(
            f"  ceiling          bare httpx, {c['requests']} requests at concurrency {c['concurrency']}: "
            f"{c['throughput_per_second']} requests/s (ideal {c['ideal_per_second']}/s), "
            f"{c['posts_created']} stored"
        )
        print(f"  ratio            pipeline / ceiling = {r['ratio_pipeline_to_ceiling']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default: two per core)")
    parser.add_argument("--concurrency", type=int, default=2, help="publish tasks at once per worker")
    parser.add_argument("--send-threads", type=int, default=16, help="sender threads per worker")
    parser.add_argument("--task-batch", type=int, default=64, help="targets per publish task")
    parser.add_argument("--max-in-flight", type=int, default=2000, help="leased targets at most")
    parser.add_argument("--rate", type=float, default=0, help="steady load: posts due per second")
    parser.add_argument("--lead-seconds", type=float, default=5, help="first due time after scheduling")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the drain")
    parser.add_argument("--dispatch-seconds", type=float, default=0, help="beat interval (default: settings)")
    parser.add_argument("--lease-seconds", type=float, default=0, help="publish lease (default: settings)")
    parser.add_argument("--profile", type=Path, help="py-spy one worker into this file (collapsed stacks)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    p = report["pipeline"]
    ok = p["drained"] and p["sim_duplicates"] == 0 and p["sim_losses"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

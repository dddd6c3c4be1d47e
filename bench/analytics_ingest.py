"""The analytics ingest path on 1,000,000 snapshot rows: rows/s, and the ratio to a raw COPY (issue 12).

Makes (once) a workspace with `--accounts` accounts on Instagram, Weibo, Douyin and X, then builds
`--rows` readings in memory as pulls would produce them: each post read on issue 12's decay schedule
(every 30 minutes on day one, every 6 hours to day 7, daily to day 30, weekly to day 90: 103 reads)
with every current post metric of its platform, and each account's followers once a day; posts
published over 90 days from 2027-01-01, so reads reach into six monthly partitions; rows in capture
time order, as pulls deliver them. Then, in the same run, batch by batch (each batch's raw COPY, then
its ingest, so the load of a shared machine weighs on both alike):

* the ingest path: `analytics.services.snapshots_ingest` in batches of `--batch` rows (each batch one
  transaction: COPY into a TEMP staging table, a probe of the stored (capture time, account) pairs,
  a plain INSERT of the readings that cannot meet a stored one into the month-partitioned snapshot
  table and INSERT ... ON CONFLICT of the others, two upserts of the daily rollups);
* the floor: the same rows turned into the same COPY text (the ingest's own `copy_text`) and COPY'd
  into a plain table with no index, no key and no partitioning, in batches of the same size.

Both start from the same Python rows and include turning them into COPY text; only the ingest checks
the rows (registry, workspace) and does the upserts. Prints rows/s of both and the ratio (targets:
ingest >= 100,000 rows/s, ratio >= 0.3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_bench_analytics REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/analytics_ingest.py --rows 1000000

The database named in DATABASE_URL is created if missing and migrated; its analytics tables are emptied
at the start of every run. Never point this at a database other people use.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_bench_analytics")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")

BENCH_SLUG = "bench-analytics"
PLATFORMS = ["instagram", "weibo", "douyin", "x"]
SPAN_START = datetime(2027, 1, 1, tzinfo=UTC)
SPAN_DAYS = 90
# Hours after publishing at which a post is read: issue 12's decay schedule (every 30 minutes on day one,
# every 6 hours to day 7, daily to day 30, weekly to day 90): 103 reads on 37 distinct days.
PULL_HOURS = (
    [h / 2 for h in range(1, 49)]
    + list(range(30, 169, 6))
    + [24 * d for d in range(8, 31)]
    + [24 * d for d in range(37, 91, 7)]
)
RAW_TABLE = "bench_raw_snapshot_copy"


def ensure_database() -> None:
    import psycopg2

    url = urlparse(os.environ["DATABASE_URL"])
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed(accounts: int):
    from accounts.models import Workspace
    from accounts.tests.factories import WorkspaceFactory
    from channels_app.tests.factories import SocialAccountFactory

    workspace = Workspace.objects.filter(slug=BENCH_SLUG).first()
    if workspace is None:
        workspace = WorkspaceFactory(slug=BENCH_SLUG, name="Bench analytics", timezone="Asia/Shanghai")
    have = list(workspace_accounts(workspace))
    for i in range(len(have), accounts):
        SocialAccountFactory(workspace=workspace, platform=PLATFORMS[i % len(PLATFORMS)], credentials=False)
    return workspace, list(workspace_accounts(workspace))[:accounts]


def workspace_accounts(workspace):
    from channels_app.models import SocialAccount

    return SocialAccount.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "platform")


def build_rows(accounts, total: int) -> list:
    """`total` readings: posts on a decaying schedule, accounts' followers daily; deterministic."""
    from analytics.metrics import Level, platform_metrics
    from analytics.services import SnapshotRow

    post_metrics = {
        platform: [m.key for m in platform_metrics(platform, level=Level.POST) if m.removed_on is None]
        for platform in PLATFORMS
    }
    follower_metric = {
        platform: next(
            m.key for m in platform_metrics(platform, level=Level.ACCOUNT) if m.feeds == "followers"
        )
        for platform in PLATFORMS
    }
    rows: list = []
    pull = uuid.UUID(int=1)
    # Account followers, once a day at 23:00 Shanghai time.
    for account_id, platform in accounts:
        for day in range(SPAN_DAYS):
            at = SPAN_START + timedelta(days=day, hours=15)
            rows.append(SnapshotRow(account_id, follower_metric[platform], 1000 + day * 7, at, pull))
    post = 0
    while len(rows) < total:
        account_id, platform = accounts[post % len(accounts)]
        published = SPAN_START + timedelta(minutes=(post * 37) % (SPAN_DAYS * 24 * 60))
        for hours in PULL_HOURS:
            at = published + timedelta(hours=hours)
            for index, key in enumerate(post_metrics[platform]):
                rows.append(
                    SnapshotRow(
                        account_id, key, float(int(hours * 10) + index), at, pull, platform_post_id=f"p{post}"
                    )
                )
        post += 1
    # In the order pulls would deliver them: by capture time (a batch holds many posts' readings).
    rows = rows[:total]
    rows.sort(key=lambda row: row.captured_at)
    return rows


def batches(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def run_interleaved(workspace, rows: list, batch: int) -> tuple[float, float, dict]:
    """Batch by batch, the raw COPY of a batch then its ingest, each timed on its own: the machine's load
    (shared with other work) weighs on both alike. Returns (ingest seconds, raw seconds, ingest totals).

    Raw: the same rows turned into the same COPY text (analytics.services.ingest.copy_text), COPY'd
    into a plain table with the staging table's columns and no index, key or partitioning."""
    from django.db import connection, transaction

    from analytics.services import snapshots_ingest
    from analytics.services.ingest import copy_text

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (ord bigint, account_id bigint, target_id bigint, "
            "platform_post_id varchar(200), metric varchar(64), value double precision, "
            "captured_at timestamptz, day date, pull_id uuid)"
        )
    zone = workspace.tzinfo
    stamps: dict = {}
    days: dict = {}
    totals = {"snapshots_written": 0, "account_days_written": 0, "post_days_written": 0}
    ingest_seconds = raw_seconds = 0.0
    for chunk in batches(rows, batch):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for stamp in set(map(attrgetter("captured_at"), chunk)):
                if stamp not in stamps:
                    stamps[stamp] = stamp.isoformat()
                    days[stamp] = stamp.astimezone(zone).date().isoformat()
            cursor.cursor.copy_expert(f"COPY {RAW_TABLE} FROM STDIN", copy_text(chunk, 1, stamps, days))
        raw_seconds += time.perf_counter() - started
        started = time.perf_counter()
        result = snapshots_ingest(chunk, workspace=workspace)
        ingest_seconds += time.perf_counter() - started
        for key in totals:
            totals[key] += getattr(result, key)
    return ingest_seconds, raw_seconds, totals


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE analytics_metricsnapshot, analytics_accountdailymetric, analytics_postdailymetric, "
            "analytics_metricunavailable"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    workspace, accounts = seed(args.accounts)
    rows = build_rows(accounts, args.rows)
    load_before = os.getloadavg()[0]
    empty_tables()

    ingest_seconds, raw_seconds, totals = run_interleaved(workspace, rows, args.batch)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {RAW_TABLE}")
        raw_count = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_metricsnapshot")
        stored = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'analytics_metricsnapshot'"
        )
        partitions = cursor.fetchone()[0]
    load_after = os.getloadavg()[0]

    ingest_rate = len(rows) / ingest_seconds
    raw_rate = len(rows) / raw_seconds
    print()
    print(
        f"analytics ingest: {len(rows):,} snapshot rows, {len(accounts)} accounts "
        f"({', '.join(PLATFORMS)}), batches of {args.batch:,}; load average before {load_before:.2f}, "
        f"after {load_after:.2f}"
    )
    print(
        f"  ingest path   {ingest_seconds:7.2f} s  {ingest_rate:10,.0f} rows/s   stored {stored:,} rows in "
        f"{partitions} monthly partitions; rollups: {totals['account_days_written']:,} account days, "
        f"{totals['post_days_written']:,} post days"
    )
    print(
        f"  raw COPY      {raw_seconds:7.2f} s  {raw_rate:10,.0f} rows/s   "
        f"(unindexed plain table, {raw_count:,} rows)"
    )
    print(f"  ratio         ingest / raw COPY = {ingest_rate / raw_rate:.3f}")


if __name__ == "__main__":
    main()

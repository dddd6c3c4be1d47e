"""The competitor benchmark read on 20 rivals x 6 platforms x 2 years of daily history (issue 14).

Seeds (once, with COPY) a workspace benchmarking `--rivals` competitor brands, each with an account on six
platforms, and for every account `--days` days of history: one post a day (with likes, comments, shares,
engagements) and one follower reading a day. Then times, `--runs` times each, alternating:

* the API: `GET /api/v1/workspaces/{id}/competitors/benchmark/?start=&end=` for the last 30 days of the
  history (the page's charts read the same endpoint), with the SQL queries per request;
* the floor: the same figures' reads in raw SQL: posts, engagements and the top posts of the period per
  brand, each account's last follower reading before the period's start and end, and each account's 20
  posts before each post of the period for the spike baseline (one statement each, no ORM).

Prints p50/p95 of both, the ratio (target: API p95 within 3x the raw SQL) and the queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_bench_comp REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/competitors_benchmark.py

The database named in DATABASE_URL is created if missing and migrated. Never point this at a database
other people use (`--reseed` drops it).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_bench_comp")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")

from bench.calendar_month import ensure_database, percentile  # noqa: E402

BENCH_NAME = "bench-competitors"
PLATFORMS = ["weibo", "douyin", "xiaohongshu", "kuaishou", "wechat_oa", "x"]
SPAN_END = datetime(2027, 7, 1, tzinfo=UTC)

RAW_SQL = [
    # posts and engagements per brand in the period
    """SELECT a.brand_id, count(*), sum(p.engagements)
         FROM competitors_rivalpost p JOIN competitors_rivalaccount a ON a.id = p.rival_id
        WHERE a.brand_id = ANY(%(brands)s) AND p.published_at >= %(start)s AND p.published_at < %(end)s
        GROUP BY a.brand_id""",
    # the period's posts (top posts, media mix, hashtags, heatmap)
    """SELECT p.rival_id, p.platform_post_id, p.published_at, p.text, p.url, p.media_kind, p.hashtags,
              p.engagements
         FROM competitors_rivalpost p
        WHERE p.rival_id = ANY(%(rivals)s) AND p.published_at >= %(start)s AND p.published_at < %(end)s""",
    # follower readings up to the period's end
    """SELECT rival_id, captured_at, value FROM competitors_rivalsnapshot
        WHERE rival_id = ANY(%(rivals)s) AND platform_post_id = '' AND metric = 'followers'
          AND captured_at >= %(before)s AND captured_at < %(end)s""",
    # the spike baseline: the 20 posts before the period per account
    """SELECT x.rival_id, x.engagements FROM (
          SELECT p.rival_id, p.engagements,
                 row_number() OVER (PARTITION BY p.rival_id ORDER BY p.published_at DESC) AS n
            FROM competitors_rivalpost p
           WHERE p.rival_id = ANY(%(rivals)s) AND p.published_at < %(start)s
             AND p.published_at >= %(start)s - interval '60 days') x
        WHERE x.n <= 20""",
]


def seed(rivals: int, days: int):
    from django.db import connection, transaction

    from accounts.models import Workspace
    from accounts.roles import Role
    from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
    from competitors.models import RivalAccount
    from competitors.tests.factories import benchmarked_brand

    found = Workspace.objects.filter(name=BENCH_NAME).first()
    if found is not None:
        member = found.members.filter(role=Role.MANAGER).select_related("user").first()
        return found, member.user
    with transaction.atomic():
        workspace = WorkspaceFactory(name=BENCH_NAME, timezone="Asia/Shanghai")
        user = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
        accounts = []
        for n in range(rivals):
            brand, first = benchmarked_brand(workspace, name=f"Rival {n:02d}", platform=PLATFORMS[0])
            accounts.append(first)
            for platform in PLATFORMS[1:]:
                accounts.append(
                    RivalAccount.objects.create(
                        brand=brand,
                        organization_id=workspace.organization_id,
                        platform=platform,
                        external_id=f"{platform}-{n}",
                        handle=f"rival{n}_{platform}",
                        source="provider",
                        first_pulled_at=SPAN_END - timedelta(days=days),
                    )
                )
        rng = random.Random(14)
        posts, readings = io.StringIO(), io.StringIO()
        now = datetime.now(UTC).isoformat()
        for account in accounts:
            followers = rng.randint(10_000, 2_000_000)
            for day in range(days):
                moment = SPAN_END - timedelta(days=days - day) + timedelta(hours=rng.randint(0, 23))
                likes, comments, shares = rng.randint(0, 5000), rng.randint(0, 500), rng.randint(0, 200)
                at, tag = moment.isoformat(), f"tag{day % 7}"
                fields = [now, now, account.pk, f"p{account.pk}-{day}", at, f"post {day} #{tag}", "", "image"]
                fields += [f'["{tag}"]', likes, comments, shares, "\\N", likes + comments + shares, at]
                fields += ["provider", at, "\\N"]
                posts.write("\t".join(str(f) for f in fields) + "\n")
                followers += rng.randint(-50, 400)
                readings.write(f"{moment.isoformat()}\t{account.pk}\t\tfollowers\t{followers}\tprovider\n")
        posts.seek(0)
        readings.seek(0)
        raw = connection.cursor().cursor
        raw.copy_expert(
            "COPY competitors_rivalpost (created_at, updated_at, rival_id, platform_post_id, published_at,"
            " text, url, media_kind, hashtags, likes, comments, shares, views, engagements, figures_at,"
            " source, track_until, deleted_at) FROM STDIN",
            posts,
        )
        raw.copy_expert(
            "COPY competitors_rivalsnapshot (captured_at, rival_id, platform_post_id, metric, value, source)"
            " FROM STDIN",
            readings,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE competitors_rivalpost; ANALYZE competitors_rivalsnapshot")
    return workspace, user


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rivals", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    ensure_database(drop=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from competitors.models import BenchmarkedBrand, RivalAccount, RivalPost, RivalSnapshot

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    workspace, user = seed(args.rivals, args.days)
    seeded = time.perf_counter() - started
    client = Client()
    client.force_login(user)
    end_day = (SPAN_END - timedelta(days=1)).astimezone(workspace.tzinfo).date()
    start_day = end_day - timedelta(days=29)
    url = f"/api/v1/workspaces/{workspace.pk}/competitors/benchmark/?start={start_day}&end={end_day}"
    brands = list(BenchmarkedBrand.objects.filter(workspace=workspace).values_list("brand_id", flat=True))
    rivals = list(RivalAccount.objects.filter(brand_id__in=brands).values_list("pk", flat=True))
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=workspace.tzinfo)
    end = datetime.combine(end_day + timedelta(days=1), datetime.min.time(), tzinfo=workspace.tzinfo)
    params = {
        "brands": brands,
        "rivals": rivals,
        "start": start,
        "end": end,
        "before": start - timedelta(days=2),
    }

    def via_sql() -> None:
        with connection.cursor() as cursor:
            for statement in RAW_SQL:
                cursor.execute(statement, params)
                cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    queries = len(captured.captured_queries)
    via_sql()
    # As kawo/wsgi.py does in every web process: every view imported, the startup heap frozen (without it
    # full collections of that heap land in a few requests and double the p95).
    from core.startup import warm_and_freeze

    warm_and_freeze()
    api_times, sql_times = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        client.get(url)
        api_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        via_sql()
        sql_times.append((time.perf_counter() - t) * 1000)
    api_p50, api_p95 = percentile(api_times, 0.5), percentile(api_times, 0.95)
    sql_p50, sql_p95 = percentile(sql_times, 0.5), percentile(sql_times, 0.95)
    print()
    print(
        f"{len(brands)} rivals x {len(PLATFORMS)} platforms: {RivalPost.objects.count():,} posts, "
        f"{RivalSnapshot.objects.count():,} snapshots (seed/reuse {seeded:.1f} s); "
        f"period {start_day}..{end_day}"
    )
    print(f"API benchmark ({queries} SQL queries per request):")
    print(
        f"  p50 {api_p50:8.1f} ms   p95 {api_p95:8.1f} ms"
        f"   (mean {statistics.mean(api_times):.1f} ms, n={args.runs})"
    )
    print(f"raw SQL ({len(RAW_SQL)} statements):")
    print(
        f"  p50 {sql_p50:8.1f} ms   p95 {sql_p95:8.1f} ms"
        f"   (mean {statistics.mean(sql_times):.1f} ms, n={args.runs})"
    )
    print(f"ratio API / raw SQL: p50 {api_p50 / sql_p50:.2f}x   p95 {api_p95 / sql_p95:.2f}x")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Report reads on a big workspace: the overview and the post table API endpoints, through the full
request, against the same read in raw SQL; p50/p95 latency and queries per request (issue 12,
acceptance 5).

Seeds (once) a workspace with `--accounts` accounts (Instagram, Weibo, Douyin, X in turn) and `--posts`
published posts spread over 2026 (one PostTarget each), then a year of daily history through the ingest
path (`analytics.services.snapshots_ingest`, which also upserts the daily rollups the reads use):

* each account's followers once a day, all year;
* each post read at 1 hour, 1, 3, 7 and 30 days after publishing with every current post metric of its
  platform (running totals that grow with age; each post gets its own size).

Then, `--runs` times each, alternating, with a DRF test client logged in as an analyst (session, every
middleware, the view, the serializers, JSON rendering):

(a) GET /api/v1/workspaces/{id}/analytics/overview/ for the last 30 days of 2026 (against the 30 before;
    per account, per platform and for the workspace: posts, ten post totals, followers, follower growth,
    profile visits and the three engagement rates). It calls `analytics.selectors.reports.overview`, the
    one read the report page and the downloads call too. Against ONE raw SQL statement returning per
    account and period the followers, posts, views, reach, engagements and the rate's sums (what the
    overview is made of; it leaves out follower growth, profile visits, the other totals and two of the
    rates, so the raw side does less work than the API).
(b) GET .../analytics/posts/?platforms=weibo&sort=-engagements&page_size=50: the first page, which
    calls `analytics.selectors.post_table.post_page` (the one read of the post table) vs ONE raw SQL
    statement that ranks the same posts and returns the page with its values.

Before timing, the script checks both sides return the same page and the same engagements total.
Prints p50/p95 of each, the ratio API / raw SQL and the SQL queries per request (counted every time;
the API's include the session and membership reads). `--index-off` drops the read index of migration
0003 first (to measure without it; the next `migrate` does not bring it back: `--index-on` restores it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_bench_reports REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/analytics_reports.py --runs 20

The database named in DATABASE_URL is created if missing and migrated. Never point this at a database
other people use.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_bench_reports")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")

BENCH_SLUG = "bench-reports"
PLATFORMS = ["instagram", "weibo", "douyin", "x"]
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # midnight in Shanghai
READ_HOURS = (1, 24, 72, 168, 720)
PERIOD_END = date(2026, 12, 31)
PERIOD_START = PERIOD_END - timedelta(days=29)
INDEX_NAME = "postdaily_target_read"


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


def _size(post: int) -> float:
    """A post's own scale (1-100), deterministic, so rankings have a spread."""
    return 1 + zlib.crc32(str(post).encode()) % 100


def seed(accounts: int, posts: int):
    from django.db import connection

    from accounts.models import Workspace
    from accounts.tests.factories import WorkspaceFactory
    from analytics.metrics import Level, platform_metrics
    from analytics.services import SnapshotRow, snapshots_ingest
    from channels_app.models import SocialAccount
    from channels_app.tests.factories import SocialAccountFactory
    from content.models import Post, PostTarget

    workspace = Workspace.objects.filter(slug=BENCH_SLUG).first()
    if workspace is not None and PostTarget.objects.filter(workspace=workspace).count() >= posts:
        return workspace
    if workspace is not None:
        sys.exit(f"workspace {BENCH_SLUG} is half seeded: drop the database and run again")
    started = time.perf_counter()
    workspace = WorkspaceFactory(slug=BENCH_SLUG, name="Bench reports", timezone="Asia/Shanghai")
    for i in range(accounts):
        SocialAccountFactory(workspace=workspace, platform=PLATFORMS[i % len(PLATFORMS)], credentials=False)
    account_rows = list(
        SocialAccount.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "platform")
    )
    span = 365 * 24 * 60
    published = [YEAR_START + timedelta(minutes=(n * 5257) % span) for n in range(posts)]
    chunk = 5000
    for start in range(0, posts, chunk):
        made = Post.objects.bulk_create(
            [
                Post(workspace=workspace, title=f"Post {n}", status="published", scheduled_at=published[n])
                for n in range(start, min(posts, start + chunk))
            ]
        )
        PostTarget.objects.bulk_create(
            [
                PostTarget(
                    workspace=workspace,
                    post=post,
                    account_id=account_rows[n % accounts][0],
                    status="published",
                    external_id=f"ext{n}",
                    published_at=published[n],
                )
                for n, post in zip(range(start, start + len(made)), made, strict=True)
            ]
        )
    print(f"  seeded {accounts} accounts and {posts:,} posts in {time.perf_counter() - started:.0f} s")

    post_metrics = {
        p: [m.key for m in platform_metrics(p, level=Level.POST) if m.removed_on is None] for p in PLATFORMS
    }
    followers_key = {
        p: next(m.key for m in platform_metrics(p, level=Level.ACCOUNT) if m.feeds == "followers")
        for p in PLATFORMS
    }
    platform_of = dict(account_rows)
    pull = uuid.UUID(int=7)
    rows = []
    for account_id, platform in account_rows:
        for day in range(365):
            at = YEAR_START + timedelta(days=day, hours=23)
            rows.append(SnapshotRow(account_id, followers_key[platform], 10_000 + day * 13, at, pull))
    targets = PostTarget.objects.filter(workspace=workspace).values_list("pk", "account_id", "external_id")
    for n, (target_id, account_id, external_id) in enumerate(targets.order_by("pk").iterator()):
        size = _size(n)
        base = published[n]
        for age, hours in enumerate(READ_HOURS, start=1):
            at = base + timedelta(hours=hours)
            for index, key in enumerate(post_metrics[platform_of[account_id]]):
                value = float(int(size * age * (10 + index)))
                rows.append(SnapshotRow(account_id, key, value, at, pull, external_id, target_id))
    rows.sort(key=lambda row: row.captured_at)
    started = time.perf_counter()
    for start in range(0, len(rows), 50_000):
        snapshots_ingest(rows[start : start + 50_000], workspace=workspace)
    seconds = time.perf_counter() - started
    print(f"  ingested {len(rows):,} snapshot rows in {seconds:.0f} s ({len(rows) / seconds:,.0f} rows/s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return workspace


# --- the raw SQL reads ----------------------------------------------------------------------------------


def feeder_values(workspace, commons, level) -> tuple[str, list]:
    from analytics.metrics import feeders
    from channels_app.models import SocialAccount

    rows, params = [], []
    platforms = sorted(
        set(SocialAccount.objects.filter(workspace=workspace).values_list("platform", flat=True))
    )
    for platform in platforms:
        for common in commons:
            for priority, metric in enumerate(feeders(platform, common, level=level)):
                rows.append("(%s, %s, %s, %s, CAST(%s AS DOUBLE PRECISION))")
                params += [platform, common, metric.key, priority, metric.to_common]
    return ", ".join(rows), params


RAW_OVERVIEW = """
WITH feeder (platform, common, metric, priority, scale) AS (VALUES {post_values}),
follow (platform, common, metric, priority, scale) AS (VALUES {follow_values}),
acct AS (SELECT id, platform FROM channels_app_socialaccount WHERE workspace_id = %s),
periods (p, lo, hi, as_of) AS (VALUES ('now', %s::timestamptz, %s::timestamptz, %s::date),
                                      ('before', %s::timestamptz, %s::timestamptz, %s::date)),
t AS (
    SELECT pt.id, pt.account_id, a.platform, periods.p, periods.as_of
      FROM content_posttarget pt JOIN acct a ON a.id = pt.account_id
      JOIN periods ON pt.published_at >= periods.lo AND pt.published_at < periods.hi
     WHERE pt.workspace_id = %s
),
latest AS (
    SELECT DISTINCT ON (r.target_id, r.metric) r.target_id, r.metric, r.value
      FROM analytics_postdailymetric r JOIN t ON t.id = r.target_id AND r.account_id = t.account_id
     WHERE r.workspace_id = %s AND r.date <= t.as_of
     ORDER BY r.target_id, r.metric, r.date DESC
),
resolved AS (
    SELECT l.target_id, f.common, l.value * f.scale AS v,
           ROW_NUMBER() OVER (PARTITION BY l.target_id, f.common ORDER BY f.priority) AS pick
      FROM latest l JOIN t ON t.id = l.target_id
      JOIN feeder f ON f.platform = t.platform AND f.metric = l.metric
),
per_post AS (
    SELECT t.id, t.account_id, t.p,
           MAX(r.v) FILTER (WHERE r.common = 'views') AS views,
           MAX(r.v) FILTER (WHERE r.common = 'reach') AS reach,
           COALESCE(MAX(r.v) FILTER (WHERE r.common = 'engagements'),
                    SUM(r.v) FILTER (WHERE r.common IN ('likes', 'comments', 'shares', 'saves'))) AS eng
      FROM t LEFT JOIN resolved r ON r.target_id = t.id AND r.pick = 1
     GROUP BY t.id, t.account_id, t.p
),
post_totals AS (
    SELECT account_id, p, count(*) AS posts, sum(views) AS views, sum(reach) AS reach, sum(eng) AS eng,
           sum(eng) FILTER (WHERE reach > 0) AS rate_eng,
           sum(reach) FILTER (WHERE eng IS NOT NULL) AS rate_reach
      FROM per_post GROUP BY account_id, p
),
followers AS (
    SELECT DISTINCT ON (d.account_id, periods.p) d.account_id, periods.p, d.value * f.scale AS followers
      FROM analytics_accountdailymetric d JOIN acct a ON a.id = d.account_id
      JOIN follow f ON f.platform = a.platform AND f.metric = d.metric
      JOIN periods ON d.date <= periods.as_of
     WHERE d.workspace_id = %s AND d.account_id IN (SELECT id FROM acct)
     ORDER BY d.account_id, periods.p, d.date DESC, f.priority
)
SELECT a.id, a.platform, periods.p, fo.followers,
       pt.posts, pt.views, pt.reach, pt.eng, pt.rate_eng, pt.rate_reach
  FROM acct a CROSS JOIN periods
  LEFT JOIN post_totals pt ON pt.account_id = a.id AND pt.p = periods.p
  LEFT JOIN followers fo ON fo.account_id = a.id AND fo.p = periods.p
 ORDER BY a.id, periods.p
"""

RAW_POSTS_PAGE = """
WITH feeder (platform, common, metric, priority, scale) AS (VALUES {post_values}),
t AS (
    SELECT pt.id, pt.account_id, a.platform, pt.published_at
      FROM content_posttarget pt JOIN channels_app_socialaccount a ON a.id = pt.account_id
     WHERE pt.workspace_id = %s AND a.platform = %s AND pt.published_at >= %s AND pt.published_at < %s
),
latest AS (
    SELECT DISTINCT ON (r.target_id, r.metric) r.target_id, r.metric, r.value
      FROM analytics_postdailymetric r JOIN t ON t.id = r.target_id AND r.account_id = t.account_id
     WHERE r.workspace_id = %s AND r.date <= %s
     ORDER BY r.target_id, r.metric, r.date DESC
),
resolved AS (
    SELECT l.target_id, f.common, l.value * f.scale AS v,
           ROW_NUMBER() OVER (PARTITION BY l.target_id, f.common ORDER BY f.priority) AS pick
      FROM latest l JOIN t ON t.id = l.target_id
      JOIN feeder f ON f.platform = t.platform AND f.metric = l.metric
),
per_post AS (
    SELECT t.id, t.published_at,
           COALESCE(MAX(r.v) FILTER (WHERE r.common = 'engagements'),
                    SUM(r.v) FILTER (WHERE r.common IN ('likes', 'comments', 'shares', 'saves'))) AS eng,
           jsonb_object_agg(r.common, r.v) FILTER (WHERE r.common IS NOT NULL) AS common_values
      FROM t LEFT JOIN resolved r ON r.target_id = t.id AND r.pick = 1
     GROUP BY t.id, t.published_at
)
SELECT p.id, p.published_at, p.eng, p.common_values, po.title, a.handle
  FROM per_post p JOIN content_posttarget pt ON pt.id = p.id JOIN content_post po ON po.id = pt.post_id
  JOIN channels_app_socialaccount a ON a.id = pt.account_id
 ORDER BY p.eng DESC NULLS LAST, p.published_at DESC, p.id DESC
 LIMIT 50
"""


def raw_overview(workspace):
    from django.db import connection

    from analytics.metrics import Level
    from analytics.selectors import day_bounds, previous_period

    post_values, post_params = feeder_values(
        workspace, ("views", "reach", "engagements", "likes", "comments", "shares", "saves"), Level.POST
    )
    follow_rows, follow_params = feeder_values(workspace, ("followers",), Level.ACCOUNT)
    before_start, before_end = previous_period(PERIOD_START, PERIOD_END)
    lo, hi = day_bounds(workspace, PERIOD_START, PERIOD_END)
    blo, bhi = day_bounds(workspace, before_start, before_end)
    sql = RAW_OVERVIEW.format(post_values=post_values, follow_values=follow_rows)
    params = [*post_params, *follow_params, workspace.pk, lo, hi, PERIOD_END, blo, bhi, before_end]
    params += [workspace.pk, workspace.pk, workspace.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_posts_page(workspace):
    from django.db import connection

    from analytics.metrics import Level
    from analytics.selectors import day_bounds
    from analytics.selectors.exports import POST_METRICS

    post_values, post_params = feeder_values(workspace, POST_METRICS, Level.POST)
    lo, hi = day_bounds(workspace, PERIOD_START, PERIOD_END)
    with connection.cursor() as cursor:
        cursor.execute(
            RAW_POSTS_PAGE.format(post_values=post_values),
            [*post_params, workspace.pk, "weibo", lo, hi, workspace.pk, PERIOD_END],
        )
        return cursor.fetchall()


# --- measuring ------------------------------------------------------------------------------------------


def timed(call) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call()
        seconds = time.perf_counter() - started
    return seconds * 1000, len(queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def index_toggle(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if on:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON analytics_postdailymetric "
                "(target_id, metric, date) INCLUDE (value)"
            )
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        cursor.execute("ANALYZE analytics_postdailymetric")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--index-off", action="store_true", help="drop the read index first")
    parser.add_argument("--index-on", action="store_true", help="(re)create the read index first")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    workspace = seed(args.accounts, args.posts)
    if args.index_off or args.index_on:
        index_toggle(on=args.index_on)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_metricsnapshot")
        snapshots = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM analytics_postdailymetric")
        post_days = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM analytics_accountdailymetric")
        account_days = cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        indexed = cursor.fetchone() is not None

    client = api_client(workspace)
    base = f"/api/v1/workspaces/{workspace.pk}/analytics"
    period = {"start": PERIOD_START.isoformat(), "end": PERIOD_END.isoformat()}

    def api_overview():
        response = client.get(f"{base}/overview/", period)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    def api_posts():
        response = client.get(
            f"{base}/posts/", {**period, "platforms": "weibo", "sort": "-engagements", "page_size": 50}
        )
        assert response.status_code == 200, response.content[:300]
        return response.json()

    # Both sides must read the same figures: the same page of posts, the same engagements total.
    raw_page = raw_posts_page(workspace)
    posts = api_posts()
    same_page = [row["target_id"] for row in posts["results"]] == [row[0] for row in raw_page]
    raw_rows = raw_overview(workspace)
    raw_engagements = sum(row[7] or 0 for row in raw_rows if row[2] == "now")
    report = api_overview()
    engagements = next(m for m in report["workspace"]["metrics"] if m["metric"] == "engagements")
    same_totals = abs((engagements["current"] or 0) - raw_engagements) < 1e-6

    load_before = os.getloadavg()[0]
    results = {key: [] for key in ("overview", "overview_raw", "posts", "posts_raw")}
    queries = {key: set() for key in results}
    calls = {
        "overview": api_overview,
        "overview_raw": lambda: raw_overview(workspace),
        "posts": api_posts,
        "posts_raw": lambda: raw_posts_page(workspace),
    }
    for call in calls.values():  # warm up caches and plans once
        call()
    for _run in range(args.runs):
        for key, call in calls.items():
            ms, count = timed(call)
            results[key].append(ms)
            queries[key].add(count)
    load_after = os.getloadavg()[0]

    print()
    print(
        f"analytics reports: {args.accounts} accounts, {args.posts:,} posts over 2026; "
        f"{snapshots:,} snapshot rows, {post_days:,} post days, {account_days:,} account days; "
        f"read index {'on' if indexed else 'off'}; period {PERIOD_START}..{PERIOD_END} (Asia/Shanghai), "
        f"{args.runs} runs; load average before {load_before:.2f}, after {load_after:.2f}"
    )
    print(f"  posts in the period: {report['workspace']['posts']['current']}; Weibo: {posts['count']}")
    print(f"  same page both ways: {same_page}; same engagements total both ways: {same_totals}")
    for name, mine, raw in (
        ("(a) overview API", "overview", "overview_raw"),
        ("(b) post table API", "posts", "posts_raw"),
    ):
        ratio95 = p95(results[mine]) / p95(results[raw])
        ratio50 = statistics.median(results[mine]) / statistics.median(results[raw])
        for label, key in (("API     ", mine), ("raw SQL ", raw)):
            median, high = statistics.median(results[key]), p95(results[key])
            print(
                f"  {name if key == mine else '':19} {label} p50 {median:8.1f} ms  p95 {high:8.1f} ms"
                f"  queries/request {sorted(queries[key])}"
            )
        print(f"  {'':19} ratio API / raw SQL: p50 {ratio50:.2f}x  p95 {ratio95:.2f}x")


def api_client(workspace):
    """A DRF test client logged in (session, through every middleware) as an analyst of the workspace."""
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from accounts.tests.factories import UserFactory, WorkspaceMemberFactory

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from accounts.models import User, WorkspaceMember

    user = User.objects.filter(email="bench-analyst@example.com").first()
    if user is None:
        user = UserFactory(email="bench-analyst@example.com")
    if not WorkspaceMember.objects.filter(workspace=workspace, user=user).exists():
        WorkspaceMemberFactory(workspace=workspace, user=user, role=Role.ANALYST)
    client = APIClient()
    client.force_login(user)
    return client


if __name__ == "__main__":
    main()

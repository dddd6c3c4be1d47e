"""The calendar's month view on a workspace with 50,000 posts: API latency against the same read in raw SQL.

Seeds (once; `--reseed` drops the benchmark database and starts over) a workspace on PostgreSQL with
`--posts` posts (bulk_create) spread over two years, each on 1-3 of 12 accounts, with campaigns, tags
and media. Then asks the posts API for one month (`start`/`end`, following the cursor until the month
is complete) `--runs` times through Django's test client, and runs one raw SQL statement that returns
the same month with the same relations (json_agg) as many times. Prints p50/p95 of both, the API/raw
ratio and the API's SQL query count per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_content_bench \\
        .venv/bin/python bench/calendar_month.py --posts 50000 --runs 20

The database named in DATABASE_URL is created if missing and migrated; never point this at a database
other people use (it is seeded and, with --reseed, dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_content_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.test")

BENCH_SLUG = "bench-calendar"
MONTH_START = datetime(2027, 6, 1, tzinfo=UTC)
MONTH_END = datetime(2027, 7, 1, tzinfo=UTC)
SPAN_START = datetime(2026, 7, 1, tzinfo=UTC)
SPAN_DAYS = 730

RAW_SQL = """
SELECT p.id, p.workspace_id, p.title, p.scheduled_at, p.status, p.version, p.content_hash,
       p.is_paid_or_kol, p.compliance, p.compliance_override, p.created_at, p.updated_at,
       c.id AS campaign_id, c.name AS campaign_name, c.color AS campaign_color,
       u.id AS author_id, u.email AS author_email, u.full_name AS author_name,
       (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color,
                                                   'group', t.group_id) ORDER BY t.id), '[]')
          FROM content_post_tags pt JOIN content_tag t ON t.id = pt.tag_id
         WHERE pt.post_id = p.id) AS tags,
       (SELECT coalesce(json_agg(json_build_object(
                   'id', tg.id, 'text', tg.text, 'first_comment', tg.first_comment, 'options', tg.options,
                   'status', tg.status, 'external_id', tg.external_id, 'url', tg.url,
                   'published_at', tg.published_at, 'error_message', tg.error_message,
                   'account', json_build_object('id', a.id, 'platform', a.platform, 'handle', a.handle,
                                                'display_name', a.display_name),
                   'media', (SELECT coalesce(json_agg(m.media_id ORDER BY m.position, m.id), '[]')
                               FROM content_posttargetmedia m WHERE m.target_id = tg.id))
                 ORDER BY tg.id), '[]')
          FROM content_posttarget tg JOIN channels_app_socialaccount a ON a.id = tg.account_id
         WHERE tg.post_id = p.id) AS targets
  FROM content_post p
  LEFT JOIN content_campaign c ON c.id = p.campaign_id
  LEFT JOIN accounts_user u ON u.id = p.author_id
 WHERE p.workspace_id = %s AND p.deleted_at IS NULL AND p.scheduled_at >= %s AND p.scheduled_at < %s
 ORDER BY p.scheduled_at, p.id
"""


def ensure_database(*, drop: bool = False) -> None:
    """Create the benchmark's own database if missing (`drop`: drop it first, the fastest clean reseed)."""
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
        if drop:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def seed(posts: int):
    from accounts.models import Workspace
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
    from channels_app.tests.factories import SocialAccountFactory
    from content.models import Post, PostTarget, PostTargetMedia
    from content.tests.factories import CampaignFactory, MediaAssetFactory, TagFactory, TagGroupFactory

    existing = Workspace.objects.filter(slug=BENCH_SLUG).first()
    if existing is not None:
        count = Post.objects.filter(workspace=existing).count()
        if count != posts:
            sys.exit(f"the bench workspace has {count} posts, not {posts}: run again with --reseed")
        member = existing.members.select_related("user").first()
        print(f"reusing the seeded workspace {existing.pk} ({count} posts)")
        return existing, member.user
    started = time.perf_counter()
    rng = random.Random(42)
    workspace = WorkspaceFactory(slug=BENCH_SLUG, name="Bench calendar", timezone="Asia/Shanghai")
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=Role.ADMIN)
    platforms = ["weibo", "wechat_oa", "douyin", "xiaohongshu", "x", "instagram"]
    accounts = [
        SocialAccountFactory(workspace=workspace, platform=platforms[i % 6], credentials=False)
        for i in range(12)
    ]
    campaigns = [CampaignFactory(workspace=workspace) for _ in range(8)]
    groups = [TagGroupFactory(workspace=workspace) for _ in range(4)]
    tags = [TagFactory(group=groups[i % 4]) for i in range(12)]
    media = [MediaAssetFactory(workspace=workspace) for _ in range(40)]
    batch = 5000
    statuses = ["draft", "scheduled", "published", "approved", "in_review"]
    for offset in range(0, posts, batch):
        size = min(batch, posts - offset)
        rows = []
        for i in range(size):
            when = SPAN_START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
            rows.append(
                Post(
                    workspace=workspace,
                    title=f"Bench post {offset + i}",
                    campaign=rng.choice(campaigns) if rng.random() < 0.6 else None,
                    author=user,
                    scheduled_at=when,
                    status=rng.choice(statuses),
                    content_hash="0" * 64,
                )
            )
        created = Post.objects.bulk_create(rows)
        targets = []
        through = []
        for post in created:
            for account in rng.sample(accounts, rng.randint(1, 3)):
                targets.append(
                    PostTarget(
                        workspace=workspace,
                        post=post,
                        account=account,
                        text=f"新品上市 {post.title} " * rng.randint(1, 6),
                        status=post.status,
                    )
                )
            for tag in rng.sample(tags, rng.randint(0, 2)):
                through.append(Post.tags.through(post_id=post.pk, tag_id=tag.pk))
        targets = PostTarget.objects.bulk_create(targets)
        Post.tags.through.objects.bulk_create(through)
        links = [
            PostTargetMedia(target=target, media=rng.choice(media), position=0)
            for target in targets
            if rng.random() < 0.5
        ]
        PostTargetMedia.objects.bulk_create(links)
        print(f"  seeded {offset + size}/{posts} posts", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f}s")
    return workspace, user


def month_via_api(client, workspace_id: int, page_size: int) -> tuple[int, int, list[int]]:
    """All posts of the month through the API; returns (posts, pages, queries per page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/api/v1/workspaces/{workspace_id}/posts/"
    params = {"start": MONTH_START.isoformat(), "end": MONTH_END.isoformat(), "page_size": page_size}
    total, pages, queries = 0, 0, []
    next_url = None
    while True:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(next_url) if next_url else client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        total += len(body["results"])
        pages += 1
        queries.append(len(captured))
        next_url = body["next"]
        if not next_url:
            return total, pages, queries


def month_via_sql(workspace_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [workspace_id, MONTH_START, MONTH_END])
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    ensure_database(drop=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    workspace, user = seed(args.posts)
    client = Client()
    client.force_login(user)

    api_posts, pages, queries = month_via_api(client, workspace.pk, args.page_size)  # warm up
    sql_posts = month_via_sql(workspace.pk)
    assert api_posts == sql_posts, (api_posts, sql_posts)
    api_times, sql_times = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        month_via_api(client, workspace.pk, args.page_size)
        api_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        month_via_sql(workspace.pk)
        sql_times.append((time.perf_counter() - started) * 1000)

    api_p50, api_p95 = percentile(api_times, 0.5), percentile(api_times, 0.95)
    sql_p50, sql_p95 = percentile(sql_times, 0.5), percentile(sql_times, 0.95)
    print()
    print(f"workspace with {args.posts} posts; month {MONTH_START:%Y-%m}: {api_posts} posts")
    print(f"API month view ({pages} page(s) of up to {args.page_size}, {queries[0]} SQL queries per page):")
    print(
        f"  p50 {api_p50:8.1f} ms   p95 {api_p95:8.1f} ms"
        f"   (mean {statistics.mean(api_times):.1f} ms, n={args.runs})"
    )
    print("raw SQL, one statement with the same relations (json_agg):")
    print(
        f"  p50 {sql_p50:8.1f} ms   p95 {sql_p95:8.1f} ms"
        f"   (mean {statistics.mean(sql_times):.1f} ms, n={args.runs})"
    )
    print(f"ratio API / raw SQL: p50 {api_p50 / sql_p50:.2f}x   p95 {api_p95 / sql_p95:.2f}x")


if __name__ == "__main__":
    main()

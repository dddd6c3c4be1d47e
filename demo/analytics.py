"""Demo analytics history: 90 days of readings for a brand workspace's accounts and posts, so the analytics
pages are not empty in `make run` (issue 12).

`seed_demo_analytics(workspace)` runs once per workspace (it does nothing when the workspace already has
account readings) and:

- gives the workspace a history of published posts from 90 days ago to the end of last month (about two a
  day; this month is demo.content's), spread over its accounts at plausible local hours, each with a tag
  of every tag group, some in a past campaign, image posts on the platforms that carry images: posts
  made through `content.services.post_create` and marked
  published with a platform id, as the history a connected account brings with it; the demo's own posts
  of this month that the pipeline published are read as well;
- reads every account's daily figures and each post's figures as they grew (day 1, 2, 3, 7, 14, 30 and
  today) from the simulator's growth model (`platform_sim.metrics`: the same curves the simulated
  platforms answer with), under each platform's own metric keys from the registry (after Meta's 2025
  renames, the successor where the day is past the removal), and writes them with
  `analytics.services.snapshots_ingest`, the path real pulls write through.

Everything is a pure function of the ids and the day it runs, so it takes a few seconds, on SQLite too.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace, WorkspaceMember
from accounts.roles import Role
from analytics.metrics import Aggregation, Level, platform_metrics
from analytics.models import AccountDailyMetric
from analytics.services import SnapshotRow, snapshots_ingest
from channels_app.models import SocialAccount
from content import services
from content.models import Campaign, MediaAsset, Post, PostTarget, PostTargetMedia, TagGroup, TargetStatus
from platform_sim import metrics as growth

HISTORY_DAYS = 90
POSTS_PER_DAY = 2
READ_AFTER_DAYS = (1, 2, 3, 7, 14, 30)
IMAGE_PLATFORMS = frozenset({"instagram", "xiaohongshu", "weibo", "facebook", "douyin", "wechat_oa"})
# Local hours people post at, more often around lunch and the evening.
HOURS = (8, 9, 10, 12, 12, 13, 17, 18, 19, 20, 20, 21)
# A common metric -> the growth model's figure it is read from.
POST_FIGURE = {
    "views": "views",
    "reach": "reach",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "saves": "saves",
    "link_clicks": "clicks",
    "video_plays": "video_plays",
    "watch_time": "watch_seconds",
    "profile_visits": "profile_visits",
}
ACCOUNT_FIGURE = {
    "views": "views",
    "reach": "reach",
    "profile_visits": "profile_visits",
    "follower_growth": "new_followers",
}
PULL = uuid.UUID("00000000-0000-0000-0000-00000000de70")


def _draw(seed: str) -> float:
    """A number in [0, 1) fixed by `seed`."""
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") / 2**32


def followers_now(account: SocialAccount) -> int:
    """The account's audience today: between about 3,000 and 60,000, fixed by its id."""
    return int(3000 + 57000 * _draw(f"followers:{account.pk}") ** 2)


def _followers_on(account: SocialAccount, moment: datetime, now: datetime) -> int:
    # The growth model: about 0.3% a day (by luck) up to today's figure.
    daily = 0.003 * growth.luck(str(account.pk))
    days_before = max(0.0, (now - moment).total_seconds() / growth.DAY)
    return int(followers_now(account) / (1 + daily) ** days_before)


def _served(platform: str, level: Level, day: date):
    """The platform's metrics of `level` that it still served on `day`, each with the figure it is read
    from (metrics feeding no figure the model knows, such as Bilibili coins, by their own name)."""
    for metric in platform_metrics(platform, level=level):
        if not metric.available_on(day):
            continue
        if level == Level.POST:
            figure = POST_FIGURE.get(metric.feeds or "")
            if metric.feeds == "engagements":
                figure = "engagements"
            elif metric.feeds is None:
                figure = next((name for name in ("coins", "danmaku") if name in metric.key), None)
        else:
            figure = "followers" if metric.feeds == "followers" else ACCOUNT_FIGURE.get(metric.feeds or "")
        if figure:
            yield metric, figure


def _post_value(figures: dict[str, int], figure: str, metric) -> float:
    if figure == "engagements":
        value = figures["likes"] + figures["comments"] + figures["shares"] + figures["saves"]
    else:
        value = figures[figure]
    # Readings are in the platform's unit (watch time in milliseconds where the platform counts those).
    return round(value / metric.to_common) if metric.to_common else value


def _history_posts(workspace: Workspace, accounts: list[SocialAccount], now: datetime) -> int:
    """Published posts over the last HISTORY_DAYS days (see the module docstring). Returns how many."""
    actor = (
        WorkspaceMember.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("id").first()
        or WorkspaceMember.objects.filter(workspace=workspace).order_by("id").first()
    )
    if actor is None or not accounts:
        return 0
    actor = actor.user
    written = PostTarget.objects.filter(workspace=workspace).exclude(text="").order_by("pk")
    texts = list(written.values_list("text", flat=True)[:40]) or ["Lumière: new season, new glow."]
    groups = [list(group.tags.order_by("pk")) for group in TagGroup.objects.filter(workspace=workspace)]
    groups = [tags for tags in groups if tags]
    zone = workspace.tzinfo
    today = now.astimezone(zone).date()
    campaign = Campaign.objects.filter(workspace=workspace, name__startswith="★").first()
    if campaign is None:
        campaign = services.campaign_create(
            actor=actor,
            workspace=workspace,
            name="★ " + ("秋季焕亮" if workspace.language.startswith("zh") else "Autumn Glow"),
            starts_on=today - timedelta(days=70),
            ends_on=today - timedelta(days=40),
            color="#f59e0b",
        )
    image = MediaAsset.objects.filter(workspace=workspace, kind=MediaAsset.Kind.IMAGE).order_by("pk").first()
    made = 0
    for index in range(HISTORY_DAYS * POSTS_PER_DAY):
        day = today - timedelta(days=HISTORY_DAYS - index // POSTS_PER_DAY)
        if day >= today.replace(day=1):
            break  # this month's posts are demo.content's
        seed = f"{workspace.pk}:{index}"
        account = accounts[int(_draw("account:" + seed) * len(accounts))]
        hour = HOURS[int(_draw("hour:" + seed) * len(HOURS))]
        published_at = datetime.combine(day, time(hour, int(_draw("minute:" + seed) * 4) * 15), zone)
        if published_at >= now:
            continue
        tags = [tags[int(_draw(f"tag:{seed}:{n}") * len(tags))].pk for n, tags in enumerate(groups)]
        in_campaign = campaign.starts_on <= day <= campaign.ends_on and _draw("campaign:" + seed) < 0.7
        post = services.post_create(
            actor=actor,
            workspace=workspace,
            targets=[{"account": account.pk, "text": texts[index % len(texts)]}],
            campaign=campaign.pk if in_campaign else None,
            tags=tags,
        )
        target = post.targets.get()
        if image is not None and account.platform in IMAGE_PLATFORMS:
            PostTargetMedia.objects.create(target=target, media=image, position=0)
        # History the account brings with it: published before the demo began, as the platform says.
        external_id = f"hist-{workspace.pk}-{index}"
        PostTarget.objects.filter(pk=target.pk).update(
            status=TargetStatus.PUBLISHED, published_at=published_at, external_id=external_id
        )
        Post.objects.filter(pk=post.pk).update(status=TargetStatus.PUBLISHED, scheduled_at=published_at)
        made += 1
    return made


def _account_rows(account: SocialAccount, now: datetime, zone) -> list[SnapshotRow]:
    rows = []
    today = now.astimezone(zone).date()
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        # Read once a day, just before the day ends in the workspace's zone.
        captured = datetime.combine(day, time(23, 30), zone)
        followers = _followers_on(account, captured, now)
        figures = growth.account_day(
            str(account.pk), followers=followers, day_index=(day - date(1970, 1, 1)).days
        )
        for metric, figure in _served(account.platform, Level.ACCOUNT, day):
            if metric.aggregation == Aggregation.LAST and figure != "followers":
                continue  # running totals of the account itself: the demo reads the daily ones only
            value = followers if figure == "followers" else figures[figure]
            rows.append(SnapshotRow(account.pk, metric.key, value, captured, PULL))
    return rows


def _post_rows(targets, now: datetime, zone) -> list[SnapshotRow]:
    rows = []
    accounts = {}
    for target in targets:
        account = accounts.setdefault(target.account_id, target.account)
        published = target.published_at
        audience = _followers_on(account, published, now)
        moments = [published + timedelta(days=days) for days in READ_AFTER_DAYS]
        moments = [moment for moment in moments if moment < now] + [now]
        post_id = target.external_id or f"demo-{target.pk}"
        for moment in moments:
            figures = growth.post_figures(
                post_id, created_at=published.timestamp(), now=moment.timestamp(), followers=audience
            )
            day = moment.astimezone(zone).date()
            for metric, figure in _served(account.platform, Level.POST, day):
                value = _post_value(figures, figure, metric)
                rows.append(SnapshotRow(account.pk, metric.key, value, moment, PULL, post_id, target.pk))
    return rows


def seed_demo_analytics(workspace: Workspace, *, now: datetime | None = None) -> str:
    """The workspace's 90 days of history (see the module docstring); a line saying what was done."""
    if AccountDailyMetric.objects.filter(workspace=workspace).exists():
        return f"{workspace.name}: analytics history already present."
    now = (now or timezone.now()).astimezone(UTC)
    zone = workspace.tzinfo
    connected = SocialAccount.objects.filter(workspace=workspace, disconnected_at__isnull=True)
    accounts = list(connected.order_by("pk"))
    with transaction.atomic():
        # Platforms without a metrics API (assisted publishing) have no figures to show.
        measured = [a for a in accounts if platform_metrics(a.platform, level=Level.POST)]
        posts = _history_posts(workspace, measured, now)
        targets = list(
            PostTarget.objects.filter(
                workspace=workspace, published_at__isnull=False, published_at__lte=now
            ).select_related("account")
        )
        rows = [row for account in accounts for row in _account_rows(account, now, zone)]
        rows += _post_rows(targets, now, zone)
        result = snapshots_ingest(rows, workspace=workspace)
    return (
        f"{workspace.name}: {posts} published posts of history, {result.snapshots_written} metric readings "
        f"over {HISTORY_DAYS} days."
    )

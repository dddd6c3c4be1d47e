"""Demo competitors: three rival brands of Lumière with accounts on five platforms and 90 days of history
(daily follower readings, about a post a day per account with its figures as they grew), so the
competitor pages are not empty in `make run` (issue 14).

`seed_demo_competitors(workspace)` adds the brands once per organization (the organization's brand
group is shared) and benchmarks them in the workspace once. Figures come from the simulator's growth
model (platform_sim.metrics), stored the way pulls store them: snapshots tagged with the source that
would have read them. `seed_demo_competitors_on_simulator(sim)` creates the same accounts on the
simulator (with the posts still inside their tracking window), so the scheduled pulls that follow in
`make run` find the accounts and posts they already know instead of reporting them gone.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from competitors.models import (
    BenchmarkedBrand,
    BrandGroup,
    CompetitorAlertSettings,
    CompetitorBrand,
    RivalAccount,
    RivalPost,
    RivalSnapshot,
)
from competitors.services import alert_settings_update, rival_alerts_evaluate
from competitors.services.pulls import track_days
from competitors.sources.registry import source_class
from competitors.text import hashtags
from platform_sim import metrics as growth

HISTORY_DAYS = 90
READ_AFTER_DAYS = (1, 3, 7)
# brand -> [(platform, handle, followers now, posts per week)]
RIVALS = {
    "Belle Rose 美丽玫瑰": [
        ("douyin", "bellerose_dy", 820_000, 6),
        ("xiaohongshu", "bellerose_xhs", 310_000, 5),
        ("weibo", "bellerose_wb", 1_250_000, 7),
    ],
    "Jade Glow 玉光": [
        ("wechat_oa", "jadeglow_oa", 95_000, 3),
        ("douyin", "jadeglow_dy", 460_000, 4),
        ("x", "jadeglow", 38_000, 5),
    ],
    "Nordic Bloom": [
        ("x", "nordicbloom", 120_000, 7),
        ("weibo", "nordicbloom_cn", 210_000, 3),
    ],
}
TOPICS = ("#新品上市#", "#护肤#", "#春季限定#", "#成分党#", "#直播#", "#launch", "#skincare")
KINDS = {"douyin": "video", "xiaohongshu": "image", "weibo": "image", "wechat_oa": "article", "x": "text"}
# The simulator's raw names for each common figure, per source.
RAW = {
    "x.public_metrics": {
        "like_count": "likes",
        "reply_count": "comments",
        "retweet_count": "shares",
        "impression_count": "views",
    },
    "provider": {
        "play_count": "views",
        "like_count": "likes",
        "comment_count": "comments",
        "share_count": "shares",
    },
}


def _external_id(platform: str, handle: str) -> str:
    return f"demo-{platform}-{hashlib.sha256(handle.encode()).hexdigest()[:10]}"


def _share(seed: str) -> float:
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _posts_of(platform: str, handle: str, followers: int, per_week: int, now: datetime):
    """(post id, published_at, text, kind) of the account's history, oldest first."""
    out = []
    for day in range(HISTORY_DAYS, 0, -1):
        if _share(f"{handle}:{day}") > per_week / 7:
            continue
        hour = 9 + int(_share(f"{handle}:{day}:h") * 12)  # 09-20 UTC+8 becomes 01-12 UTC
        published = (now - timedelta(days=day)).replace(
            hour=hour % 24, minute=int(_share(f"{handle}{day}m") * 59), second=0, microsecond=0
        ) - timedelta(hours=8)
        topic = TOPICS[int(_share(f"{handle}:{day}:t") * len(TOPICS))]
        post_id = f"{int(published.timestamp())}{day:03d}"
        out.append((post_id, published, f"{topic} {handle} {day}", KINDS.get(platform, "text")))
    return out


def _raw_figures(source_key: str, figures: dict[str, int]) -> dict[str, float]:
    mapping = RAW.get(source_key, RAW["provider"])
    return {raw: float(figures[common]) for raw, common in mapping.items()}


def seed_demo_competitors(workspace: Workspace, *, now: datetime | None = None) -> str:
    now = (now or timezone.now()).astimezone(UTC)
    with transaction.atomic():
        group, _created = BrandGroup.objects.get_or_create(organization_id=workspace.organization_id)
        made = 0
        for name, accounts in RIVALS.items():
            brand, created = CompetitorBrand.objects.get_or_create(
                group=group, name=name, defaults={"organization_id": workspace.organization_id}
            )
            BenchmarkedBrand.objects.get_or_create(workspace=workspace, brand=brand)
            if created:
                made += sum(_seed_account(brand, *account, now=now) for account in accounts)
    alerts = seed_demo_alerts(workspace, now=now)
    if not made:
        return f"{workspace.name}: competitors already present."
    return (
        f"{workspace.name}: {len(RIVALS)} competitors, {made} rival readings over {HISTORY_DAYS} days, "
        f"{alerts} alerts."
    )


DEMO_KEYWORDS = ["新品", "launch"]


def seed_demo_alerts(workspace: Workspace, *, now: datetime) -> int:
    """Watch the demo's keywords (once) and run the alert rules over every rival, as a pull would: the
    alerts list and the bell have something in them. Evaluating again raises nothing new."""
    if not CompetitorAlertSettings.objects.filter(workspace=workspace).exists():
        alert_settings_update(actor=None, workspace=workspace, keywords=DEMO_KEYWORDS)
    made = 0
    for rival_id in RivalAccount.objects.filter(brand__benchmarked_in__workspace=workspace).values_list(
        "pk", flat=True
    ):
        made += len(rival_alerts_evaluate(rival_id=rival_id, now=now))
    return made


def _seed_account(brand, platform: str, handle: str, followers: int, per_week: int, *, now: datetime) -> int:
    source = source_class(platform)
    key = source.key
    account = RivalAccount.objects.create(
        brand=brand,
        organization_id=brand.organization_id,
        platform=platform,
        external_id=_external_id(platform, handle),
        handle=handle,
        display_name=brand.name,
        followers=followers,
        source=key,
        first_pulled_at=now - timedelta(days=HISTORY_DAYS),
        last_pulled_at=now,
        profile_url=f"https://data.provider.example/{platform}/{handle}" if not source.official else "",
    )
    created_at = (now - timedelta(days=HISTORY_DAYS + 30)).timestamp()
    snapshots = [
        RivalSnapshot(
            rival=account,
            metric="followers",
            value=growth.followers_on(
                account.external_id,
                followers_now=followers,
                created_at=created_at,
                when=(now - timedelta(days=day)).timestamp(),
            ),
            captured_at=now - timedelta(days=day),
            source=key,
        )
        for day in range(HISTORY_DAYS, -1, -1)
    ]
    posts = []
    window = timedelta(days=track_days(platform))
    for post_id, published, text, kind in _posts_of(platform, handle, followers, per_week, now):
        reads = [
            published + timedelta(days=d) for d in READ_AFTER_DAYS if published + timedelta(days=d) < now
        ]
        reads = reads or [now]
        figures = {}
        for read in reads:
            figures = growth.post_figures(
                post_id, created_at=published.timestamp(), now=read.timestamp(), followers=followers
            )
            for raw_key, value in _raw_figures(key, figures).items():
                snapshots.append(
                    RivalSnapshot(
                        rival=account,
                        platform_post_id=post_id,
                        metric=raw_key,
                        value=value,
                        captured_at=read,
                        source=key,
                    )
                )
        common = source.common_figures(_raw_figures(key, figures))
        posts.append(
            RivalPost(
                rival=account,
                platform_post_id=post_id,
                published_at=published,
                text=text,
                media_kind=kind,
                hashtags=hashtags(text),
                source=key,
                track_until=published + window,
                figures_at=reads[-1],
                url=f"https://data.provider.example/{platform}/post/{post_id}",
                **{k: common[k] for k in ("likes", "comments", "shares", "views", "engagements")},
            )
        )
    RivalPost.objects.bulk_create(posts)
    RivalSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return len(snapshots)


def seed_demo_competitors_on_simulator(sim, *, now: datetime | None = None) -> int:
    """The demo rivals' accounts, and their stored posts still inside the tracking window, on the
    simulator, which forgets everything when it stops: called at every `seed_demo` with it running."""
    now = (now or timezone.now()).astimezone(UTC)
    handles = [handle for accounts in RIVALS.values() for _platform, handle, _f, _w in accounts]
    count = 0
    for rival in RivalAccount.objects.filter(handle__in=handles).order_by("pk"):
        if any(a["external_id"] == rival.external_id for a in sim.accounts(rival.platform)):
            continue
        sim.create_account(
            rival.platform,
            handle=rival.handle,
            external_id=rival.external_id,
            followers=rival.followers or 0,
            created_at=(now - timedelta(days=HISTORY_DAYS + 30)).timestamp(),
        )
        tracked = RivalPost.objects.filter(rival=rival, track_until__gt=now, deleted_at__isnull=True)
        for post in tracked.order_by("published_at"):
            sim.seed_post(
                rival.platform,
                rival.external_id,
                text=post.text,
                created_at=post.published_at.timestamp(),
                kind=post.media_kind or "text",
                post_id=post.platform_post_id,
            )
        count += 1
    return count

"""Metrics contract of the global connectors (X, Mastodon, Bluesky, Facebook, Instagram, LinkedIn, TikTok,
YouTube) against platform_sim (issue 12, acceptance 1).

The simulator computes every figure from platform_sim.metrics' growth model; these tests compute the
same figures independently and compare. A post's figures grow continuously, so the tests pin the
simulator's clock for the account (option `metrics_now`) and compute the model at that instant.
Each platform's case says how to connect, how to publish one post, and which platform metric is which
model figure (written out here, not imported from the simulator: the mapping is what is under test).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from channels_app.connectors.base import Credentials, MediaItem, MetricsResult, PostPayload
from channels_app.connectors.errors import AuthExpired, RateLimited
from channels_app.connectors.registry import connector_for
from platform_sim import metrics

from .contract_cases import mp4

FOLLOWERS = 5000
DAY = 86400.0


def jpeg(n: int) -> MediaItem:
    return MediaItem(
        kind="image",
        filename=f"{n}.jpg",
        content_type="image/jpeg",
        size=1000,
        url=f"https://cdn.kawo.example/{n}.jpg",
    )


def figures_at(post: dict[str, Any], now: float) -> dict[str, int]:
    return metrics.post_figures(post["id"], created_at=post["created_at"], now=now, followers=FOLLOWERS)


def followers_at(account: dict[str, Any], when: float) -> int:
    return metrics.followers_on(
        account["external_id"], followers_now=FOLLOWERS, created_at=account["created_at"], when=when
    )


def day_figures(account_id: str, day: date) -> dict[str, int]:
    return metrics.account_day(account_id, followers=FOLLOWERS, day_index=(day - date(1970, 1, 1)).days)


@dataclass(frozen=True)
class MetricsCase:
    platform: str
    # the post as our publishing sends it
    post: Callable[[int], PostPayload]
    # model figures (platform_sim.metrics.post_figures) -> {platform metric: value}
    post_metrics: Callable[[dict[str, int]], dict[str, int]]
    # a post metric the platform can stop serving (metrics_removed)
    removable_post_metric: str
    credentials: Callable[[Any], Credentials] = lambda account: Credentials(
        access_token=account.access_token, refresh_token=account.refresh_token
    )
    # (account as /_sim/accounts lists it, since, until, sim clock) -> {(platform metric, day or None): value}
    account_metrics: Callable[[dict, date, date, float], dict[tuple[str, date | None], int]] | None = None
    removable_account_metric: str = ""
    renamed: tuple[str, str] | None = None  # (old name the platform refuses, new name)
    flags_late_days: bool = False
    refreshes: bool = True
    # the post's id as our publishing stores it (the simulator's post row -> the platform's id)
    external_id: Callable[[dict], str] = lambda post: post["id"]
    # the account's id in the figures (LinkedIn: the organisation's URN, not the member's id)
    account_id: Callable[[Any], str] = lambda account: account.external_id
    sim_options: dict[str, Any] = field(default_factory=dict)


def x_post_metrics(f: dict[str, int]) -> dict[str, int]:
    return {
        "impression_count": f["views"],
        "like_count": f["likes"],
        "reply_count": f["comments"],
        "retweet_count": f["shares"],
        "quote_count": f["shares"] // 5,
        "bookmark_count": f["saves"],
        "url_link_clicks": f["clicks"],
        "user_profile_clicks": f["profile_visits"],
    }


def x_account_metrics(account, since, until, now):
    return {("followers_count", None): followers_at(account, now)}


CASES = [
    MetricsCase(
        platform="x",
        post=lambda n: PostPayload(text=f"Metrics day {n} https://kawo.example/m/{n}"),
        post_metrics=x_post_metrics,
        removable_post_metric="bookmark_count",
        credentials=lambda account: Credentials(
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            extra={"user_id": account.external_id},
        ),
        account_metrics=x_account_metrics,
        removable_account_metric="followers_count",
    ),
]
CASES += [
    MetricsCase(
        platform="mastodon",
        post=lambda n: PostPayload(text=f"Metrics day {n}"),
        post_metrics=lambda f: {
            "replies_count": f["comments"],
            "reblogs_count": f["shares"],
            "favourites_count": f["likes"],
        },
        removable_post_metric="reblogs_count",
        credentials=lambda account: Credentials(
            access_token=account.access_token, extra={"account_id": account.external_id}
        ),
        account_metrics=lambda account, since, until, now: {
            ("followers_count", None): followers_at(account, now)
        },
        removable_account_metric="followers_count",
        refreshes=False,  # tokens live until revoked: there is no refresh grant
    ),
]
CASES += [
    MetricsCase(
        platform="bluesky",
        post=lambda n: PostPayload(text=f"Metrics day {n}"),
        post_metrics=lambda f: {
            "likeCount": f["likes"],
            "repostCount": f["shares"],
            "replyCount": f["comments"],
            "quoteCount": f["shares"] // 5,
        },
        removable_post_metric="quoteCount",
        credentials=lambda account: Credentials(
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            extra={"did": account.external_id},
        ),
        external_id=lambda post: post["extra"]["uri"],
        account_metrics=lambda account, since, until, now: {
            ("followersCount", None): followers_at(account, now)
        },
        removable_account_metric="followersCount",
    ),
]


def day_end(day: date) -> float:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC).timestamp()


def each_day(since: date, until: date):
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)


def facebook_account_metrics(account, since, until, now):
    expected = {}
    for day in each_day(since, until):
        f = day_figures(account["external_id"], day)
        expected |= {
            ("page_media_view", day): f["views"],
            ("page_total_media_view_unique", day): f["reach"],
            ("page_views_total", day): f["profile_visits"],
            ("page_daily_follows_unique", day): f["new_followers"],
            ("page_follows", day): followers_at(account, day_end(day)),
        }
    return expected


CASES += [
    MetricsCase(
        platform="facebook",
        post=lambda n: PostPayload(text=f"Metrics day {n}"),
        post_metrics=lambda f: {
            "post_media_view": f["views"],
            "post_total_media_view_unique": f["reach"],
            "post_clicks": f["clicks"],
            "post_reactions_like_total": f["likes"],
            "post_video_views": f["video_plays"],
        },
        removable_post_metric="post_clicks",
        credentials=lambda account: Credentials(
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            extra={"page_id": account.external_id},
        ),
        account_metrics=facebook_account_metrics,
        removable_account_metric="page_views_total",
        renamed=("page_fans", "page_follows"),
        flags_late_days=True,
    ),
]


def instagram_account_metrics(account, since, until, now):
    expected = {("followers_count", None): followers_at(account, now)}
    days = {day: day_figures(account["external_id"], day) for day in each_day(since, until)}
    for day, f in days.items():
        expected |= {("reach", day): f["reach"], ("follower_count", day): f["new_followers"]}
    # views and profile_views: one total_value for the range
    expected[("views", until)] = sum(f["views"] for f in days.values())
    expected[("profile_views", until)] = sum(f["profile_visits"] for f in days.values())
    return expected


CASES += [
    MetricsCase(
        platform="instagram",
        post=lambda n: PostPayload(text=f"Metrics day {n}", media=(jpeg(n),)),
        post_metrics=lambda f: {
            "views": f["views"],
            "reach": f["reach"],
            "likes": f["likes"],
            "comments": f["comments"],
            "shares": f["shares"],
            "saved": f["saves"],
            "total_interactions": f["likes"] + f["comments"] + f["shares"] + f["saves"],
        },
        removable_post_metric="saved",
        credentials=lambda account: Credentials(
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            extra={"ig_user_id": account.external_id},
        ),
        account_metrics=instagram_account_metrics,
        removable_account_metric="profile_views",
        renamed=("impressions", "views"),
        flags_late_days=True,
        # a long-lived token is refreshed with itself while still valid; an expired one means reconnecting
        refreshes=False,
    ),
]
CASES += [
    MetricsCase(
        platform="tiktok",
        post=lambda n: PostPayload(
            text=f"Metrics day {n}",
            media=(
                MediaItem(
                    kind="video",
                    filename=f"clip-{n}.mp4",
                    content_type="video/mp4",
                    size=12_000_000,
                    url=f"https://media.kawo.example/clips/{n}.mp4",
                ),
            ),
        ),
        post_metrics=lambda f: {
            "view_count": f["views"],
            "like_count": f["likes"],
            "comment_count": f["comments"],
            "share_count": f["shares"],
        },
        removable_post_metric="share_count",
        sim_options={"verified_domains": ["https://media.kawo.example/"], "status_polls": 0},
        account_metrics=lambda account, since, until, now: {
            ("follower_count", None): followers_at(account, now),
            ("likes_count", None): 0,  # no videos yet
            ("video_count", None): 0,
        },
        removable_account_metric="likes_count",
    ),
]


def youtube_account_metrics(account, since, until, now):
    followers = followers_at(account, now)
    scale = 10 ** max(0, len(str(followers)) - 3)  # YouTube rounds down to three significant figures
    expected = {("subscriberCount", None): followers // scale * scale}
    for day in each_day(since, until):
        f = day_figures(account["external_id"], day)
        expected |= {
            ("views", day): f["views"],
            ("estimatedMinutesWatched", day): f["views"] // 2,
            ("averageViewDuration", day): 30 if f["views"] else 0,
            ("subscribersGained", day): f["new_followers"],
        }
    return expected


CASES += [
    MetricsCase(
        platform="youtube",
        post=lambda n: PostPayload(text=f"Metrics day {n}", title=f"Metrics {n}", media=(mp4(),)),
        post_metrics=lambda f: {
            "viewCount": f["views"],
            "likeCount": f["likes"],
            "commentCount": f["comments"],
            "estimatedMinutesWatched": f["watch_seconds"] // 60,
            "averageViewDuration": f["watch_seconds"] // max(f["views"], 1),
            "shares": f["shares"],
        },
        removable_post_metric="shares",
        account_metrics=youtube_account_metrics,
        removable_account_metric="averageViewDuration",
        flags_late_days=True,
    ),
]
ORGANIZATION = "urn:li:organization:2414183"


def linkedin_share_statistics(f: dict[str, int]) -> dict[str, float]:
    stats = {
        "impressionCount": f["views"],
        "uniqueImpressionsCount": f["reach"],
        "clickCount": f["clicks"],
        "likeCount": f["likes"],
        "commentCount": f["comments"],
        "shareCount": f["shares"],
    }
    acted = f["clicks"] + f["likes"] + f["comments"] + f["shares"]
    return {**stats, "engagement": acted / f["views"] if f["views"] else 0.0}


def linkedin_account_metrics(account, since, until, now):
    expected = {("firstDegreeSize", None): followers_at(account, now)}
    for day in each_day(since, until):
        f = day_figures(account["external_id"], day)
        views = f["views"]
        expected |= {
            ("organicFollowerGain", day): f["new_followers"],
            ("paidFollowerGain", day): 0,
            ("impressionCount", day): views,
            ("uniqueImpressionsCount", day): f["reach"],
            # the model has no clicks or reactions per organisation day: fixed fractions of impressions
            ("clickCount", day): views // 75,
            ("likeCount", day): views // 30,
            ("commentCount", day): views // 200,
            ("shareCount", day): views // 250,
        }
    return expected


CASES += [
    MetricsCase(
        platform="linkedin",
        post=lambda n: PostPayload(text=f"Metrics day {n}"),
        post_metrics=linkedin_share_statistics,
        removable_post_metric="clickCount",
        sim_options={"organizations": [ORGANIZATION]},
        credentials=lambda account: Credentials(
            access_token=account.access_token,
            refresh_token=account.refresh_token,
            extra={"author": ORGANIZATION},
        ),
        account_id=lambda account: ORGANIZATION,
        account_metrics=linkedin_account_metrics,
        removable_account_metric="paidFollowerGain",
        flags_late_days=True,
    ),
]
BY_PLATFORM = {case.platform: case for case in CASES}
PLATFORMS = [case.platform for case in CASES]


def sim_account(platform_sim, case: MetricsCase, **options):
    options = {**case.sim_options, **options}
    return platform_sim.create_account(case.platform, followers=FOLLOWERS, options=options or None)


def listed(platform_sim, platform: str, external_id: str) -> dict[str, Any]:
    """The account as the simulator lists it (created_at is the followers curve's reference)."""
    rows = platform_sim._call("GET", "/accounts", params={"platform": platform})["accounts"]
    row = next(r for r in rows if r["external_id"] == external_id)
    return row


def publish_one(platform_sim, case: MetricsCase, account, n: int = 1) -> dict[str, Any]:
    connector = connector_for(case.platform)
    connector.publish(case.credentials(account), case.post(n))
    return platform_sim.posts(case.platform, account.external_id)[0]


def values_of(result: MetricsResult, entity: str) -> dict[str, float]:
    return {v.key: v.value for v in result.values if v.entity == entity}


def unavailable_of(result: MetricsResult) -> dict[str, str]:
    return {u.key: u.reason for u in result.unavailable}


def not_renamed(unavailable: list) -> list:
    """What is missing for another reason than a rename (renames are recorded on every pull)."""
    return [u for u in unavailable if u.reason != "renamed"]


def day_of(period_end: datetime | None) -> date | None:
    """The day a daily figure covers (its period ends at the next midnight, UTC); None for a figure read
    at an instant (followers now)."""
    if period_end is None or period_end.time() != datetime.min.time():
        return None
    return period_end.date() - timedelta(days=1)


def pin_clock(platform_sim, case, account, when: float) -> None:
    platform_sim.set_options(case.platform, account.external_id, metrics_now=when)


# --- post metrics ---


@pytest.mark.parametrize("platform", PLATFORMS)
def test_post_figures_arrive_as_the_growth_model_computes_them(platform_sim, platform):
    # given a post, and the platform's clock three days after it
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    now = post["created_at"] + 3 * DAY
    pin_clock(platform_sim, case, account, now)

    # when
    result = connector_for(platform).fetch_post_metrics(case.credentials(account), [case.external_id(post)])

    # then every metric is the model's figure, for that post
    assert values_of(result, "post") == case.post_metrics(figures_at(post, now))
    assert {v.external_id for v in result.values} == {case.external_id(post)}
    assert not_renamed(result.unavailable) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_removed_post_metric_is_recorded_and_the_rest_still_arrive(platform_sim, platform):
    # given the platform no longer serves one metric
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    now = post["created_at"] + DAY
    platform_sim.set_options(
        platform, account.external_id, metrics_now=now, metrics_removed=[case.removable_post_metric]
    )

    # when
    result = connector_for(platform).fetch_post_metrics(case.credentials(account), [case.external_id(post)])

    # then
    expected = case.post_metrics(figures_at(post, now))
    expected.pop(case.removable_post_metric)
    assert values_of(result, "post") == expected
    missing = [u for u in result.unavailable if u.key == case.removable_post_metric]
    assert len(missing) == 1 and missing[0].external_id == case.external_id(post)
    assert missing[0].reason in ("removed", "not_offered")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_429_on_the_metrics_call_is_rate_limited_with_its_retry_after(platform_sim, platform):
    # given
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    platform_sim.add_fault("rate_limit", platform=platform, operation="metrics_post", retry_after=42)

    # when / then
    with pytest.raises(RateLimited) as raised:
        connector_for(platform).fetch_post_metrics(case.credentials(account), [case.external_id(post)])
    assert 42 <= raised.value.retry_after <= 43


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_expired_token_is_auth_expired_and_the_call_works_after_one_refresh(platform_sim, platform):
    # given a post, then the access token expires
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    connector = connector_for(platform)
    platform_sim.expire_token(platform=platform, external_id=account.external_id, kind="access")

    # when / then: the metrics call says so the way publishing's calls do (publishing.retry refreshes once
    # on AuthExpired); after the refresh the same call goes through
    with pytest.raises(AuthExpired):
        connector.fetch_post_metrics(case.credentials(account), [case.external_id(post)])
    if not case.refreshes:
        return
    tokens = connector.refresh(case.credentials(account))
    refreshed = Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or account.refresh_token,
        extra={**case.credentials(account).extra, **tokens.extra},
    )
    result = connector.fetch_post_metrics(refreshed, [case.external_id(post)])
    assert values_of(result, "post")


# --- account metrics ---


def account_cases() -> list[str]:
    return [case.platform for case in CASES if case.account_metrics is not None]


@pytest.mark.parametrize("platform", account_cases())
def test_account_figures_arrive_as_the_growth_model_computes_them(platform_sim, platform):
    # given an account and the last week
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case)
    now = time.time()
    pin_clock(platform_sim, case, account, now)
    until = datetime.fromtimestamp(now, UTC).date()
    since = until - timedelta(days=6)

    # when
    result = connector_for(platform).fetch_account_metrics(
        case.credentials(account), since=since, until=until
    )

    # then
    row = listed(platform_sim, platform, account.external_id)
    got = {(v.key, day_of(v.period_end)): v.value for v in result.values}
    assert got == case.account_metrics(row, since, until, now)
    assert {v.external_id for v in result.values} == {case.account_id(account)}
    assert not_renamed(result.unavailable) == []


@pytest.mark.parametrize("platform", account_cases())
def test_a_removed_account_metric_is_recorded_and_the_rest_still_arrive(platform_sim, platform):
    # given the platform no longer serves one account metric
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case, metrics_removed=[case.removable_account_metric])
    until = datetime.now(UTC).date()
    since = until - timedelta(days=2)

    # when
    result = connector_for(platform).fetch_account_metrics(
        case.credentials(account), since=since, until=until
    )

    # then
    assert case.removable_account_metric not in {v.key for v in result.values}
    missing = {(u.key, u.reason) for u in not_renamed(result.unavailable)}
    assert missing == {(case.removable_account_metric, "removed")}
    row = listed(platform_sim, platform, account.external_id)
    expected = case.account_metrics(row, since, until, time.time())
    assert {k for k in expected if k[0] != case.removable_account_metric} == {
        (v.key, day_of(v.period_end)) for v in result.values
    }


@pytest.mark.parametrize("platform", [case.platform for case in CASES if case.renamed])
def test_a_renamed_metric_is_recorded_with_its_new_name_and_the_new_one_arrives(platform_sim, platform):
    # given a platform that refuses the old name (Meta's 2025 renames)
    case = BY_PLATFORM[platform]
    old, new = case.renamed
    account = sim_account(platform_sim, case)
    until = datetime.now(UTC).date()

    # when
    result = connector_for(platform).fetch_account_metrics(
        case.credentials(account), since=until, until=until
    )

    # then
    renamed = [u for u in result.unavailable if u.key == old]
    assert [(u.reason, u.replaced_by, u.external_id) for u in renamed] == [
        ("renamed", new, case.account_id(account))
    ]
    assert new in {v.key for v in result.values}
    assert old not in {v.key for v in result.values}


@pytest.mark.parametrize("platform", [case.platform for case in CASES if case.flags_late_days])
def test_late_days_are_flagged_and_a_day_not_ready_is_recorded_as_late(platform_sim, platform):
    # given the platform has not finished today's figures
    case = BY_PLATFORM[platform]
    account = sim_account(platform_sim, case, metrics_late_days=1)
    until = datetime.now(UTC).date()
    since = until - timedelta(days=4)

    # when
    result = connector_for(platform).fetch_account_metrics(
        case.credentials(account), since=since, until=until
    )

    # then today's daily figures are missing as late, yesterday's are flagged late, older ones final
    per_key = Counter(v.key for v in result.values)
    daily = {(v.key, day_of(v.period_end)): v.late for v in result.values if per_key[v.key] > 1}
    assert not any(day == until for _, day in daily)
    assert {u.reason for u in result.unavailable if u.detail.endswith(str(until))} == {"late"}
    assert all(late for (_, day), late in daily.items() if day == until - timedelta(days=1))
    assert not any(late for (_, day), late in daily.items() if day == since)


# --- platform rules ---


def test_linkedin_statistics_before_the_last_12_months_are_too_old_and_the_rest_arrive(platform_sim):
    # given a range that starts 400 days ago (LinkedIn keeps organisation statistics for 12 months)
    case = BY_PLATFORM["linkedin"]
    account = sim_account(platform_sim, case)
    until = datetime.now(UTC).date()
    since = until - timedelta(days=400)

    # when
    result = connector_for("linkedin").fetch_account_metrics(
        case.credentials(account), since=since, until=until
    )

    # then the old days are recorded as too old, the last 365 days arrive
    too_old = {u.key for u in result.unavailable if u.reason == "too_old"}
    assert "impressionCount" in too_old and "organicFollowerGain" in too_old
    days = sorted({day_of(v.period_end) for v in result.values if v.key == "impressionCount"})
    assert days[0] == until - timedelta(days=364) and days[-1] == until


def test_x_private_metrics_of_a_post_over_30_days_old_are_too_old_and_public_ones_arrive(platform_sim):
    # given X's clock 31 days after the post (non-public metrics: posts under 30 days old only)
    case = BY_PLATFORM["x"]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    now = post["created_at"] + 31 * DAY
    pin_clock(platform_sim, case, account, now)

    # when
    result = connector_for("x").fetch_post_metrics(case.credentials(account), [case.external_id(post)])

    # then the public ones are the model's, the private ones are recorded as too old
    expected = case.post_metrics(figures_at(post, now))
    assert values_of(result, "post") == {
        k: v for k, v in expected.items() if k not in ("url_link_clicks", "user_profile_clicks")
    }
    assert unavailable_of(result) == {"url_link_clicks": "too_old", "user_profile_clicks": "too_old"}
    # X was asked (and refused with a Field Authorization Error): our clock and X's may disagree
    assert platform_sim.requests("x", "metrics_post", account.external_id) == 2


def test_bluesky_counts_come_from_the_appview_only_through_the_atproto_proxy_header(platform_sim):
    # given a post on the PDS
    case = BY_PLATFORM["bluesky"]
    account = sim_account(platform_sim, case)
    post = publish_one(platform_sim, case, account)
    url = f"{platform_sim.url('bluesky')}/xrpc/app.bsky.feed.getPosts"
    params = {"uris": post["extra"]["uri"]}
    auth = {"Authorization": f"Bearer {account.access_token}"}

    # when asked as a plain PDS, then as the PDS proxying to the AppView
    plain = httpx.get(url, params=params, headers=auth)
    proxied = httpx.get(
        url, params=params, headers={**auth, "atproto-proxy": "did:web:api.bsky.app#bsky_appview"}
    )

    # then the PDS alone has no AppView (what tests/peers' real PDS answers), the proxied read has counts
    assert plain.status_code == 400
    assert plain.json() == {
        "error": "InvalidRequest",
        "message": "No service configured for app.bsky.feed.getPosts",
    }
    assert proxied.status_code == 200
    assert proxied.json()["posts"][0]["uri"] == post["extra"]["uri"]
    assert "likeCount" in proxied.json()["posts"][0]

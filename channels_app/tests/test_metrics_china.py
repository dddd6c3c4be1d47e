"""Metric calls of the Chinese platforms' connectors against the simulator (issue 12, acceptance 1).

For WeChat OA, Weibo, Douyin, Kuaishou and Bilibili: the figures arrive equal to platform_sim.metrics'
model (read through platform_sim.platforms.cn_metrics, Beijing days); a removed metric leaves the rest
and is recorded; a 429 with Retry-After is RateLimited with that retry_after; an expired token is
AuthExpired, which publishing.retry classifies as "refresh once", and after refresh() the same call
succeeds. Platform-specific constraints: WeChat's data cube (yesterday at most, 1-7 day windows, the
retired getuserread answered by its replacement getbizsummary: a renamed metric, and `is_delay` late
flags), Douyin (data from the day after authorisation, a follower minimum).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from channels_app.connectors.base import Connector, Credentials, MetricsResult, PostPayload
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected
from channels_app.connectors.registry import connector_for
from platform_sim import metrics
from platform_sim.platforms import cn_metrics as cm
from platform_sim.state import Account
from publishing.retry import Action, RetryPolicy, classify

from .contract_cases import case_for, mp4
from .test_connector_contract import REDIRECT_URI, settle

DAY = 86400.0
CN_PLATFORMS = ["wechat_oa", "weibo", "douyin", "kuaishou", "bilibili"]


@dataclass(frozen=True)
class MetricCase:
    platform: str
    account_op: str  # the simulator operation of the account-metrics call (fault rules target it)
    post_op: str  # likewise for post metrics
    removable_account_key: str  # a platform metric the test removes; the rest must still arrive
    removable_post_key: str
    post: PostPayload | None = None  # None: the contract case's minimal post


CASES = {
    "wechat_oa": MetricCase("wechat_oa", "metrics_account", "metrics_post", "cancel_user", "share_user"),
    "weibo": MetricCase("weibo", "profile", "metrics_post", "followers_count", "attitudes"),
    "douyin": MetricCase("douyin", "metrics_account", "metrics_post", "profile_uv", "total_share"),
    "kuaishou": MetricCase("kuaishou", "profile", "list", "fan", "comment_count"),
    "bilibili": MetricCase(
        "bilibili",
        "metrics_account",
        "metrics_post",
        "arc_passed_total",
        "coin",
        post=PostPayload(title="开箱测评", text="一段视频", media=(mp4(),)),
    ),
}


@pytest.fixture
def make_connector(settings):
    made: list[Connector] = []

    def make(platform: str) -> Connector:
        app = case_for(platform).app if platform in CASES else {}  # assisted platforms have no contract case
        settings.PLATFORMS = {**settings.PLATFORMS, platform: {**settings.PLATFORMS[platform], **app}}
        connector = connector_for(platform)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def connected(platform_sim, connector: Connector, *, followers: int = 5000, age_days: float = 30, **options):
    """A simulated account authorised `age_days` ago, connected the way channels_app connects it."""
    case = case_for(connector.platform)
    account = platform_sim.create_account(
        connector.platform,
        followers=followers,
        options={**case.sim_options, **options},
        created_at=time.time() - age_days * DAY,
    )
    if case.connect == "credentials":
        tokens = connector.connect_with_credentials(**case.credential_fields(account))
    else:
        url = connector.authorization_url(redirect_uri=REDIRECT_URI, state="s")
        query = parse_qs(urlparse(url).query)
        client_id = next((query[k][0] for k in ("client_id", "client_key", "app_id") if k in query), "")
        code = platform_sim.authorize(
            connector.platform, account.external_id, redirect_uri=REDIRECT_URI, client_id=client_id
        )
        tokens = connector.exchange_code(code=code, redirect_uri=REDIRECT_URI)
    return account, case.credentials(tokens, account)


def published(platform_sim, connector, credentials, *, n: int = 1, age_days: float = 3.0) -> str:
    """A post published through the connector, then backdated so its figures have grown."""
    payload = CASES[connector.platform].post or case_for(connector.platform).minimal_post(n)
    result = settle(connector, credentials, connector.publish(credentials, payload))
    platform_sim.set_post(connector.platform, result.external_id, created_at=time.time() - age_days * DAY)
    return result.external_id


def sim_account(platform_sim, platform: str, external_id: str) -> Account:
    row = next(a for a in platform_sim.accounts(platform) if a["external_id"] == external_id)
    return Account(
        platform=platform,
        external_id=external_id,
        handle=row["handle"],
        display_name=row["display_name"],
        followers=row["followers"],
    )


def end_of(day) -> datetime:
    """The end of a Beijing day, as the connectors report period_end (UTC)."""
    return datetime.fromtimestamp(cm.day_end(day), UTC)


def values(result: MetricsResult, key: str) -> dict:
    """{period_end or None: value} of one metric."""
    return {v.period_end: v.value for v in result.values if v.key == key}


def value(result: MetricsResult, key: str, external_id: str):
    found = [v.value for v in result.values if v.key == key and v.external_id == external_id]
    assert len(found) == 1, f"{key} of {external_id}: {found}"
    return found[0]


def reasons(result: MetricsResult) -> dict[str, str]:
    return {u.key: u.reason for u in result.unavailable}


# --- WeChat OA: the data cube ---


def test_wechat_account_figures_follow_the_model_day_by_day(platform_sim, make_connector):
    # given
    connector = make_connector("wechat_oa")
    account, credentials = connected(platform_sim, connector)
    until = cm.yesterday()
    since = until - timedelta(days=9)  # 10 days: two getusersummary windows, four getuserread windows
    model = sim_account(platform_sim, "wechat_oa", account.external_id)

    # when
    result = connector.fetch_account_metrics(credentials, since=since, until=until)

    # then
    days = [since + timedelta(days=n) for n in range(10)]
    assert values(result, "new_user") == {end_of(d): cm.account_day(model, d)["new_followers"] for d in days}
    assert values(result, "cumulate_user") == {end_of(d): cm.followers_at_end(model, d) for d in days}
    assert values(result, "int_page_read_count") == {
        end_of(d): cm.account_day(model, d)["views"] for d in days
    }
    assert values(result, "int_page_read_user")[end_of(until)] == cm.account_day(model, until)["reach"]
    assert values(result, "cumulate_user")[end_of(until)] == model.followers
    assert all(v.external_id == account.external_id and not v.late for v in result.values)
    assert result.unavailable == []
    assert platform_sim.requests("wechat_oa", "metrics_account") == 2 + 2 + 4


def test_wechat_days_from_today_on_are_recorded_too_new_and_not_asked(platform_sim, make_connector):
    # given: the data cube reaches only up to yesterday (a later end_date is errcode 61501)
    connector = make_connector("wechat_oa")
    _account, credentials = connected(platform_sim, connector)
    today = cm.today()

    # when
    result = connector.fetch_account_metrics(credentials, since=today - timedelta(days=1), until=today)

    # then
    assert {v.period_end for v in result.values} == {end_of(today - timedelta(days=1))}
    assert reasons(result)["new_user"] == "too_new"
    assert "up to yesterday" in next(u.detail for u in result.unavailable if u.key == "cumulate_user")


def test_wechat_refuses_a_window_longer_than_the_api_allows(platform_sim, make_connector):
    # given
    connector = make_connector("wechat_oa")
    _account, credentials = connected(platform_sim, connector)
    end = cm.yesterday()

    # when: getuserread takes at most 3 days; asked directly for 4
    with pytest.raises(Rejected) as raised:
        connector._datacube(credentials, "getuserread", "metrics_account", end - timedelta(days=3), end)

    # then
    assert (raised.value.platform_code, raised.value.platform_message) == (61501, "date range error")


def test_wechat_removed_field_leaves_the_rest(platform_sim, make_connector):
    # given
    connector = make_connector("wechat_oa")
    _account, credentials = connected(platform_sim, connector, metrics_removed=["cancel_user"])
    day = cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=day, until=day)

    # then
    assert reasons(result) == {"cancel_user": "removed"}
    assert values(result, "new_user") and values(result, "cumulate_user") and values(result, "share_count")


def test_wechat_retired_getuserread_is_answered_by_getbizsummary_with_renames(platform_sim, make_connector):
    # given: WeChat refuses the old article-read API (48001); read_user is int_page_read_user's new name
    connector = make_connector("wechat_oa")
    account, credentials = connected(platform_sim, connector, metrics_removed=["getuserread"])
    day = cm.yesterday()
    model = sim_account(platform_sim, "wechat_oa", account.external_id)

    # when
    result = connector.fetch_account_metrics(credentials, since=day, until=day)

    # then
    renamed = next(u for u in result.unavailable if u.key == "int_page_read_user")
    assert (renamed.reason, renamed.replaced_by) == ("renamed", "read_user")
    assert reasons(result)["add_to_fav_count"] == "removed"  # no equivalent in getbizsummary
    assert "share_user" not in reasons(result)  # the same name in the new API
    assert values(result, "read_user") == {end_of(day): cm.account_day(model, day)["reach"]}
    assert values(result, "new_user")  # the other groups are untouched


def test_wechat_is_delay_marks_figures_late(platform_sim, make_connector):
    # given: the replacement API flags late data; the last 2 days are not final
    connector = make_connector("wechat_oa")
    _account, credentials = connected(
        platform_sim, connector, metrics_removed=["getuserread"], metrics_late_days=2
    )
    day = cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=day - timedelta(days=6), until=day)

    # then
    late = {v.key for v in result.values if v.late}
    assert late == {"read_user", "share_user", "zaikan_user", "like_user", "comment_count"}
    assert not any(v.late for v in result.values if v.key in ("new_user", "cumulate_user"))


def test_wechat_article_figures_are_cumulative_up_to_yesterday(platform_sim, make_connector):
    # given: two articles published 3 and 5 days ago
    connector = make_connector("wechat_oa")
    account, credentials = connected(platform_sim, connector)
    first = published(platform_sim, connector, credentials, n=1, age_days=3)
    second = published(platform_sim, connector, credentials, n=2, age_days=5)
    model = sim_account(platform_sim, "wechat_oa", account.external_id)
    posts = {p["id"]: p for p in platform_sim.posts("wechat_oa")}

    # when
    result = connector.fetch_post_metrics(credentials, [first, second])

    # then
    end = cm.day_end(cm.yesterday())
    for article_id in (first, second):
        expected = metrics.post_figures(
            article_id, created_at=posts[article_id]["created_at"], now=end, followers=model.followers
        )
        assert value(result, "read_user", article_id) == expected["reach"]
        assert value(result, "like_user", article_id) == expected["likes"]
        assert value(result, "comment_count", article_id) == expected["comments"]
    assert {v.period_end.timestamp() for v in result.values} == {end}
    assert result.unavailable == []


def test_wechat_article_published_today_is_too_new(platform_sim, make_connector):
    # given
    connector = make_connector("wechat_oa")
    _account, credentials = connected(platform_sim, connector)
    article = published(platform_sim, connector, credentials, age_days=0)

    # when
    result = connector.fetch_post_metrics(credentials, [article])

    # then
    assert result.values == []
    assert set(reasons(result).values()) == {"too_new"}


# --- Weibo, Douyin, Kuaishou, Bilibili: figures as of the call ---

# platform metric -> the model's figure (platform_sim.metrics.POST_FIGURES)
POST_MODEL = {
    "weibo": {"reposts": "shares", "comments": "comments", "attitudes": "likes"},
    "douyin": {
        "total_play": "video_plays",
        "total_like": "likes",
        "total_comment": "comments",
        "total_share": "shares",
    },
    "kuaishou": {"view_count": "views", "like_count": "likes", "comment_count": "comments"},
    "bilibili": {
        "view": "video_plays",
        "danmaku": "danmaku",
        "reply": "comments",
        "favorite": "saves",
        "coin": "coins",
        "share": "shares",
        "like": "likes",
    },
}
FOLLOWERS_KEY = {"weibo": "followers_count", "kuaishou": "fan", "bilibili": "follower"}


@pytest.mark.parametrize("platform", sorted(POST_MODEL))
def test_post_figures_follow_the_model(platform_sim, make_connector, platform):
    # given: a post published two days ago; its figures grow with time, so they are bounded by the model
    # just before and just after the call
    connector = make_connector(platform)
    account, credentials = connected(platform_sim, connector, followers=20000)
    post_id = published(platform_sim, connector, credentials, age_days=2)
    created_at = next(p["created_at"] for p in platform_sim.posts(platform) if p["id"] == post_id)

    # when
    before = metrics.post_figures(post_id, created_at=created_at, now=time.time(), followers=20000)
    result = connector.fetch_post_metrics(credentials, [post_id])
    after = metrics.post_figures(post_id, created_at=created_at, now=time.time(), followers=20000)

    # then
    for key, figure in POST_MODEL[platform].items():
        assert before[figure] <= value(result, key, post_id) <= after[figure], key
        assert after[figure] > 0, f"{key}: a two-day-old post on 20,000 followers has some {figure}"
    assert result.unavailable == []
    assert all(v.entity == "post" for v in result.values)


@pytest.mark.parametrize("platform", sorted(FOLLOWERS_KEY))
def test_followers_now_where_the_platform_keeps_no_daily_history(platform_sim, make_connector, platform):
    # given
    connector = make_connector(platform)
    account, credentials = connected(platform_sim, connector, followers=12345)
    day = cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=day - timedelta(days=6), until=day)

    # then: the figure as of the call (no period), on the account's own id
    followers = [v for v in result.values if v.key == FOLLOWERS_KEY[platform]]
    assert [(v.value, v.period_end, v.external_id) for v in followers] == [(12345, None, account.external_id)]


def test_douyin_account_figures_follow_the_model_day_by_day(platform_sim, make_connector):
    # given
    connector = make_connector("douyin")
    account, credentials = connected(platform_sim, connector, age_days=40)
    model = sim_account(platform_sim, "douyin", account.external_id)
    until = cm.yesterday()
    since = until - timedelta(days=9)  # 10 days: date_type 15

    # when
    result = connector.fetch_account_metrics(credentials, since=since, until=until)

    # then
    days = [since + timedelta(days=n) for n in range(10)]
    assert values(result, "new_fans") == {end_of(d): cm.account_day(model, d)["new_followers"] for d in days}
    assert values(result, "total_fans") == {end_of(d): cm.followers_at_end(model, d) for d in days}
    assert values(result, "new_play") == {end_of(d): cm.account_day(model, d)["views"] for d in days}
    assert values(result, "profile_uv") == {
        end_of(d): cm.account_day(model, d)["profile_visits"] for d in days
    }
    assert result.unavailable == []
    assert platform_sim.requests("douyin", "metrics_account") == 6  # one call per group


def test_douyin_data_starts_the_day_after_authorisation(platform_sim, make_connector):
    # given: authorised the day before yesterday, so only yesterday has data
    connector = make_connector("douyin")
    yesterday = cm.yesterday()
    authorised = cm.day_start(yesterday - timedelta(days=1)) + 3600
    account, credentials = connected(platform_sim, connector, age_days=(time.time() - authorised) / DAY)

    # when
    result = connector.fetch_account_metrics(
        credentials, since=yesterday - timedelta(days=6), until=yesterday
    )

    # then
    assert set(values(result, "new_fans")) == {end_of(yesterday)}
    too_new = [u for u in result.unavailable if u.key == "new_fans"]
    assert [u.reason for u in too_new] == ["too_new"]
    assert "day after the authorisation" in too_new[0].detail


def test_douyin_below_the_follower_minimum_records_threshold(platform_sim, make_connector):
    # given
    connector = make_connector("douyin")
    _account, credentials = connected(platform_sim, connector, followers=500, metrics_min_followers=1000)
    day = cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=day, until=day)

    # then: no exception; every user-data metric is recorded as below the threshold
    assert result.values == []
    assert set(reasons(result).values()) == {"threshold"}
    assert {"new_fans", "total_fans", "new_play", "profile_uv"} <= set(reasons(result))


def test_douyin_days_older_than_30_are_too_old(platform_sim, make_connector):
    # given
    connector = make_connector("douyin")
    _account, credentials = connected(platform_sim, connector, age_days=90)
    until = cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=until - timedelta(days=35), until=until)

    # then
    assert len(values(result, "new_fans")) == 30
    assert reasons(result)["new_fans"] == "too_old"


# --- every platform: a removed metric leaves the rest ---


@pytest.mark.parametrize("kind", ["account", "post"])
@pytest.mark.parametrize("platform", CN_PLATFORMS)
def test_removed_metric_is_recorded_and_the_rest_arrive(platform_sim, make_connector, platform, kind):
    # given
    case = CASES[platform]
    removed = case.removable_account_key if kind == "account" else case.removable_post_key
    connector = make_connector(platform)
    _account, credentials = connected(platform_sim, connector, metrics_removed=[removed])
    post_id = published(platform_sim, connector, credentials) if kind == "post" else ""

    # when
    result = _ask(connector, credentials, kind, post_id)

    # then
    assert reasons(result) == {removed: "removed"}
    assert removed not in {v.key for v in result.values}
    assert result.values or (platform, kind) == ("kuaishou", "account")  # `fan` is its only account figure


# --- every platform: rate limits and expired tokens ---


def _ask(connector, credentials, kind: str, post_id: str = "") -> MetricsResult:
    if kind == "account":
        day = cm.yesterday()
        return connector.fetch_account_metrics(credentials, since=day - timedelta(days=1), until=day)
    return connector.fetch_post_metrics(credentials, [post_id])


@pytest.mark.parametrize("kind", ["account", "post"])
@pytest.mark.parametrize("platform", CN_PLATFORMS)
def test_rate_limit_is_raised_with_retry_after(platform_sim, make_connector, platform, kind):
    # given
    connector = make_connector(platform)
    _account, credentials = connected(platform_sim, connector)
    post_id = published(platform_sim, connector, credentials) if kind == "post" else ""
    operation = CASES[platform].account_op if kind == "account" else CASES[platform].post_op
    platform_sim.add_fault("rate_limit", platform=platform, operation=operation, retry_after=42, count=1)

    # when
    with pytest.raises(RateLimited) as raised:
        _ask(connector, credentials, kind, post_id)

    # then
    assert 42 <= raised.value.retry_after <= 43  # Retry-After, or the reset time a moment later
    assert platform_sim.faults_fired(platform, "rate_limit") == 1


@pytest.mark.parametrize("kind", ["account", "post"])
@pytest.mark.parametrize("platform", CN_PLATFORMS)
def test_expired_token_is_refreshed_once_then_the_call_succeeds(platform_sim, make_connector, platform, kind):
    # given
    connector = make_connector(platform)
    account, credentials = connected(platform_sim, connector)
    post_id = published(platform_sim, connector, credentials) if kind == "post" else ""
    platform_sim.expire_token(token=credentials.access_token)

    # when
    with pytest.raises(AuthExpired) as raised:
        _ask(connector, credentials, kind, post_id)
    decision = classify(raised.value, attempt=1, policy=RetryPolicy(), refreshed=False)
    tokens = connector.refresh(credentials)
    refreshed = Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or credentials.refresh_token,
        extra={**credentials.extra, **tokens.extra},
    )
    result = _ask(connector, refreshed, kind, post_id)

    # then: the same decision publishing makes, one refresh, then figures
    assert decision.action == Action.REFRESH_ONCE
    assert platform_sim.refresh_calls(platform, account.external_id) == 1
    assert result.values


# --- assisted platforms: no data API for a brand ---


@pytest.mark.parametrize("platform", ["xiaohongshu", "wechat_channels"])
def test_assisted_platforms_say_their_metrics_are_not_offered(make_connector, platform):
    # given: no server-side API (and so nothing for the planner to pull)
    connector = make_connector(platform)
    credentials = Credentials(extra={"external_id": "acct-1"})
    day = cm.yesterday()

    # when
    account = connector.fetch_account_metrics(credentials, since=day, until=day)
    posts = connector.fetch_post_metrics(credentials, ["note-1", "note-2"])

    # then
    assert connector.capabilities.metrics is False
    assert account.values == [] and [u.reason for u in account.unavailable] == ["not_offered"]
    assert [(u.external_id, u.reason) for u in posts.unavailable] == [
        ("note-1", "not_offered"),
        ("note-2", "not_offered"),
    ]

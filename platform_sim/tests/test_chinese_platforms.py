"""Platform-specific behaviour of the Chinese platforms, driven through their connectors and the simulator:
Bilibili's video submission, Douyin's refresh-token renewal, WeChat's asynchronous publish, Kuaishou's
rotating refresh tokens and 2-minute codes, Weibo's refresh without a new refresh token, consent pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.errors import AuthExpired, Rejected
from channels_app.connectors.registry import connector_for

PNG = MediaItem(kind="image", filename="c.png", content_type="image/png", size=4, data=b"\x89PNG")


def creds(account, **extra) -> Credentials:
    return Credentials(access_token=account.access_token, refresh_token=account.refresh_token, extra=extra)


def test_bilibili_video_is_chunked_merged_and_submitted_with_its_cover(platform_sim, monkeypatch):
    # given a video of three chunks
    monkeypatch.setattr("channels_app.connectors.bilibili.connector.CHUNK_BYTES", 1000)
    account = platform_sim.create_account("bilibili")
    clip = MediaItem(kind="video", filename="v.mp4", content_type="video/mp4", size=2500, data=b"v" * 2500)
    connector = connector_for("bilibili")

    # when
    result = connector.publish(creds(account), PostPayload(title="开箱", text="简介", media=(clip, PNG)))

    # then
    assert result.external_id.startswith("BV1")
    assert platform_sim.requests("bilibili", "upload", account.external_id) == 3 + 2  # 3 chunks, init, cover
    post = platform_sim.posts("bilibili", account.external_id)[0]
    assert (post["kind"], post["title"], len(post["media_ids"])) == ("video", "开箱", 2)
    assert connector.get_post(creds(account), result.external_id).text == "开箱\n简介"


def test_bilibili_categories_and_an_unknown_category_is_rejected(platform_sim):
    # given
    account = platform_sim.create_account("bilibili")
    connector = connector_for("bilibili")
    clip = MediaItem(kind="video", filename="v.mp4", content_type="video/mp4", size=10, data=b"v" * 10)

    # when
    categories = connector.categories(creds(account))

    # then
    assert 21 in {child["id"] for top in categories for child in top["children"]}
    with pytest.raises(Rejected):
        connector.publish(
            creds(account), PostPayload(title="t", text="d", media=(clip,), options={"tid": 999})
        )
    assert platform_sim.posts_created("bilibili", account.external_id) == 0


def test_bilibili_article_can_be_edited(platform_sim):
    # given
    account = platform_sim.create_account("bilibili")
    connector = connector_for("bilibili")
    result = connector.publish(creds(account), PostPayload(title="初稿", text="第一版"))

    # when
    connector.edit_article(creds(account), result.external_id, PostPayload(title="终稿", text="第二版"))

    # then
    assert connector.get_post(creds(account), result.external_id).text == "终稿\n第二版"
    assert platform_sim.posts_created("bilibili", account.external_id) == 1


def test_bilibili_refuses_unsigned_calls(platform_sim):
    # given
    account = platform_sim.create_account("bilibili")

    # when
    response = httpx.get(
        f"{platform_sim.url('bilibili')}/arcopen/fn/user/account/info",
        headers={"access-token": account.access_token},
    )

    # then
    assert response.json()["code"] == -400


def test_douyin_large_video_goes_up_in_parts(platform_sim, monkeypatch):
    # given thresholds small enough for a test: 2500 bytes in 1000-byte parts
    monkeypatch.setattr("channels_app.connectors.douyin.connector.SINGLE_UPLOAD_BYTES", 1000)
    monkeypatch.setattr("channels_app.connectors.douyin.connector.PART_BYTES", 1000)
    account = platform_sim.create_account("douyin")
    clip = MediaItem(kind="video", filename="v.mp4", content_type="video/mp4", size=2500, data=b"v" * 2500)

    # when
    result = connector_for("douyin").publish(
        creds(account, open_id=account.external_id), PostPayload(text="长视频", media=(clip,))
    )

    # then init + 3 parts + complete, and one post
    assert result.status == "published"
    assert platform_sim.requests("douyin", "upload", account.external_id) == 5
    assert platform_sim.posts_created("douyin", account.external_id) == 1


def test_douyin_renews_a_refresh_token_close_to_expiry_and_stops_after_five(platform_sim):
    # given a refresh token with two days left
    account = platform_sim.create_account("douyin")
    connector = connector_for("douyin")
    credentials = Credentials(
        access_token=account.access_token,
        refresh_token=account.refresh_token,
        refresh_expires_at=datetime.now(UTC) + timedelta(days=2),
        extra={"open_id": account.external_id},
    )

    # when
    tokens = connector.refresh(credentials)

    # then a new refresh token came with the new access token, and the old one is dead
    assert tokens.refresh_token and tokens.refresh_token != account.refresh_token
    assert tokens.refresh_expires_at > datetime.now(UTC) + timedelta(days=29)
    statuses = {t["value"]: t["status"] for t in platform_sim.tokens("douyin", account.external_id)}
    assert statuses[account.refresh_token] == "used"

    # and after five renewals the user must authorise again
    current = tokens.refresh_token
    for _ in range(4):
        current, _expiry = connector.renew_refresh_token(Credentials(refresh_token=current))
    with pytest.raises(AuthExpired) as raised:
        connector.renew_refresh_token(Credentials(refresh_token=current))
    assert raised.value.revoked is True


def test_douyin_refresh_far_from_expiry_keeps_the_stored_refresh_token(platform_sim):
    # given
    account = platform_sim.create_account("douyin")
    credentials = Credentials(
        access_token=account.access_token,
        refresh_token=account.refresh_token,
        refresh_expires_at=datetime.now(UTC) + timedelta(days=20),
        extra={"open_id": account.external_id},
    )

    # when
    tokens = connector_for("douyin").refresh(credentials)

    # then
    assert tokens.access_token != account.access_token
    assert tokens.refresh_token == ""  # keep the stored one


def test_wechat_publish_stays_pending_until_the_platform_finishes(platform_sim):
    # given an account whose publish needs three status reads
    account = platform_sim.create_account("wechat_oa", options={"publish_polls": 3, "publish_seconds": 60})
    connector = connector_for("wechat_oa")
    credentials = creds(account, appid=account.app_id, secret=account.app_secret)

    # when
    pending = connector.publish(credentials, PostPayload(title="周报", text="本周要闻", media=(PNG,)))
    reads = [connector.publish_status(credentials, pending).status for _ in range(3)]

    # then
    assert pending.status == "pending" and pending.raw["publish_id"]
    assert reads == ["pending", "pending", "published"]
    assert platform_sim.posts_created("wechat_oa", account.external_id) == 1


def test_wechat_failed_review_is_rejected(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa", options={"publish_outcome": 4})
    connector = connector_for("wechat_oa")
    credentials = creds(account, appid=account.app_id, secret=account.app_secret)
    pending = connector.publish(credentials, PostPayload(title="周报", text="本周要闻", media=(PNG,)))

    # when / then
    with pytest.raises(Rejected) as raised:
        for _ in range(20):
            connector.publish_status(credentials, pending)
            time.sleep(0.1)
    assert raised.value.platform_code == 4


def test_wechat_wrong_secret_is_rejected_not_retried(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")

    # when / then
    with pytest.raises(Rejected) as raised:
        connector_for("wechat_oa").connect_with_credentials(appid=account.app_id, secret="wrong")
    assert raised.value.platform_code == 40125


def test_wechat_rate_limit_without_retry_after_uses_the_default(platform_sim):
    # given a 45009 answer without a Retry-After header
    account = platform_sim.create_account("wechat_oa")
    connector = connector_for("wechat_oa")
    response = httpx.Response(200, json={"errcode": 45009, "errmsg": "reach max api daily quota limit"})

    # when
    error = connector.error_for(response, operation="publish")

    # then
    assert error.retry_after == connector.default_retry_after == 3600.0
    assert platform_sim.accounts("wechat_oa")[0]["external_id"] == account.external_id


def test_kuaishou_large_video_goes_up_in_fragments(platform_sim, monkeypatch):
    # given
    monkeypatch.setattr("channels_app.connectors.kuaishou.connector.SINGLE_UPLOAD_BYTES", 1000)
    monkeypatch.setattr("channels_app.connectors.kuaishou.connector.FRAGMENT_BYTES", 1000)
    account = platform_sim.create_account("kuaishou")
    clip = MediaItem(kind="video", filename="v.mp4", content_type="video/mp4", size=2500, data=b"v" * 2500)

    # when
    result = connector_for("kuaishou").publish(
        creds(account, open_id=account.external_id), PostPayload(text="长", media=(clip,))
    )

    # then start_upload + 3 fragments + complete
    assert result.status == "published"
    assert platform_sim.requests("kuaishou", "upload", account.external_id) == 5
    assert platform_sim.posts_created("kuaishou", account.external_id) == 1


def test_kuaishou_refresh_rotates_and_the_old_refresh_token_dies(platform_sim):
    # given
    account = platform_sim.create_account("kuaishou")
    connector = connector_for("kuaishou")
    credentials = creds(account, open_id=account.external_id)

    # when
    tokens = connector.refresh(credentials)

    # then
    assert tokens.refresh_token and tokens.refresh_token != account.refresh_token
    with pytest.raises(AuthExpired):
        connector.refresh(credentials)
    assert platform_sim.refresh_calls("kuaishou", account.external_id) == 2


def test_kuaishou_authorization_code_expires_after_two_minutes(platform_sim):
    # given a code that is already past its lifetime
    account = platform_sim.create_account("kuaishou")
    code = platform_sim.authorize("kuaishou", account.external_id, ttl=-1)

    # when / then
    with pytest.raises(Rejected):
        connector_for("kuaishou").exchange_code(code=code, redirect_uri="http://cb/")


def test_weibo_refresh_returns_no_refresh_token_so_the_stored_one_is_kept(platform_sim):
    # given
    account = platform_sim.create_account("weibo")

    # when
    tokens = connector_for("weibo").refresh(creds(account, uid=account.external_id))

    # then
    assert tokens.access_token != account.access_token
    assert tokens.refresh_token == ""


def test_weibo_duplicate_text_is_rejected(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    connector = connector_for("weibo")
    payload = PostPayload(text="同样的话 https://kawo.example/")
    connector.publish(creds(account), payload)

    # when / then
    with pytest.raises(Rejected) as raised:
        connector.publish(creds(account), payload)
    assert raised.value.platform_code == 20019
    assert platform_sim.posts_created("weibo", account.external_id) == 1


@pytest.mark.parametrize(
    ("platform", "redirect_param"),
    [
        ("weibo", "redirect_uri"),
        ("douyin", "redirect_uri"),
        ("kuaishou", "redirect_uri"),
        ("bilibili", "gourl"),
    ],
)
def test_consent_page_round_trip(platform_sim, platform, redirect_param):
    # given
    connector = connector_for(platform)
    url = connector.authorization_url(redirect_uri="http://cb.example/back", state="s-1")

    # when
    page = httpx.get(url)
    params = dict(httpx.URL(url).params)
    answer = httpx.post(url.split("?")[0], data={**params, "handle": f"brand_{platform}"})
    code = httpx.URL(answer.headers["location"]).params["code"]
    tokens = connector.exchange_code(code=code, redirect_uri="http://cb.example/back")

    # then
    assert page.status_code == 200 and 'id="authorize"' in page.text
    assert params[redirect_param] == "http://cb.example/back"
    assert answer.headers["location"].startswith("http://cb.example/back?code=")
    assert tokens.access_token
    assert [a["handle"] for a in platform_sim.accounts(platform)] == [f"brand_{platform}"]

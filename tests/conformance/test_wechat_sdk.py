"""WeChat Official Account in the simulator, driven by wechatpy 1.8.18.

Every operation the WeChat OA connector performs, through an independent client: the client_credential
access token, the account's basic info, permanent material (image, thumb, voice, video), the image
upload for article bodies (media/uploadimg), draft/add, freepublish submit/get, read back, list, delete,
and the errors wechatpy knows (40001 with its automatic token renewal, 45009 as APILimitedException).

Pointing wechatpy at the simulator: every API call is built from `API_BASE_URL`, which the library's
own API classes override per class, so an instance attribute is enough for those. The one URL that
does not follow it is the token fetch: `WeChatClient.fetch_access_token` hard-codes
https://api.weixin.qq.com/cgi-bin/token. Overriding `fetch_access_token` is the library's own extension
point (its WeChatComponentClient does the same); ours calls the library's `_fetch_access_token` with the
same parameters and the simulator's URL. Nothing else of wechatpy is replaced. The data cube API class
(`client.datacube`) has its own class-level API_BASE_URL (https://api.weixin.qq.com/datacube/), so the
instance wechatpy builds for each client gets the simulator's datacube URL the same way.

Data cube (数据统计): wechatpy's get_user_summary / get_user_cumulate / get_user_read /
get_article_summary / get_article_total against the simulator, with figures from platform_sim.metrics,
the documented maximum spans (61501 "date range error" beyond them or from today on), and the
replacement APIs wechatpy 1.8.18 has no method for (getbizsummary, getarticletotaldetail: `is_delay`)
through the client's plain `post` with the full URL.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from wechatpy import WeChatClient
from wechatpy.exceptions import APILimitedException, WeChatClientException

from platform_sim import metrics
from platform_sim.platforms import cn_metrics as cm
from platform_sim.state import Account

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
MP3 = b"ID3\x03\x00\x00\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


class SimWeChatClient(WeChatClient):
    def __init__(self, base_url: str, appid: str, secret: str, **kwargs):
        super().__init__(appid, secret, **kwargs)
        self.sim_base_url = base_url
        self.API_BASE_URL = f"{base_url}/cgi-bin/"
        self.datacube.API_BASE_URL = f"{base_url}/datacube/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.sim_base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def wechat_client(sim, account, **kwargs) -> SimWeChatClient:
    return SimWeChatClient(sim.url("wechat_oa"), account.app_id, account.app_secret, **kwargs)


def article(thumb_media_id: str, body: str = "<p>hello</p>") -> dict:
    return {
        "title": "Hello",
        "author": "KAWO",
        "digest": "hello",
        "content": body,
        "content_source_url": "",
        "thumb_media_id": thumb_media_id,
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
    }


# --- token and profile ---


def test_client_credential_token_and_basic_info(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)

    # when
    token = client.fetch_access_token()
    info = client.get("account/getaccountbasicinfo")

    # then
    assert token["access_token"] and token["expires_in"] == 7200
    assert info["username"] == account.external_id and info["appid"] == account.app_id


# --- material and the image inside article bodies ---


def test_uploadimg_answers_the_url_of_an_image_for_article_bodies(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)

    # when
    url = client.media.upload_image(("inline.jpg", JPEG, "image/jpeg"))

    # then
    assert url.startswith("http://mmbiz.qpic.cn/")


def test_uploadimg_takes_jpg_or_png_under_one_megabyte_only(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)

    # when
    with pytest.raises(WeChatClientException) as too_big:
        client.media.upload_image(("big.jpg", JPEG + b"\x00" * 1024 * 1024, "image/jpeg"))
    with pytest.raises(WeChatClientException) as gif:
        client.media.upload_image(("anim.gif", b"GIF89a" + b"\x00" * 16, "image/gif"))

    # then
    assert too_big.value.errcode == 40009
    assert gif.value.errcode == 40005


@pytest.mark.parametrize(
    ("media_type", "upload", "extra"),
    [
        ("image", ("cover.jpg", JPEG, "image/jpeg"), {}),
        ("thumb", ("thumb.jpg", JPEG, "image/jpeg"), {}),
        ("voice", ("hello.mp3", MP3, "audio/mpeg"), {}),
        ("video", ("clip.mp4", MP4, "video/mp4"), {"title": "Clip", "introduction": "A short clip"}),
    ],
)
def test_permanent_material_of_every_documented_type(platform_sim, media_type, upload, extra):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)

    # when
    answer = client.material.add(media_type, upload, **extra)

    # then: the url comes back for images only (Adding_Permanent_Assets)
    assert answer["media_id"]
    assert ("url" in answer) == (media_type == "image")


def test_video_material_needs_its_description_form_field(platform_sim):
    # given: wechatpy itself insists on title and introduction, so the bare call goes through post()
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)

    # when
    with pytest.raises(WeChatClientException) as raised:
        client.post("material/add_material", params={"type": "video"}, files={"media": ("c.mp4", MP4)})

    # then
    assert raised.value.errcode != 0


# --- publishing ---


def test_draft_freepublish_read_back_list_and_delete(platform_sim):
    # given
    # the first status read finds it still publishing (polls counted before the answer)
    account = platform_sim.create_account("wechat_oa", options={"publish_polls": 2, "publish_seconds": 60})
    client = wechat_client(platform_sim, account)
    thumb = client.material.add("thumb", ("thumb.jpg", JPEG, "image/jpeg"))["media_id"]
    inline = client.media.upload_image(("inline.jpg", JPEG, "image/jpeg"))
    body = f'<p>hello</p><p><img src="{inline}"></p>'

    # when
    draft = client.post("draft/add", data={"articles": [article(thumb, body)]})
    submitted = client.post("freepublish/submit", data={"media_id": draft["media_id"]})
    first = client.post("freepublish/get", data={"publish_id": submitted["publish_id"]})
    done = client.post("freepublish/get", data={"publish_id": submitted["publish_id"]})
    read = client.post("freepublish/getarticle", data={"article_id": done["article_id"]})
    listed = client.post("freepublish/batchget", data={"offset": 0, "count": 20, "no_content": 0})
    deleted = client.post("freepublish/delete", data={"article_id": done["article_id"], "index": 0})

    # then
    assert first["publish_status"] == 1 and done["publish_status"] == 0
    assert read["news_item"][0]["title"] == "Hello" and inline in read["news_item"][0]["content"]
    assert [i["article_id"] for i in listed["item"]] == [done["article_id"]]
    assert deleted["errcode"] == 0
    assert platform_sim.posts_created("wechat_oa", account.external_id) == 1


# --- errors ---


def test_invalid_token_40001_is_renewed_by_wechatpy_and_the_call_retried(platform_sim):
    # given: wechatpy's default auto_retry fetches a new token on 40001/40014/42001
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account, access_token="not-a-token")

    # when
    info = client.get("account/getaccountbasicinfo")

    # then
    assert info["username"] == account.external_id
    assert platform_sim.requests("wechat_oa", "token") == 1


def test_invalid_token_is_errcode_40001(platform_sim):
    # given: auto_retry=False (a documented constructor argument) to see the error itself
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account, access_token="not-a-token", auto_retry=False)

    # when
    with pytest.raises(WeChatClientException) as raised:
        client.get("account/getaccountbasicinfo")

    # then
    assert raised.value.errcode == 40001


def test_quota_45009_is_wechatpy_api_limited_exception(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)
    client.fetch_access_token()
    platform_sim.add_fault("rate_limit", platform="wechat_oa", operation="upload")

    # when
    with pytest.raises(APILimitedException) as raised:
        client.material.add("thumb", ("thumb.jpg", JPEG, "image/jpeg"))

    # then
    assert raised.value.errcode == 45009


# --- data cube (数据统计) ---


def model_of(sim_account, followers: int) -> Account:
    return Account("wechat_oa", sim_account.external_id, sim_account.handle, sim_account.handle, followers)


def publish_article(platform_sim, client, *, days_ago: float) -> tuple[str, str]:
    """Publish one article with wechatpy, backdated; returns (article_id, msgid)."""
    thumb = client.material.add("thumb", ("thumb.jpg", JPEG, "image/jpeg"))["media_id"]
    draft = client.post("draft/add", data={"articles": [article(thumb)]})
    submitted = client.post("freepublish/submit", data={"media_id": draft["media_id"]})
    done = client.post("freepublish/get", data={"publish_id": submitted["publish_id"]})
    platform_sim.set_post("wechat_oa", done["article_id"], created_at=time.time() - days_ago * 86400)
    return done["article_id"], f"{submitted['msg_data_id']}_1"


def test_datacube_user_summary_and_cumulate_follow_the_model(platform_sim):
    # given: a 7-day window ending yesterday, the largest both APIs take
    account = platform_sim.create_account("wechat_oa", followers=8000)
    client = wechat_client(platform_sim, account)
    model = model_of(account, 8000)
    end = cm.yesterday()
    begin = end - timedelta(days=6)

    # when
    summary = client.datacube.get_user_summary(begin, end)
    cumulate = client.datacube.get_user_cumulate(begin, end)

    # then
    days = [begin + timedelta(days=n) for n in range(7)]
    assert [(r["ref_date"], r["new_user"]) for r in summary] == [
        (d.isoformat(), cm.account_day(model, d)["new_followers"]) for d in days
    ]
    assert all(r["user_source"] == 0 and r["cancel_user"] >= 0 for r in summary)
    assert [(r["ref_date"], r["cumulate_user"]) for r in cumulate] == [
        (d.isoformat(), cm.followers_at_end(model, d)) for d in days
    ]
    assert cumulate[-1]["cumulate_user"] == 8000


def test_datacube_user_read_takes_three_days(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa", followers=8000)
    client = wechat_client(platform_sim, account)
    model = model_of(account, 8000)
    end = cm.yesterday()

    # when
    rows = client.datacube.get_user_read(end - timedelta(days=2), end)
    with pytest.raises(WeChatClientException) as four_days:
        client.datacube.get_user_read(end - timedelta(days=3), end)

    # then
    assert [r["int_page_read_count"] for r in rows] == [
        cm.account_day(model, end - timedelta(days=n))["views"] for n in (2, 1, 0)
    ]
    assert four_days.value.errcode == 61501


@pytest.mark.parametrize(
    ("begin_days_ago", "end_days_ago"),
    [(8, 1), (0, 0), (1, 2)],
    ids=["eight-days", "today", "begin-after-end"],
)
def test_datacube_refuses_a_window_it_does_not_serve(platform_sim, begin_days_ago, end_days_ago):
    # given: at most 7 days, ending yesterday at the latest, begin not after end
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)
    today = cm.today()

    # when
    with pytest.raises(WeChatClientException) as raised:
        client.datacube.get_user_summary(
            today - timedelta(days=begin_days_ago), today - timedelta(days=end_days_ago)
        )

    # then
    assert (raised.value.errcode, raised.value.errmsg) == (61501, "date range error")


def test_datacube_article_summary_and_total_name_articles_by_msgid(platform_sim):
    # given: an article published three days ago
    account = platform_sim.create_account("wechat_oa", followers=8000)
    client = wechat_client(platform_sim, account)
    article_id, msgid = publish_article(platform_sim, client, days_ago=3)
    created_at = next(p["created_at"] for p in platform_sim.posts("wechat_oa") if p["id"] == article_id)
    published_on = cm.beijing_date(created_at)
    end = cm.yesterday()

    # when
    daily = client.datacube.get_article_summary(end, end)
    total = client.datacube.get_article_total(published_on, published_on)

    # then: the day's reads are the growth over yesterday; the total's last stat_date is the lifetime
    def figures_at(ts):
        return metrics.post_figures(article_id, created_at=created_at, now=ts, followers=8000)

    grown = figures_at(cm.day_end(end))["views"] - figures_at(cm.day_start(end))["views"]
    assert [(r["msgid"], r["int_page_read_count"]) for r in daily] == [(msgid, grown)]
    assert [r["msgid"] for r in total] == [msgid]
    details = total[0]["details"]
    assert details[-1]["stat_date"] == end.isoformat()
    assert details[-1]["int_page_read_user"] == figures_at(cm.day_end(end))["reach"]
    assert details[-1]["target_user"] == 8000


def test_datacube_replacement_apis_flag_late_data(platform_sim):
    # given: the last two days are not final yet
    account = platform_sim.create_account("wechat_oa", followers=8000, options={"metrics_late_days": 2})
    client = wechat_client(platform_sim, account)
    _article_id, msgid = publish_article(platform_sim, client, days_ago=3)
    base = f"{platform_sim.url('wechat_oa')}/datacube"
    end = cm.yesterday()
    window = {"begin_date": (end - timedelta(days=6)).isoformat(), "end_date": end.isoformat()}
    settled = {
        "begin_date": (end - timedelta(days=6)).isoformat(),
        "end_date": (end - timedelta(days=3)).isoformat(),
    }

    # when
    recent = client.post(f"{base}/getbizsummary", data=window)
    older = client.post(f"{base}/getbizsummary", data=settled)
    articles = client.post(f"{base}/getarticletotaldetail", data=window)

    # then
    assert recent["is_delay"] is True and older["is_delay"] is False
    assert set(recent["list"][0]["detail"]) >= {"read_user", "share_user", "like_user", "comment_count"}
    assert [r["msgid"] for r in articles["list"]] == [msgid] and articles["is_delay"] is True
    assert articles["list"][0]["detail_list"][-1]["stat_date"] == end.isoformat()


def test_datacube_rate_limit_is_wechatpy_api_limited_exception(platform_sim):
    # given
    account = platform_sim.create_account("wechat_oa")
    client = wechat_client(platform_sim, account)
    client.fetch_access_token()
    platform_sim.add_fault("rate_limit", platform="wechat_oa", operation="metrics_account")
    end = cm.yesterday()

    # when
    with pytest.raises(APILimitedException) as raised:
        client.datacube.get_user_cumulate(end, end)

    # then
    assert raised.value.errcode == 45009

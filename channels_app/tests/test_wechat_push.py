"""WeChat pushes against the simulator: up to 8 articles in one draft (covers, 2.35:1 and 1:1 crops,
body images through media/uploadimg), one article URL per article after free publishing, previews on a
reviewer's phone, and mass sends with their quota (channels_app/connectors/wechat_oa/push.py has the
platform facts)."""

from __future__ import annotations

import pytest

from channels_app.connectors.base import Article, BodyImage, Credentials, PostPayload
from channels_app.connectors.errors import Rejected
from channels_app.connectors.registry import connector_for

from .contract_cases import png
from .unchecked import publish_unchecked


def _connected(platform_sim, **options):
    sim = platform_sim.create_account(
        "wechat_oa", options={"publish_seconds": 0, "publish_polls": 0, **options}
    )
    connector = connector_for("wechat_oa")
    tokens = connector.connect_with_credentials(appid=sim.app_id, secret=sim.app_secret)
    credentials = Credentials(
        access_token=tokens.access_token, expires_at=tokens.expires_at, extra=tokens.extra
    )
    return connector, credentials, sim


def _push(n_extra: int = 2, **options) -> PostPayload:
    extras = tuple(
        Article(
            title=f"第{i + 2}篇",
            body=f"第{i + 2}篇正文。\n第二段。",
            author="小编",
            digest="不会发送",
            cover=png(f"cover{i + 2}.png"),
            cover_crop="0.1_0_0.9_1",
            images=(BodyImage(media=png(f"body{i + 2}.png"), after=1),),
            original=i == 0,
            source_url="https://example.com/more",
            open_comment=True,
            fans_only_comment=True,
        )
        for i in range(n_extra)
    )
    return PostPayload(
        title="春季新品",
        text="第一段。\n第二段。",
        media=(png("cover1.png"), png("inline1.png")),
        options={
            "author": "品牌",
            "digest": "摘要",
            "cover_crop": "0_0.2_1_0.625532",
            "image_after": [0],
            **options,
        },
        idempotency_key="kawo-target-1",
        articles=extras,
    )


def _publish(connector, credentials, payload):
    pending = connector.publish(credentials, payload)
    for _ in range(5):
        result = connector.publish_status(credentials, pending)
        if result.status == "published":
            return result
    raise AssertionError("never published")


def test_a_three_article_push_is_one_draft_with_crops_body_images_and_three_urls(platform_sim):
    # given
    connector, credentials, sim = _connected(platform_sim)
    # when
    result = _publish(connector, credentials, _push(2))
    # then: one publish, three article URLs (idx 1..3)
    urls = result.raw["article_urls"]
    assert len(urls) == 3 and [u.split("idx=")[1].split("&")[0] for u in urls] == ["1", "2", "3"]
    assert result.url == urls[0]
    (stored,) = platform_sim.posts("wechat_oa", sim.external_id)
    articles = stored["extra"]["articles"]
    assert [a["title"] for a in articles] == ["春季新品", "第2篇", "第3篇"]
    # the first card is cropped 2.35:1, the others 1:1
    assert articles[0]["pic_crop_235_1"] == "0_0.2_1_0.625532" and "pic_crop_1_1" not in articles[0]
    assert articles[1]["pic_crop_1_1"] == "0.1_0_0.9_1" and "pic_crop_235_1" not in articles[1]
    # body images come from uploadimg and sit where they were put; nothing was filtered out
    assert articles[0]["content"].startswith('<p><img src="http://mmbiz.qpic.cn/mmbiz_jpg/')
    assert articles[1]["content"].index("<img") > articles[1]["content"].index("第2篇正文")
    # a multi-article push carries no digest (WeChat shows none)
    assert {a["digest"] for a in articles} == {""}
    assert articles[1]["need_open_comment"] == 1 and articles[1]["only_fans_can_comment"] == 1
    assert articles[1]["content_source_url"] == "https://example.com/more"


def test_a_single_article_keeps_its_digest(platform_sim):
    connector, credentials, sim = _connected(platform_sim)
    _publish(connector, credentials, _push(0))
    (stored,) = platform_sim.posts("wechat_oa", sim.external_id)
    assert stored["extra"]["articles"][0]["digest"] == "摘要"


def test_the_simulator_refuses_nine_articles_a_long_author_and_a_bad_crop(platform_sim):
    connector, credentials, _sim = _connected(platform_sim)
    for payload, code in (
        (_push(8), 45008),
        (_push(1, author="一二三四五六七八九"), 45110),
        (_push(1, cover_crop="0.5_0_0.2_1"), 40097),
    ):
        with pytest.raises(Rejected) as refused:  # sent past the connector's own limit check
            publish_unchecked(connector, credentials, payload)
        assert refused.value.platform_code == code


def test_validation_names_the_article_and_the_field():
    connector = connector_for("wechat_oa")
    payload = _push(1)
    bad = PostPayload(
        **{**payload.__dict__, "articles": (Article(title="长" * 65, body="", author="一二三四五六七八九"),)}
    )
    rules = {(f.rule, f.message.split(":")[0]) for f in connector.validate(bad)}
    assert ("wechat_oa.title_length", "Article 2") in rules
    assert ("wechat_oa.author_length", "Article 2") in rules
    assert ("wechat_oa.cover_required", "Article 2") in rules
    assert ("wechat_oa.text_required", "Article 2") in rules
    assert not any(r.startswith("Article 1") for _rule, r in rules)


def test_a_preview_goes_to_the_reviewers_phone(platform_sim):
    connector, credentials, _sim = _connected(platform_sim)
    connector.send_preview(credentials, _push(2), wechat_id="reviewer_li")
    (preview,) = platform_sim.previews()
    assert preview["to"] == "reviewer_li" and preview["by"] == "towxname"
    assert [a["title"] for a in preview["articles"]] == ["春季新品", "第2篇", "第3篇"]


def test_an_unverified_account_cannot_preview(platform_sim):
    connector, credentials, _sim = _connected(platform_sim, verified=False)
    with pytest.raises(Rejected) as refused:
        connector.send_preview(credentials, _push(0), wechat_id="reviewer_li")
    assert refused.value.platform_code == 48001
    assert platform_sim.previews() == []


def test_a_mass_send_reaches_followers_once_and_a_subscription_account_has_one_a_day(platform_sim):
    # given
    connector, credentials, sim = _connected(platform_sim, service_type="subscription")
    # when
    result = _publish(connector, credentials, _push(1, delivery="mass_send"))
    # then
    assert result.status == "published" and result.raw["delivery"] == "mass_send"
    (stored,) = platform_sim.posts("wechat_oa", sim.external_id)
    assert stored["extra"]["mass_send"] and len(stored["extra"]["articles"]) == 2
    # the same target again (a retry) is not sent twice: WeChat answers the earlier msg_id
    with pytest.raises(Rejected) as again:
        connector.publish(credentials, _push(1, delivery="mass_send"))
    assert again.value.platform_code == 45065
    # another push the same day is over the quota
    other = PostPayload(**{**_push(0, delivery="mass_send").__dict__, "idempotency_key": "kawo-target-2"})
    with pytest.raises(Rejected) as over:
        connector.publish(credentials, other)
    assert over.value.platform_code == 45028


def test_a_service_account_has_four_mass_sends_a_month(platform_sim):
    connector, credentials, _sim = _connected(platform_sim, service_type="service")
    for n in range(4):
        payload = PostPayload(**{**_push(0, delivery="mass_send").__dict__, "idempotency_key": f"k{n}"})
        assert _publish(connector, credentials, payload).status == "published"
    fifth = PostPayload(**{**_push(0, delivery="mass_send").__dict__, "idempotency_key": "k5"})
    with pytest.raises(Rejected) as over:
        connector.publish(credentials, fifth)
    assert over.value.platform_code == 45028

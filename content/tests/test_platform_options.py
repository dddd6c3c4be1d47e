"""Per-variant platform settings (issue 13): every option a connector declares round-trips through the API
and the composer, derived from the registry (a new option is tested by being declared); unknown keys and
bad values are refused next to the field; media options name an image of the workspace; a seconds option
is a moment of the variant's video; the variant's own title is what the payload (and the approval) use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from channels_app.connectors.options import MEDIA, SECONDS, example_value
from channels_app.connectors.registry import CONNECTORS
from content.forms import option_field
from content.models import MediaAsset, Post, PostTarget
from content.payload import canonical_hash, publishable, target_payload
from content.tests.factories import MediaAssetFactory
from content.tests.pages_kit import brand_with_accounts, member_user, signed_in_client

pytestmark = pytest.mark.django_db

DECLARED = [(platform, spec) for platform, cls in sorted(CONNECTORS.items()) for spec in cls.post_options]


def _media_for(workspace, spec):
    """What a variant needs for the option to apply: a video (for a moment of it), and the value."""
    video = MediaAssetFactory(
        workspace=workspace, kind=MediaAsset.Kind.VIDEO, mime="video/mp4", duration_seconds=12.0
    )
    if spec.kind == MEDIA:
        return [video.pk], MediaAssetFactory(workspace=workspace).pk
    return [video.pk], example_value(spec)


def _stored_value(spec, value):
    return spec.clean(value)


def test_every_platform_declares_settings_and_the_chinese_formats_take_theirs():
    declared = {platform: {s.name for s in cls.post_options} for platform, cls in CONNECTORS.items()}
    assert {"title", "topics"} <= declared["xiaohongshu"]
    assert {"title", "cover_tsp"} <= declared["douyin"]
    assert {"title", "cover_tsp", "cover"} <= declared["kuaishou"]
    assert {"title", "cover_tsp"} <= declared["wechat_channels"]
    assert declared["wechat_oa"] == {
        "author",
        "digest",
        "open_comment",
        "link",
    }  # the push: the WeChat editor
    # every option a connector reads (payload.options.get) is declared, so none stays API-only
    assert {"privacy_level", "disable_duet", "disable_stitch", "disable_comment"} <= declared["tiktok"]
    assert {"privacy_status", "tags", "made_for_kids", "category_id"} <= declared["youtube"]
    assert {"tid", "tags"} <= declared["bilibili"] and declared["bluesky"] == {"langs"}
    assert "visibility" in declared["mastodon"]


@pytest.mark.parametrize("declared", DECLARED, ids=[f"{p}.{s.name}" for p, s in DECLARED])
def test_each_declared_option_round_trips_through_the_api(client_for, declared):
    # given: a workspace with an account of the platform
    platform, spec = declared
    workspace, accounts = brand_with_accounts(platform)
    api = client_for(member_user(workspace, Role.MANAGER))
    media, value = _media_for(workspace, spec)
    # when
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {
            "title": "Spring",
            "targets": [
                {
                    "account": accounts[platform].pk,
                    "text": "新茶",
                    "media": media,
                    "options": {spec.name: value},
                }
            ],
        },
        format="json",
    )
    # then: stored and answered as cleaned
    assert response.status_code == 201, response.content
    (target,) = response.json()["targets"]
    assert target["options"] == {spec.name: _stored_value(spec, value)}
    assert PostTarget.objects.get(pk=target["id"]).options == {spec.name: _stored_value(spec, value)}


@pytest.mark.parametrize("declared", DECLARED, ids=[f"{p}.{s.name}" for p, s in DECLARED])
def test_each_declared_option_round_trips_through_the_composer(declared):
    # given
    platform, spec = declared
    workspace, accounts = brand_with_accounts(platform)
    account = accounts[platform]
    client = signed_in_client(member_user(workspace, Role.EDITOR))
    media, value = _media_for(workspace, spec)
    typed = value
    if isinstance(value, bool):
        typed = "1"
    elif isinstance(value, list):
        typed = ", ".join(value)
    # when
    response = client.post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [account.pk],
            "text": "新茶",
            "media": media,
            option_field(account.pk, spec.name): str(typed),
            "action": "draft",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    target = PostTarget.objects.get(post__workspace=workspace)
    assert target.options == {spec.name: _stored_value(spec, value)}
    # and: the edit page shows it in the variant's settings
    edit = client.get(reverse("content:composer_edit", args=[workspace.pk, target.post_id])).content.decode()
    assert f'data-testid="platform-settings-{platform}"' in edit
    assert f'name="{option_field(account.pk, spec.name)}"' in edit


@pytest.mark.parametrize("platform", sorted(CONNECTORS))
def test_an_unknown_key_is_refused_on_its_field(client_for, platform):
    workspace, accounts = brand_with_accounts(platform)
    api = client_for(member_user(workspace, Role.MANAGER))
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {"targets": [{"account": accounts[platform].pk, "text": "hi", "options": {"nope": 1}}]},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["targets.0.options.nope"]
    assert "nope" in fields["targets.0.options.nope"][0]
    assert not Post.objects.filter(workspace=workspace).exists()


BAD = {
    "text": lambda spec: "字" * ((spec.max_length or 0) + 1) if spec.max_length else 5,
    "url": lambda spec: "not a link",
    "bool": lambda spec: "yes",
    "choice": lambda spec: "NOT_A_CHOICE",
    "int": lambda spec: "many",
    "list": lambda spec: ["x" * ((spec.max_length or 0) + 1)] if spec.max_length else "topic",
    "seconds": lambda spec: -1,
    "media": lambda spec: "cover.jpg",
}


@pytest.mark.parametrize("declared", DECLARED, ids=[f"{p}.{s.name}" for p, s in DECLARED])
def test_a_bad_value_is_a_400_on_targets_n_options_name(client_for, declared):
    # given: a fine first variant, and the platform's with a bad value second (the index names it)
    platform, spec = declared
    other = "x" if platform != "x" else "weibo"
    workspace, accounts = brand_with_accounts(other, platform)
    api = client_for(member_user(workspace, Role.MANAGER))
    media, _value = _media_for(workspace, spec)
    # when
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {
            "targets": [
                {"account": accounts[other].pk, "text": "hi"},
                {
                    "account": accounts[platform].pk,
                    "text": "hi",
                    "media": media,
                    "options": {spec.name: BAD[spec.kind](spec)},
                },
            ]
        },
        format="json",
    )
    # then
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [f"targets.1.options.{spec.name}"]
    assert not Post.objects.filter(workspace=workspace).exists()


def test_the_composer_shows_a_refused_setting_next_to_it():
    # given: a Xiaohongshu note whose title is longer than RED's 20 characters
    workspace, accounts = brand_with_accounts("weibo", "xiaohongshu")
    red = accounts["xiaohongshu"]
    image = MediaAssetFactory(workspace=workspace)
    client = signed_in_client(member_user(workspace, Role.EDITOR))
    # when
    response = client.post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [accounts["weibo"].pk, red.pk],
            "text": "春茶上新",
            "media": [image.pk],
            option_field(red.pk, "title"): "这是一个非常非常非常非常非常长的小红书笔记标题啊",
            option_field(red.pk, "topics"): "#春茶 #下午茶",
            "action": "draft",
        },
    )
    # then: nothing saved, the message under the title in RED's settings, the typed values kept
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert 'data-testid="setting-error-xiaohongshu-title"' in html
    assert "20" in html.split('data-testid="setting-error-xiaohongshu-title"')[1][:200]
    assert 'value="#春茶 #下午茶"' in html


def test_media_options_name_an_image_of_this_workspace(client_for):
    workspace, accounts = brand_with_accounts("kuaishou")
    api = client_for(member_user(workspace, Role.MANAGER))
    video = MediaAssetFactory(workspace=workspace, kind="video", mime="video/mp4", duration_seconds=5.0)
    elsewhere = MediaAssetFactory()  # another workspace's image

    def post(cover):
        return api.post(
            f"/api/v1/workspaces/{workspace.pk}/posts/",
            {
                "targets": [
                    {
                        "account": accounts["kuaishou"].pk,
                        "text": "快手",
                        "media": [video.pk],
                        "options": {"cover": cover},
                    }
                ]
            },
            format="json",
        )

    for refused in (elsewhere.pk, video.pk):
        response = post(refused)
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["targets.0.options.cover"]
    assert post(MediaAssetFactory(workspace=workspace).pk).status_code == 201


def test_a_cover_frame_is_a_moment_of_the_variants_video(client_for):
    workspace, accounts = brand_with_accounts("douyin")
    api = client_for(member_user(workspace, Role.MANAGER))
    video = MediaAssetFactory(workspace=workspace, kind="video", mime="video/mp4", duration_seconds=5.0)

    def post(media, seconds):
        target = {"account": accounts["douyin"].pk, "text": "抖音", "media": media}
        target["options"] = {"cover_tsp": seconds}
        return api.post(f"/api/v1/workspaces/{workspace.pk}/posts/", {"targets": [target]}, format="json")

    assert post([], 1.0).status_code == 400  # no video
    late = post([video.pk], 6.0)
    assert late.status_code == 400 and "5" in late.json()["error"]["fields"]["targets.0.options.cover_tsp"][0]
    ok = post([video.pk], 2.5)
    assert ok.status_code == 201 and ok.json()["targets"][0]["options"] == {"cover_tsp": 2.5}


def test_the_variants_own_title_is_the_payloads_and_the_approval_covers_it(client_for):
    # given: one post on Weibo and Xiaohongshu, titled for the post and, on RED, its own
    workspace, accounts = brand_with_accounts("weibo", "xiaohongshu")
    api = client_for(member_user(workspace, Role.MANAGER))
    image = MediaAssetFactory(workspace=workspace)
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {
            "title": "A spring tea title much longer than twenty characters",
            "targets": [
                {"account": accounts["weibo"].pk, "text": "春茶", "media": [image.pk]},
                {
                    "account": accounts["xiaohongshu"].pk,
                    "text": "春茶",
                    "media": [image.pk],
                    "options": {"title": "春茶上新", "topics": ["#春茶", "下午茶"]},
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    by_platform = {t.account.platform: t for t in post.targets.select_related("account")}
    # then: RED's payload carries its own title and the topics without '#'; Weibo keeps the post's
    red = target_payload(by_platform["xiaohongshu"])
    assert red.title == "春茶上新" and red.options["topics"] == ["春茶", "下午茶"]
    assert target_payload(by_platform["weibo"]).title == post.title
    # when: only RED's title changes, the hash that approvals pin changes
    before = canonical_hash(publishable(post))
    PostTarget.objects.filter(pk=by_platform["xiaohongshu"].pk).update(options={"title": "春茶上新啦"})
    assert canonical_hash(publishable(Post.objects.get(pk=post.pk))) != before


def test_seconds_and_media_kinds_are_declared_where_a_video_cover_is():
    for platform in ("douyin", "kuaishou", "wechat_channels"):
        kinds = {s.name: s.kind for s in CONNECTORS[platform].post_options}
        assert kinds["cover_tsp"] == SECONDS
    assert {s.name: s.kind for s in CONNECTORS["kuaishou"].post_options}["cover"] == MEDIA


def test_xiaohongshu_counts_the_topics_with_the_text():
    from channels_app.connectors.base import PostPayload
    from channels_app.connectors.registry import connector_for

    red = connector_for("xiaohongshu")
    text = "茶" * 997
    assert not [f for f in red.validate(PostPayload(text=text)) if f.rule == "xiaohongshu.text_with_topics"]
    findings = red.validate(PostPayload(text=text, options={"topics": ["春茶"]}))
    assert [f.rule for f in findings if f.rule == "xiaohongshu.text_with_topics"] == [
        "xiaohongshu.text_with_topics"
    ]

"""A WeChat push sent to a reviewer's phone (one service for the editor and the review page: audited,
a clear error where the account cannot), the API's field-level errors for articles, and the mass-send
quota counted from our own records refusing a schedule beyond it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.tests.test_gate_payload import png
from channels_app.connectors.base import Credentials
from channels_app.connectors.registry import connector_for
from channels_app.connectors.wechat_oa import push
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from content.models import Post
from core.errors import PermissionRefused, ValidationFailed
from core.models import AuditEvent
from publishing.wechat_preview import wechat_preview_send

pytestmark = pytest.mark.django_db


def _world(platform_sim, *, verified=True, service_type="subscription"):
    ws = WorkspaceFactory()
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    sim = platform_sim.create_account(
        "wechat_oa", options={"verified": verified, "service_type": service_type}
    )
    tokens = connector_for("wechat_oa").connect_with_credentials(appid=sim.app_id, secret=sim.app_secret)
    account = SocialAccountFactory(
        workspace=ws,
        platform="wechat_oa",
        external_id=sim.external_id,
        platform_details={"verified": verified, "service_type": service_type},
        credentials=Credentials(
            access_token=tokens.access_token, expires_at=tokens.expires_at, extra=tokens.extra
        ),
    )
    cover = content_services.media_upload(
        actor=editor, workspace=ws, file=SimpleUploadedFile("c.png", png("red"), content_type="image/png")
    )
    return ws, editor, account, cover


def _push(ws, editor, account, cover, **options):
    return content_services.post_create(
        actor=editor,
        workspace=ws,
        title="春季新品",
        targets=[
            {
                "account": account.pk,
                "text": "正文",
                "media": [cover.pk],
                "options": {
                    "articles": [
                        {"title": "第二篇", "body": "正文二", "cover": cover.pk, "cover_crop": "0_0_1_1"}
                    ],
                    **options,
                },
            }
        ],
        scheduled_at=timezone.now() + timedelta(days=1),
    )


def test_a_preview_reaches_the_phone_and_is_audited(platform_sim):
    ws, editor, account, cover = _world(platform_sim)
    post = _push(ws, editor, account, cover)
    wechat_preview_send(actor=editor, post=post, target_id=post.targets.get().pk, wechat_id="reviewer_li")
    (preview,) = platform_sim.previews()
    assert preview["to"] == "reviewer_li" and [a["title"] for a in preview["articles"]] == [
        "春季新品",
        "第二篇",
    ]
    event = AuditEvent.objects.get(action="wechat.preview_send")
    assert event.after["to"] == "reviewer_li"


def test_an_unverified_account_gets_a_clear_refusal(platform_sim):
    ws, editor, account, cover = _world(platform_sim, verified=False)
    post = _push(ws, editor, account, cover)
    with pytest.raises(ValidationFailed) as refused:
        wechat_preview_send(actor=editor, post=post, target_id=post.targets.get().pk, wechat_id="reviewer_li")
    assert "verified" in refused.value.message and refused.value.fields == {
        "wechat_id": [refused.value.message]
    }
    assert platform_sim.previews() == []


def test_a_viewer_cannot_send_a_preview(platform_sim):
    ws, editor, account, cover = _world(platform_sim)
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    post = _push(ws, editor, account, cover)
    with pytest.raises(PermissionRefused):
        wechat_preview_send(actor=viewer, post=post, target_id=post.targets.get().pk, wechat_id="reviewer_li")


def test_the_api_names_the_article_and_field_of_a_bad_value(platform_sim):
    ws, editor, account, cover = _world(platform_sim)
    api = APIClient()
    api.force_authenticate(editor)
    articles = [
        {"title": "ok", "body": "b", "cover": cover.pk},
        {"title": "ok", "body": "b", "cover": cover.pk},
        {"title": "长" * 65, "body": "b", "cover": cover.pk},
    ]
    response = api.post(
        f"/api/v1/workspaces/{ws.pk}/posts/",
        {
            "title": "t",
            "targets": [
                {"account": account.pk, "text": "x", "media": [cover.pk], "options": {"articles": articles}}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["targets.0.options.articles.2.title"]
    other_ws_media = content_services.media_upload(
        actor=WorkspaceMemberFactory(role=Role.EDITOR).user,
        workspace=WorkspaceFactory(),
        file=SimpleUploadedFile("o.png", png("blue"), content_type="image/png"),
    )
    articles[2] = {"title": "ok", "body": "b", "cover": other_ws_media.pk}
    response = api.post(
        f"/api/v1/workspaces/{ws.pk}/posts/",
        {
            "title": "t",
            "targets": [
                {"account": account.pk, "text": "x", "media": [cover.pk], "options": {"articles": articles}}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["targets.0.options.articles.2.cover"]


def test_a_second_mass_send_the_same_day_cannot_be_scheduled(platform_sim):
    # given: a subscription account (one mass send a day) with one mass send scheduled tomorrow
    ws, editor, account, cover = _world(platform_sim)
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    first = _push(ws, editor, account, cover, delivery="mass_send")
    content_services.post_schedule(actor=admin, post=first, override_warnings=True)
    second = _push(ws, editor, account, cover, delivery="mass_send")
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        content_services.post_schedule(
            actor=admin, post=Post.objects.get(pk=second.pk), override_warnings=True
        )
    assert refused.value.code == "mass_send_quota" and "once a day" in refused.value.message
    # a free publish the same day has no quota
    third = _push(ws, editor, account, cover, delivery="publish")
    content_services.post_schedule(actor=admin, post=third, override_warnings=True)


def test_moving_a_mass_send_into_a_day_already_used_is_refused(platform_sim):
    # given: two mass sends scheduled on two days of a subscription account
    ws, editor, account, cover = _world(platform_sim)
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    first = _push(ws, editor, account, cover, delivery="mass_send")
    content_services.post_schedule(actor=admin, post=first, override_warnings=True)
    second = _push(ws, editor, account, cover, delivery="mass_send")
    later = Post.objects.get(pk=second.pk).scheduled_at + timedelta(days=2)
    content_services.post_schedule(
        actor=admin, post=Post.objects.get(pk=second.pk), scheduled_at=later, override_warnings=True
    )
    # when: the second is dragged onto the first one's day
    with pytest.raises(ValidationFailed) as refused:
        content_services.post_reschedule(
            actor=admin, post=Post.objects.get(pk=second.pk), scheduled_at=first.scheduled_at
        )
    # then: refused, and it stays where it was
    assert refused.value.code == "mass_send_quota"
    assert Post.objects.get(pk=second.pk).scheduled_at == later


def test_an_article_body_over_the_content_limit_is_a_400_on_its_body(platform_sim):
    # given article 2's body: 19,994 characters as WeChat counts the HTML it is sent as (<p>...</p>)
    ws, editor, account, cover = _world(platform_sim)
    api = APIClient()
    api.force_authenticate(editor)
    fits = "好" * (push.CONTENT_LIMIT - len("<p></p>"))
    articles = [{"title": "ok", "body": fits + "好", "cover": cover.pk}]

    def create(articles):
        return api.post(
            f"/api/v1/workspaces/{ws.pk}/posts/",
            {
                "title": "t",
                "targets": [
                    {
                        "account": account.pk,
                        "text": "x",
                        "media": [cover.pk],
                        "options": {"articles": articles},
                    }
                ],
            },
            format="json",
        )

    # when / then: one over is refused on the field, with the connector's own message
    response = create(articles)
    assert response.status_code == 400
    field = "targets.0.options.articles.0.body"
    assert response.json()["error"]["fields"] == {field: [push.body_too_long(fits + "好")]}
    assert push.content_length(fits + "好") == push.CONTENT_LIMIT + 1

    # and at the limit it is saved
    assert create([{**articles[0], "body": fits}]).status_code == 201

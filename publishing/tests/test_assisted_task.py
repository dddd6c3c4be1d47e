"""The assisted task page (an assisted post as a task on the phone), its QR code on the post page and the
ASSISTED_DUE notice's link to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import segno
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTargetMedia
from content.models import TargetStatus as S
from content.tests.factories import MediaAssetFactory, PostFactory, PostTargetFactory
from core.models import AuditEvent
from publishing.models import PublishJob, PublishNotification
from publishing.templatetags.assisted_task import qr_svg

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assisted_target(workspace, *, status=S.PUBLISHING):
    account = SocialAccountFactory(
        workspace=workspace, platform="xiaohongshu", handle="lotus_tea", assisted=True, credentials=False
    )
    due = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=5)
    post = PostFactory(workspace=workspace, title="Spring oolong", scheduled_at=due)
    target = PostTargetFactory(
        post=post,
        workspace=workspace,
        account=account,
        status=status,
        text="Spring oolong is here #tea",
        first_comment="Link in bio",
        options={"topics": ["oolong", "#春茶"]},
    )
    Post.objects.filter(pk=post.pk).update(status=status)
    media = MediaAssetFactory(workspace=workspace, file=f"workspaces/{workspace.pk}/media/cup.jpg")
    PostTargetMedia.objects.create(target=target, media=media, position=0)
    PublishJob.objects.create(
        workspace=workspace,
        target=target,
        kind=PublishJob.Kind.ASSISTED,
        due_at=due,
        lease_expires_at=due + timedelta(hours=2),
    )
    return target


def task_path(target, workspace_id=None) -> str:
    return reverse("publishing:assisted_task", args=[workspace_id or target.workspace_id, target.pk])


def test_task_page_shows_account_due_time_text_copy_buttons_and_images(ws, admin):
    # given: a workspace in Shanghai
    ws.timezone = "Asia/Shanghai"
    ws.save()
    target = assisted_target(ws)
    # when
    response = signed_in(admin).get(task_path(target))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "lotus_tea" in page
    local_due = timezone.localtime(target.post.scheduled_at, ws.tzinfo).strftime("%Y-%m-%d %H:%M")
    assert f"Due {local_due} (Asia/Shanghai)" in page
    assert "Spring oolong is here #tea" in page and "Link in bio" in page and "#oolong #春茶" in page
    for name in ("text", "title", "topics", "first-comment"):
        assert f'data-testid="copy-{name}"' in page and f'data-copy-target="copy-{name}"' in page
    assert ">Copy text<" in page
    media_url = f"{django_settings.MEDIA_URL}workspaces/{ws.pk}/media/cup.jpg"
    assert f'<img src="{media_url}"' in page
    assert f'href="{media_url}" download' in page and "Save image" in page
    assert "js/assisted_task.js" in page
    assert 'data-testid="task-confirm-form"' in page


def test_valid_confirm_marks_the_target_published_and_writes_the_audit_entry(ws, admin):
    # given
    target = assisted_target(ws)
    link = "https://www.xiaohongshu.com/explore/abc123"
    # when
    response = signed_in(admin).post(task_path(target), {"url": link})
    # then: the same service as the post page's confirm button (same audit entry)
    assert response.status_code == 302 and response["Location"] == task_path(target)
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.url == link
    event = AuditEvent.objects.get(action="post_target.assisted_confirm", target_id=str(target.pk))
    assert event.actor_id == admin.pk and event.after == {"url": link}
    assert 'data-testid="task-done"' in signed_in(admin).get(task_path(target)).content.decode()


def test_invalid_link_is_400_with_the_message_next_to_the_field_and_nothing_changes(ws, admin):
    # given
    target = assisted_target(ws)
    # when
    response = signed_in(admin).post(task_path(target), {"url": "not a link"})
    # then
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="field-error" id="id_url_error">Enter the post&#x27;s link (http or https).</p>' in page
    target.refresh_from_db()
    assert target.status == S.PUBLISHING and target.url == ""
    assert not AuditEvent.objects.filter(action="post_target.assisted_confirm").exists()


def test_an_editor_who_is_not_responsible_sees_the_task_but_may_not_confirm_it(ws):
    # given: an editor cannot schedule posts and is not the account's responsible person
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    target = assisted_target(ws)
    client = signed_in(editor)
    # when
    page = client.get(task_path(target))
    refused = client.post(task_path(target), {"url": "https://a.example/1"})
    api = client.post(
        f"/api/v1/workspaces/{ws.pk}/publish-targets/{target.pk}/confirm/",
        {"url": "https://a.example/1"},
        content_type="application/json",
    )
    # then
    assert page.status_code == 200
    assert 'data-testid="task-confirm-form"' not in page.content.decode()
    assert 'data-testid="task-whose"' in page.content.decode()
    assert (refused.status_code, api.status_code) == (403, 403)
    target.refresh_from_db()
    assert target.status == S.PUBLISHING


def test_the_accounts_responsible_person_confirms_whatever_their_role(ws):
    # given: an editor named responsible for the RED account
    member = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR)
    target = assisted_target(ws)
    target.account.responsible = member
    target.account.save(update_fields=["responsible"])
    client = signed_in(member.user)
    # when
    page = client.get(task_path(target))
    confirmed = client.post(task_path(target), {"url": "https://www.xiaohongshu.com/explore/abc"})
    # then
    assert 'data-testid="task-confirm-form"' in page.content.decode()
    assert confirmed.status_code == 302
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.url == "https://www.xiaohongshu.com/explore/abc"
    assert AuditEvent.objects.filter(action="post_target.assisted_confirm", actor=member.user).exists()


def test_a_viewer_outside_the_hand_off_is_refused_by_the_api_too(ws):
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    target = assisted_target(ws)
    response = signed_in(viewer).post(
        f"/api/v1/workspaces/{ws.pk}/publish-targets/{target.pk}/confirm/",
        {"url": "https://a.example/1"},
        content_type="application/json",
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.status == S.PUBLISHING


def test_another_workspaces_target_is_404(ws, admin):
    # given
    victim = assisted_target(WorkspaceFactory())
    client = signed_in(admin)
    # when: through the admin's own workspace, and through the victim's
    codes = [
        client.get(task_path(victim, ws.pk)).status_code,
        client.post(task_path(victim, ws.pk), {"url": "https://a.example/1"}).status_code,
        client.get(task_path(victim)).status_code,
    ]
    # then
    assert codes == [404, 404, 404]
    victim.refresh_from_db()
    assert victim.status == S.PUBLISHING


def test_post_page_shows_the_task_pages_qr_code_and_link(ws, admin):
    # given
    target = assisted_target(ws)
    url = django_settings.KAWO["SITE_URL"].rstrip("/") + task_path(target)
    # when
    page = signed_in(admin).get(reverse("content:post_detail", args=[ws.pk, target.post_id])).content.decode()
    # then: segno's SVG of exactly that URL, and the link itself
    assert 'data-testid="task-phone"' in page
    assert qr_svg(url) == segno.make(url).svg_inline(scale=4, border=2, title=url)
    assert segno.make(url).svg_inline(scale=4, border=2, title=url) in page
    assert f'href="{url}" data-testid="task-link"' in page


def test_post_page_has_no_qr_code_for_a_target_that_is_not_assisted(ws, admin):
    # given
    target = assisted_target(ws)
    PublishJob.objects.filter(target=target).update(kind=PublishJob.Kind.API)
    # when
    page = signed_in(admin).get(reverse("content:post_detail", args=[ws.pk, target.post_id])).content.decode()
    # then
    assert (
        'data-testid="task-phone"' not in page
        and "<svg" not in page.split('data-testid="publish-panel"')[1][:2000]
    )


def test_the_assisted_due_notice_links_to_the_task_page(ws, admin):
    # given
    target = assisted_target(ws)
    PublishNotification.objects.create(
        workspace=ws,
        recipient=admin,
        kind=PublishNotification.Kind.ASSISTED_DUE,
        target=target,
        message="Due now",
    )
    PublishNotification.objects.create(
        workspace=ws, recipient=admin, kind=PublishNotification.Kind.FAILED, target=target, message="Failed"
    )
    # when
    page = signed_in(admin).get(reverse("publishing:notifications")).content.decode()
    # then
    assert f'<a href="{task_path(target)}" data-testid="notification-link">Due now</a>' in page
    post_link = reverse("content:post_detail", args=[ws.pk, target.post_id])
    assert f'<a href="{post_link}">Failed</a>' in page


def test_task_page_shows_the_variants_title_topics_after_the_text_and_the_cover(ws, admin):
    # given: a WeChat Channels video with its own short title, a cover frame and the frame saved as an image
    target = assisted_target(ws)
    cover = MediaAssetFactory(workspace=ws, file=f"workspaces/{ws.pk}/media/frame.jpg")
    target.options = {"title": "春茶短标题", "topics": ["春茶"], "cover_tsp": 2.5, "cover": cover.pk}
    target.save(update_fields=["options"])
    # when
    page = signed_in(admin).get(task_path(target)).content.decode()
    # then: the title to copy is the variant's, the text to copy ends with the topics, the cover is there
    assert 'id="copy-title" data-testid="copy-source-title">春茶短标题</pre>' in page
    assert 'data-testid="copy-source-text">Spring oolong is here #tea\n\n#春茶</pre>' in page
    assert 'data-testid="chips-topics"><li>#春茶</li>' in page
    assert f'src="{cover.file.url}"' in page and 'data-testid="save-cover"' in page
    assert 'data-testid="copy-cover-at"' in page and "2.5 s" in page

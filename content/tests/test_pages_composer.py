"""The composer and the post page: render, save a draft, schedule, refusals shown next to the field,
per-account variants, the live check (counts by each platform's rule, findings with spans), history,
roles and tenancy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, TargetStatus
from content.tests.factories import BannedWordFactory, PostingSlotFactory, PostTargetFactory
from content.tests.pages_kit import brand_with_accounts, member_user, signed_in_client, tomorrow

pytestmark = pytest.mark.django_db

LINK = "https://example.com/tea"


@pytest.fixture
def setup():
    return brand_with_accounts("weibo", "x", "bluesky")


def test_new_post_page_renders_accounts_and_previews(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    # when
    response = signed_in_client(user).get(reverse("content:composer_new", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    for platform, account in accounts.items():
        assert f'value="{account.pk}"' in html
        assert f'data-testid="preview-{platform}"' in html
    # an editor saves drafts; scheduling is a manager's
    assert 'data-testid="save-draft"' in html
    assert 'data-testid="schedule"' not in html


def test_save_a_draft_with_a_variant_per_account(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    day = tomorrow(workspace)
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [a.pk for a in accounts.values()],
            "text": f"New tea {LINK}",
            f"custom_{accounts['x'].pk}": "1",
            f"variant_{accounts['x'].pk}": "New tea, short for X",
            "scheduled_date": day.isoformat(),
            "scheduled_time": "10:30",
            "action": "draft",
        },
    )
    # then
    post = Post.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("content:post_detail", args=[workspace.pk, post.pk])
    texts = {t.account.platform: t.text for t in post.targets.select_related("account")}
    assert texts == {"weibo": f"New tea {LINK}", "x": "New tea, short for X", "bluesky": f"New tea {LINK}"}
    local = post.scheduled_at.astimezone(workspace.tzinfo)
    assert (local.date(), local.hour, local.minute) == (day, 10, 30)
    assert post.status == TargetStatus.DRAFT


def test_schedule_is_refused_with_the_blocking_finding_next_to_the_text(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [accounts["weibo"].pk],
            "text": f"全网第一的好茶 {LINK}",
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "action": "schedule",
        },
    )
    # then: nothing saved, the message under the text field
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert 'data-testid="text-error"' in html
    assert "全网第一" in html and "blocking problem" in html


def test_schedule_from_the_composer(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    day = tomorrow(workspace)
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [a.pk for a in accounts.values()],
            "text": f"好茶上新 {LINK}",
            "scheduled_date": day.isoformat(),
            "scheduled_time": "09:15",
            "action": "schedule",
        },
        follow=True,
    )
    # then
    post = Post.objects.get(workspace=workspace)
    assert post.status == TargetStatus.SCHEDULED
    assert post.scheduled_at.astimezone(workspace.tzinfo).strftime("%H:%M") == "09:15"
    assert "Scheduled for" in response.content.decode()


def test_schedule_needs_a_date(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {"accounts": [accounts["x"].pk], "text": "Hi", "action": "schedule"},
    )
    # then
    assert response.status_code == 200
    assert "Pick a date and time" in response.content.decode()
    assert not Post.objects.exists()


def test_edit_a_post_makes_a_version_and_the_page_shows_the_diff(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    post = services.post_create(
        actor=user, workspace=workspace, targets=[{"account": accounts["x"].pk, "text": "Old words"}]
    )
    client = signed_in_client(user)
    # when
    page = client.get(reverse("content:composer_edit", args=[workspace.pk, post.pk]))
    saved = client.post(
        reverse("content:composer_edit", args=[workspace.pk, post.pk]),
        {"accounts": [accounts["x"].pk], "text": "New words", "version": post.version, "action": "draft"},
    )
    detail = client.get(reverse("content:post_detail", args=[workspace.pk, post.pk]))
    # then
    assert "Old words" in page.content.decode()
    assert saved.status_code == 302
    post.refresh_from_db()
    assert post.version == 2
    html = detail.content.decode()
    assert "<del>Old</del>" in html and "<ins>New</ins>" in html
    assert user.email in html


def test_a_stale_edit_is_refused_and_nothing_is_saved(setup):
    # given: someone saved version 2 since this person opened version 1
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    post = services.post_create(
        actor=user, workspace=workspace, targets=[{"account": accounts["x"].pk, "text": "One"}]
    )
    services.post_update(actor=user, post=post, version=1, title="Theirs")
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_edit", args=[workspace.pk, post.pk]),
        {"accounts": [accounts["x"].pk], "text": "Mine", "version": 1, "action": "draft"},
    )
    # then
    assert response.status_code == 200
    assert "was changed by" in response.content.decode()
    assert post.targets.get().text == "One"


def test_viewer_cannot_open_or_post_the_composer(setup):
    # given
    workspace, accounts = setup
    viewer = member_user(workspace, Role.VIEWER)
    client = signed_in_client(viewer)
    url = reverse("content:composer_new", args=[workspace.pk])
    # when / then
    assert client.get(url).status_code == 403
    assert client.post(url, {"accounts": [accounts["x"].pk], "text": "x"}).status_code == 403
    assert not Post.objects.exists()


def test_editor_asking_to_schedule_gets_a_message_and_nothing_is_saved(setup):
    # given
    workspace, accounts = setup
    editor = member_user(workspace, Role.EDITOR)
    # when
    response = signed_in_client(editor).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {
            "accounts": [accounts["x"].pk],
            "text": "Hello",
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "action": "schedule",
        },
    )
    # then
    assert response.status_code == 200
    assert "does not allow scheduling" in response.content.decode()
    assert not Post.objects.exists()


def test_another_workspaces_account_is_not_a_choice(setup):
    # given
    workspace, _ = setup
    user = member_user(workspace, Role.EDITOR)
    foreign = SocialAccountFactory(platform="x")
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {"accounts": [foreign.pk], "text": "Hello", "action": "draft"},
    )
    # then
    assert response.status_code == 200
    assert not Post.objects.exists()


def test_composer_pages_of_another_workspace_are_404(setup):
    # given
    workspace, _ = setup
    theirs = PostTargetFactory().post
    user = member_user(workspace, Role.ADMIN)
    client = signed_in_client(user)
    # when / then
    assert client.get(reverse("content:composer_new", args=[theirs.workspace_id])).status_code == 404
    assert client.get(reverse("content:composer_edit", args=[workspace.pk, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("content:composer_edit", args=[theirs.workspace_id, theirs.pk])).status_code == 404
    )


def test_live_check_counts_by_each_platforms_rule_and_returns_spans(setup):
    # given: 10 CJK characters and a link
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    text = "全网第一的好茶，快来买 " + LINK
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_check", args=[workspace.pk]),
        data=json.dumps(
            {"text": text, "variants": [{"account": a.pk, "custom": False} for a in accounts.values()]}
        ),
        content_type="application/json",
    )
    # then
    body = response.json()
    counts = {v["platform"]: (v["count"], v["limit"]) for v in body["variants"]}
    expected = services.text_counts(text, ["weibo", "x", "bluesky"])
    assert counts == {p: (c["count"], c["limit"]) for p, c in expected.items()}
    assert counts["x"][0] != counts["bluesky"][0]  # X weighs CJK double, Bluesky counts graphemes
    claim = next(f for f in body["main"] if f["rule"] == "adlaw.absolute_claim")
    assert text[claim["start_utf16"] : claim["end_utf16"]] == "全网第一"
    assert claim["severity"] == "blocking"


def test_live_check_of_a_custom_variant_checks_its_own_text(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    # when
    body = (
        signed_in_client(user)
        .post(
            reverse("content:composer_check", args=[workspace.pk]),
            data=json.dumps(
                {
                    "text": "A calm text",
                    "variants": [{"account": accounts["x"].pk, "custom": True, "text": "顶级 tea"}],
                }
            ),
            content_type="application/json",
        )
        .json()
    )
    # then
    assert [f["rule"] for f in body["variants"][0]["findings"]] == ["adlaw.absolute_claim"]
    assert body["main"] == []


def test_live_check_refuses_another_workspaces_account(setup):
    # given
    workspace, _ = setup
    user = member_user(workspace, Role.EDITOR)
    foreign = SocialAccountFactory(platform="x")
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_check", args=[workspace.pk]),
        data=json.dumps({"text": "hi", "variants": [{"account": foreign.pk}]}),
        content_type="application/json",
    )
    # then
    assert response.status_code == 404


def test_post_page_shows_the_new_time_in_history_after_a_move(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    when = (timezone.now().astimezone(workspace.tzinfo) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[{"account": accounts["x"].pk, "text": "Tea"}],
        scheduled_at=when,
    )
    services.post_reschedule(actor=user, post=post, scheduled_at=when + timedelta(days=1))
    # when
    html = (
        signed_in_client(user)
        .get(reverse("content:post_detail", args=[workspace.pk, post.pk]))
        .content.decode()
    )
    # then
    assert "Rescheduled" in html
    assert (when + timedelta(days=1)).strftime("%Y-%m-%d 10:00") in html
    assert when.strftime("%Y-%m-%d 10:00") in html


def test_delete_from_the_post_page(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    post = services.post_create(
        actor=user, workspace=workspace, targets=[{"account": accounts["x"].pk, "text": "T"}]
    )
    # when
    response = signed_in_client(user).post(reverse("content:post_delete", args=[workspace.pk, post.pk]))
    # then
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.deleted_at is not None


def test_warnings_need_the_explicit_override_which_is_recorded(setup):
    # given: a workspace word that only warns
    workspace, accounts = setup
    BannedWordFactory(workspace=workspace, word="cheap", severity="warning")
    user = member_user(workspace, Role.MANAGER)
    data = {
        "accounts": [accounts["x"].pk],
        "text": "A cheap and cheerful tea",
        "scheduled_date": tomorrow(workspace).isoformat(),
        "scheduled_time": "10:00",
        "action": "schedule",
    }
    client = signed_in_client(user)
    url = reverse("content:composer_new", args=[workspace.pk])
    # when: without the override
    refused = client.post(url, data)
    # then: the message sits by the override checkbox, nothing saved
    assert refused.status_code == 200
    assert "explicit override" in refused.content.decode()
    assert not Post.objects.exists()
    # when: with it
    accepted = client.post(url, {**data, "override_warnings": "on"})
    # then
    assert accepted.status_code == 302
    post = Post.objects.get()
    assert post.status == TargetStatus.SCHEDULED
    assert post.compliance_override["by_label"] == user.email


def test_add_to_queue_takes_the_next_free_posting_slot(setup):
    # given: the X account posts on Mondays at 09:00 (workspace time)
    workspace, accounts = setup
    PostingSlotFactory(workspace=workspace, account=accounts["x"], weekday=0, time="09:00")
    user = member_user(workspace, Role.MANAGER)
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_new", args=[workspace.pk]),
        {"accounts": [accounts["x"].pk], "text": "Monday tea", "action": "queue"},
    )
    # then
    assert response.status_code == 302
    post = Post.objects.get()
    local = post.scheduled_at.astimezone(workspace.tzinfo)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert post.scheduled_at > timezone.now()
    assert post.status == TargetStatus.SCHEDULED


def test_add_to_queue_without_slots_says_so(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    post = services.post_create(
        actor=user, workspace=workspace, targets=[{"account": accounts["x"].pk, "text": "T"}]
    )
    # when
    response = signed_in_client(user).post(
        reverse("content:post_queue", args=[workspace.pk, post.pk]), follow=True
    )
    # then
    assert "no free posting slot" in response.content.decode()
    post.refresh_from_db()
    assert post.status == TargetStatus.DRAFT


def test_a_composer_save_keeps_what_the_wechat_editor_placed():
    # given: a WeChat variant whose push was arranged in the WeChat editor (a second article, the cover
    # crop, body images after paragraphs, mass send) and a Weibo variant, both with the same text
    from django.core.files.uploadedfile import SimpleUploadedFile

    from approvals.tests.test_gate_payload import png

    workspace, accounts = brand_with_accounts("weibo", "wechat_oa")
    user = member_user(workspace, Role.EDITOR)
    cover, body = (
        services.media_upload(
            actor=user,
            workspace=workspace,
            file=SimpleUploadedFile(f"{n}.png", png(n), content_type="image/png"),
        )
        for n in ("red", "blue")
    )
    push = {
        "cover_crop": "0_0.1_1_0.5",
        "image_after": [1],
        "delivery": "mass_send",
        "articles": [{"title": "第二篇", "body": "正文二", "cover": cover.pk, "cover_crop": "0_0_1_1"}],
    }
    post = services.post_create(
        actor=user,
        workspace=workspace,
        title="春季新品",
        targets=[
            {"account": accounts["weibo"].pk, "text": "第一段\n第二段", "media": [cover.pk]},
            {
                "account": accounts["wechat_oa"].pk,
                "text": "第一段\n第二段",
                "media": [cover.pk, body.pk],
                "options": push,
            },
        ],
    )
    # when: the composer saves a new text (it shows one image, the cover)
    client = signed_in_client(user)
    saved = client.post(
        reverse("content:composer_edit", args=[workspace.pk, post.pk]),
        {
            "accounts": [accounts["weibo"].pk, accounts["wechat_oa"].pk],
            "title": "春季新品",
            "text": "第一段改\n第二段",
            "media": [cover.pk],
            "version": post.version,
            "action": "draft",
        },
    )
    # then: the text changed everywhere; the WeChat variant kept its push settings and its two images
    assert saved.status_code == 302, saved.content.decode()[:2000]
    wechat = post.targets.get(account=accounts["wechat_oa"])
    weibo = post.targets.get(account=accounts["weibo"])
    assert wechat.text == weibo.text == "第一段改\n第二段"
    assert {k: wechat.options[k] for k in push} == {**push, "articles": wechat.options["articles"]}
    assert wechat.options["articles"][0]["title"] == "第二篇"
    assert [m.media_id for m in wechat.media_links.order_by("position")] == [cover.pk, body.pk]
    assert [m.media_id for m in weibo.media_links.order_by("position")] == [cover.pk]

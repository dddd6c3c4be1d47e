"""The first comment: written per account in the composer where the platform has one (X, Facebook,
Instagram, Mastodon), refused for the others with an error on that field (composer and API), counted by
the platform's own rule, checked by compliance like the text (findings name the first comment and its
span), versioned with a diff, and shown on the post page next to a link to the post's approval."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory
from approvals import services as approval_services
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import compliance, services
from content.models import Post, PostVersion, TargetStatus
from content.tests.factories import BannedWordFactory
from content.tests.pages_kit import brand_with_accounts, member_user, signed_in_client, tomorrow
from core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

REPLY = "Full brewing guide: https://example.com/guide"


@pytest.fixture
def setup():
    return brand_with_accounts("x", "weibo", "bluesky")


def _new(workspace):
    return reverse("content:composer_new", args=[workspace.pk])


def _edit(workspace, post):
    return reverse("content:composer_edit", args=[workspace.pk, post.pk])


# --- the composer -----------------------------------------------------------------------------------


def test_the_composer_offers_a_first_comment_only_where_the_platform_has_one(setup):
    # given: X has first comments (a reply), Weibo and Bluesky don't
    workspace, accounts = setup
    # when
    html = signed_in_client(member_user(workspace, Role.EDITOR)).get(_new(workspace)).content.decode()
    # then
    assert f'name="first_comment_{accounts["x"].pk}"' in html
    assert f'name="first_comment_{accounts["weibo"].pk}"' not in html
    assert f'name="first_comment_{accounts["bluesky"].pk}"' not in html
    assert "First comment" in html


def test_the_first_comment_field_speaks_chinese(setup):
    # given
    workspace, accounts = setup
    client = signed_in_client(member_user(workspace, Role.EDITOR))
    client.cookies["django_language"] = "zh-hans"
    # when
    html = client.get(_new(workspace), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then
    assert f'<label for="id_first_comment_{accounts["x"].pk}">首条评论</label>' in html
    assert "帖子发布后立即作为首条评论发布到X。" in html


def test_save_a_draft_keeps_the_first_comment_and_editing_shows_it(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    client = signed_in_client(user)
    # when: a draft for X and Weibo with a first comment on X
    response = client.post(
        _new(workspace),
        {
            "accounts": [accounts["x"].pk, accounts["weibo"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": REPLY,
            "action": "draft",
        },
    )
    # then: saved on X only, with its version
    post = Post.objects.get(workspace=workspace)
    assert response.status_code == 302
    comments = {t.account.platform: t.first_comment for t in post.targets.select_related("account")}
    assert comments == {"x": REPLY, "weibo": ""}
    snapshot = PostVersion.objects.get(post=post).snapshot
    assert {t["platform"]: t["first_comment"] for t in snapshot["targets"]} == {"x": REPLY, "weibo": ""}
    # and the edit page shows the stored first comment in its field
    page = client.get(_edit(workspace, post)).content.decode()
    assert f'name="first_comment_{accounts["x"].pk}"' in page
    assert REPLY in page


def test_schedule_from_the_composer_keeps_the_first_comment(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when
    response = signed_in_client(user).post(
        _new(workspace),
        {
            "accounts": [accounts["x"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": REPLY,
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "action": "schedule",
        },
    )
    # then
    post = Post.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert post.status == TargetStatus.SCHEDULED
    assert post.targets.get().first_comment == REPLY


def test_a_first_comment_for_a_platform_without_one_is_refused_next_to_its_field(setup):
    # given: a hand-made request with a first comment for Bluesky
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    # when
    response = signed_in_client(user).post(
        _new(workspace),
        {
            "accounts": [accounts["x"].pk, accounts["bluesky"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": REPLY,
            f"first_comment_{accounts['bluesky'].pk}": "sneaky reply",
            "action": "draft",
        },
    )
    # then: nothing saved; the message sits in Bluesky's variant, where a first comment would be
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert 'data-testid="first-comment-error-bluesky"' in html
    assert "brand_bluesky: this platform has no first comment." in html
    assert 'data-testid="first-comment-error-x"' not in html
    # and what the person typed for X is still there
    assert REPLY in html


def test_the_api_refuses_a_first_comment_for_a_platform_without_one_naming_the_field(setup, client_for):
    # given
    workspace, accounts = setup
    api = client_for(member_user(workspace, Role.EDITOR))
    # when
    response = api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {
            "targets": [
                {"account": accounts["x"].pk, "text": "Hi", "first_comment": REPLY},
                {"account": accounts["weibo"].pk, "text": "Hi", "first_comment": "评论区见"},
            ]
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_first_comment"
    assert list(error["fields"]) == ["targets.1.first_comment"]
    assert not Post.objects.filter(workspace=workspace).exists()


# --- compliance -------------------------------------------------------------------------------------


def test_compliance_findings_in_the_first_comment_name_it_with_their_span(setup):
    # given: a banned word and an advertising-law term, both only in the first comment
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    BannedWordFactory(workspace=workspace, word="cheap", severity="warning")
    first_comment = "😀 So cheap, 全网第一!"
    # when
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[{"account": accounts["x"].pk, "text": "New oolong", "first_comment": first_comment}],
    )
    # then: stored with the post, pointing at the first comment with spans into it
    found = {f["rule"]: f for f in post.compliance["findings"]}
    assert set(found) == {"banned_word", "adlaw.absolute_claim"}
    for rule, word in (("banned_word", "cheap"), ("adlaw.absolute_claim", "全网第一")):
        finding = found[rule]
        assert finding["field"] == "first_comment"
        assert first_comment[finding["start"] : finding["end"]] == word
        assert finding["start_utf16"] == finding["start"] + 1  # the emoji is two UTF-16 units
    assert post.compliance["blocking"] is True
    # and the post page says where they are
    html = (
        signed_in_client(user)
        .get(reverse("content:post_detail", args=[workspace.pk, post.pk]))
        .content.decode()
    )
    assert 'data-testid="finding-where-first_comment"' in html


def test_text_findings_still_name_the_text():
    # given / when
    findings = compliance.check("全网第一", platforms=["x"])
    # then
    assert [f.field for f in findings if f.rule == "adlaw.absolute_claim"] == ["text"]
    assert findings[0].to_dict()["field"] == "text"


def test_schedule_is_refused_for_a_blocking_term_in_the_first_comment(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when
    response = signed_in_client(user).post(
        _new(workspace),
        {
            "accounts": [accounts["x"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": "全网第一的乌龙茶",
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "action": "schedule",
        },
    )
    # then: nothing saved, and the message says it is the first comment on @brand_x
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert "First comment on @brand_x" in html and "全网第一" in html


def test_a_first_comment_over_the_platforms_limit_is_blocking(setup):
    # given: 281 weighted characters on X
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[{"account": accounts["x"].pk, "text": "Hi", "first_comment": "a" * 281}],
    )
    # then
    finding = next(f for f in post.compliance["findings"] if f["rule"] == "x.first_comment_length")
    assert (finding["severity"], finding["field"]) == ("blocking", "first_comment")
    assert "281" in finding["message"] and "280" in finding["message"]


def test_live_check_counts_and_checks_the_first_comment_by_the_platforms_rule(setup):
    # given: a first comment whose length differs by X's rule (CJK weighs 2, a link 23)
    workspace, accounts = setup
    BannedWordFactory(workspace=workspace, word="cheap", severity="blocking")
    user = member_user(workspace, Role.EDITOR)
    first_comment = f"高山好茶 cheap {REPLY}"
    # when
    response = signed_in_client(user).post(
        reverse("content:composer_check", args=[workspace.pk]),
        data=json.dumps(
            {
                "text": "New oolong",
                "variants": [
                    {"account": accounts["x"].pk, "custom": False, "first_comment": first_comment},
                    {"account": accounts["bluesky"].pk, "custom": False, "first_comment": "ignored"},
                ],
            }
        ),
        content_type="application/json",
    )
    # then
    body = response.json()
    x, bluesky = body["variants"]
    expected = services.text_counts(first_comment, ["x"])["x"]
    assert expected["count"] != len(first_comment)
    assert (x["first_comment"]["count"], x["first_comment"]["limit"]) == (expected["count"], 280)
    assert x["first_comment"]["blocking"] is True and x["blocking"] is True
    banned = [f for f in x["findings"] if f["rule"] == "banned_word"]
    spans = [(f["field"], first_comment[f["start"] : f["end"]]) for f in banned]
    assert spans == [("first_comment", "cheap")]
    assert bluesky["first_comment"] is None
    assert not [f for f in body["main"] if f["field"] == "first_comment"]


# --- versions and the post page ---------------------------------------------------------------------


def test_changing_only_the_first_comment_makes_a_version_with_its_diff(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[{"account": accounts["x"].pk, "text": "New oolong", "first_comment": "Old reply"}],
    )
    before_hash = post.content_hash
    client = signed_in_client(user)
    # when: the same text, another first comment
    response = client.post(
        _edit(workspace, post),
        {
            "accounts": [accounts["x"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": "New reply",
            "version": post.version,
            "action": "draft",
        },
    )
    # then: version 2, a new content hash (an approval covers the first comment)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.version == 2
    assert post.content_hash != before_hash
    assert post.targets.get().first_comment == "New reply"
    # and the history on the post page shows the first comment's diff
    html = client.get(reverse("content:post_detail", args=[workspace.pk, post.pk])).content.decode()
    assert "<del>Old</del><ins>New</ins> reply" in html
    assert "@brand_x · First comment" in html


def test_saving_the_same_first_comment_again_makes_no_version(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.EDITOR)
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[{"account": accounts["x"].pk, "text": "New oolong", "first_comment": REPLY}],
    )
    # when
    signed_in_client(user).post(
        _edit(workspace, post),
        {
            "accounts": [accounts["x"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": REPLY,
            "version": post.version,
            "action": "draft",
        },
    )
    # then
    post.refresh_from_db()
    assert post.version == 1


def test_the_post_page_shows_each_first_comment_and_links_to_the_approval(setup):
    # given: a post with a first comment on X, none on Weibo, submitted for approval
    workspace, accounts = setup
    admin = member_user(workspace, Role.ADMIN)
    lead = member_user(workspace, Role.REVIEWER)
    post = services.post_create(
        actor=admin,
        workspace=workspace,
        targets=[
            {"account": accounts["x"].pk, "text": "New oolong", "first_comment": REPLY},
            {"account": accounts["weibo"].pk, "text": "新品乌龙"},
        ],
    )
    client = signed_in_client(admin)
    url = reverse("content:post_detail", args=[workspace.pk, post.pk])
    review_url = reverse("approvals:post_review", args=[workspace.pk, post.pk])
    # when: before any approval request
    before = client.get(url).content.decode()
    # then: the first comment under X's preview, no approval link yet (only "Submit for approval")
    assert 'data-testid="preview-first-comment-x"' in before and REPLY in before
    assert 'data-testid="preview-first-comment-weibo"' not in before
    assert f'href="{review_url}"' not in before and 'data-testid="approval-link"' not in before
    assert 'data-testid="submit-for-approval"' in before
    # when: submitted for approval
    workflow_with(admin, workspace, [{"name": "Lead", "approver_users": [lead.pk]}])
    approval_services.approval_request_submit(actor=admin, post=post)
    after = client.get(url).content.decode()
    # then: a link to the post's approval page
    assert f'href="{review_url}"' in after
    assert 'data-testid="approval-link"' in after
    # and the approval page shows the reviewer the first comment being approved
    review = client.get(review_url).content.decode()
    assert 'data-testid="variant-first-comment"' in review and REPLY in review


# --- the REST live check ----------------------------------------------------------------------------


def _check_url(workspace):
    return f"/api/v1/workspaces/{workspace.pk}/compliance/check/"


def test_the_api_live_check_checks_each_targets_first_comment_with_spans(setup, client_for):
    # given: a banned word that is only in X's first comment
    workspace, accounts = setup
    BannedWordFactory(workspace=workspace, word="cheap", severity="blocking")
    api = client_for(member_user(workspace, Role.EDITOR))
    first_comment = "😀 So cheap! 全网第一"
    # when
    response = api.post(
        _check_url(workspace),
        {
            "text": "New oolong",
            "targets": [
                {"account": accounts["weibo"].pk},
                {"account": accounts["x"].pk, "first_comment": first_comment},
            ],
        },
        format="json",
    )
    # then: the findings name the first comment, its target and spans into it
    assert response.status_code == 200, response.content
    body = response.json()
    in_comment = {f["rule"]: f for f in body["findings"] if f["field"] == "first_comment"}
    assert set(in_comment) == {"banned_word", "adlaw.absolute_claim"}
    for rule, word in (("banned_word", "cheap"), ("adlaw.absolute_claim", "全网第一")):
        finding = in_comment[rule]
        assert finding["target"] == 1
        assert first_comment[finding["start"] : finding["end"]] == word
        assert finding["start_utf16"] == finding["start"] + 1
    assert body["blocking"] is True
    # and the text is checked for both targets' platforms, its findings naming no target
    assert set(body["counts"]) == {"weibo", "x"}
    assert all(f["target"] is None for f in body["findings"] if f["field"] == "text")


def test_the_api_live_check_refuses_a_first_comment_for_a_platform_without_one(setup, client_for):
    # given
    workspace, accounts = setup
    api = client_for(member_user(workspace, Role.EDITOR))
    # when
    response = api.post(
        _check_url(workspace),
        {
            "text": "New oolong",
            "targets": [
                {"account": accounts["x"].pk, "first_comment": REPLY},
                {"account": accounts["weibo"].pk, "first_comment": "评论区见"},
            ],
        },
        format="json",
    )
    # then: the same refusal as creating the post
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "no_first_comment"
    assert list(error["fields"]) == ["targets.1.first_comment"]


def test_the_api_live_check_without_targets_is_unchanged(setup, client_for):
    # given
    workspace, accounts = setup
    api = client_for(member_user(workspace, Role.EDITOR))
    # when
    response = api.post(_check_url(workspace), {"text": "全网第一", "platforms": ["x"]}, format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    assert [f["field"] for f in body["findings"]] == ["text"]
    assert body["findings"][0]["target"] is None


# --- the first comment's own limit ------------------------------------------------------------------


@pytest.fixture
def meta():
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    accounts = {
        platform: SocialAccountFactory(workspace=workspace, platform=platform, handle=f"brand_{platform}")
        for platform in ("facebook", "instagram", "x")
    }
    return workspace, accounts


def test_a_facebook_first_comment_is_held_to_the_comment_limit_not_the_post_limit():
    # given: Facebook posts take 63,206 characters, its comments 8,000
    # when
    at_limit = compliance.check_first_comment("a" * 8000, platforms=["facebook"])
    over = compliance.check_first_comment("a" * 8001, platforms=["facebook"])
    text_over = compliance.check("a" * 8001, platforms=["facebook"])
    # then
    assert not [f for f in at_limit if f.rule == "facebook.first_comment_length"]
    (finding,) = [f for f in over if f.rule == "facebook.first_comment_length"]
    assert finding.blocking and finding.field == "first_comment"
    assert finding.params["limit"] == 8000 and finding.params["used"] == 8001
    assert not [f for f in text_over if f.rule.startswith("facebook.") and f.blocking]


def test_instagram_and_x_first_comments_keep_their_limits():
    # given / when
    instagram = compliance.check_first_comment("a" * 2201, platforms=["instagram"])
    x_reply = compliance.check_first_comment("a" * 281, platforms=["x"])
    # then
    assert [f.params["limit"] for f in instagram if f.rule == "instagram.first_comment_length"] == [2200]
    assert [f.params["limit"] for f in x_reply if f.rule == "x.first_comment_length"] == [280]


def test_the_composer_counts_the_first_comment_against_the_comment_limit(meta):
    # given
    workspace, accounts = meta
    client = signed_in_client(member_user(workspace, Role.EDITOR))
    # when: the page, then the live check
    html = client.get(_new(workspace)).content.decode()
    response = client.post(
        reverse("content:composer_check", args=[workspace.pk]),
        data=json.dumps(
            {
                "text": "New oolong",
                "variants": [
                    {"account": accounts["facebook"].pk, "custom": False, "first_comment": "a" * 8001},
                    {"account": accounts["x"].pk, "custom": False, "first_comment": "Hi"},
                ],
            }
        ),
        content_type="application/json",
    )
    # then: Facebook's first-comment counter says 8,000 while its text counter says 63,206
    fb = accounts["facebook"].pk
    assert f'data-first-comment-count="{fb}" data-testid="first-comment-count-facebook">0 / 8000<' in html
    assert 'data-testid="count-facebook">0 / 63206<' in html
    facebook, x = response.json()["variants"]
    assert (facebook["limit"], facebook["first_comment"]["limit"]) == (63206, 8000)
    assert (facebook["first_comment"]["count"], facebook["first_comment"]["blocking"]) == (8001, True)
    assert x["first_comment"]["limit"] == 280


# --- a refusal to schedule, next to the first comment -----------------------------------------------


def test_a_blocking_first_comment_refusal_is_shown_next_to_that_accounts_field(setup):
    # given
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    # when: scheduling X and Bluesky with a blocking term in X's first comment only
    response = signed_in_client(user).post(
        _new(workspace),
        {
            "accounts": [accounts["x"].pk, accounts["bluesky"].pk],
            "text": "New oolong",
            f"first_comment_{accounts['x'].pk}": "全网第一的乌龙茶",
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "action": "schedule",
        },
    )
    # then: nothing saved; the message is in X's variant, by its first comment, and not under the text
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert 'data-testid="first-comment-error-x"' in html
    assert 'data-testid="text-error"' not in html
    errors = response.context["form"].target_errors
    assert list(errors) == [accounts["x"].pk]
    assert "全网第一" in errors[accounts["x"].pk]["first_comment"][0]
    # and X's tab is marked, so the composer opens it
    assert 'has-error" data-tab="{}" data-testid="variant-tab-x"'.format(accounts["x"].pk) in html


def test_the_refusal_finds_the_right_account_when_the_post_orders_its_targets_otherwise(meta):
    # given: a draft for X; Facebook is added later, so the post lists X first and the composer Facebook
    workspace, accounts = meta
    user = member_user(workspace, Role.MANAGER)
    post = services.post_create(
        actor=user, workspace=workspace, targets=[{"account": accounts["x"].pk, "text": "New oolong"}]
    )
    # when: scheduling with a blocking term in Facebook's first comment and a blocking one in the text
    response = signed_in_client(user).post(
        _edit(workspace, post),
        {
            "accounts": [accounts["x"].pk, accounts["facebook"].pk],
            "text": "最佳 oolong",
            f"first_comment_{accounts['facebook'].pk}": "全网第一的乌龙茶",
            "scheduled_date": tomorrow(workspace).isoformat(),
            "scheduled_time": "10:00",
            "version": post.version,
            "action": "schedule",
        },
    )
    # then: the first comment's problem is by Facebook's field, the text's under the text
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.target_errors) == [accounts["facebook"].pk]
    assert "全网第一" in form.target_errors[accounts["facebook"].pk]["first_comment"][0]
    text_errors = form.errors["text"]
    assert text_errors and all("最佳" in e for e in text_errors)
    assert not any("全网第一" in e for e in text_errors)
    post.refresh_from_db()
    assert post.version == 1


def test_a_schedule_refusal_names_the_first_comment_of_the_target_it_is_in(setup):
    # given: a post whose second target's first comment has a blocking term
    workspace, accounts = setup
    user = member_user(workspace, Role.MANAGER)
    post = services.post_create(
        actor=user,
        workspace=workspace,
        targets=[
            {"account": accounts["bluesky"].pk, "text": "New oolong"},
            {"account": accounts["x"].pk, "text": "New oolong", "first_comment": "全网第一"},
        ],
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    # when
    with pytest.raises(ValidationFailed) as caught:
        services.post_schedule(actor=user, post=post)
    # then: all problems under "compliance", the first comment's also under its target's field
    fields = caught.value.fields
    assert set(fields) == {"compliance", "targets.1.first_comment"}
    assert fields["targets.1.first_comment"] == fields["compliance"]
    (message,) = fields["compliance"]
    assert message.startswith("First comment on @brand_x: ") and "全网第一" in message

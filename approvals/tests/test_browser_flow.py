"""Issue 5, acceptance 1, in a real browser: an editor submits a post; legal (its condition met) requests
changes with a comment anchored to a phrase; the editor fixes it and resubmits; legal approves; an external
HQ reviewer approves through the link; the post becomes scheduled. A second post without claims skips
legal.

Every human step happens in the page: the phrase is selected with the mouse, the fix is typed in the
composer, HQ types the code it was emailed (read from Django's locmem outbox)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import ApprovalRequest, PostComment
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from content.models import Post, TargetStatus
from tests.browser.kit import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HQ = "hq.review@lotus-global.example"
CLAIM = "the best oolong"


def sign_in(browser, live_server, user):
    page = new_page(browser)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("[data-testid=main-nav]")).to_be_visible()
    return page


def select_phrase(page, phrase):
    """Drag the mouse over `phrase` in the post's text, as a reviewer selecting it would."""
    box = page.locator("[data-testid=variant-text]").first.evaluate(
        """(el, phrase) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(phrase);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + phrase.length);
                const r = range.getClientRects()[0];
                return {left: r.left, right: r.right, y: r.top + r.height / 2};
            }
            return null;
        }""",
        phrase,
    )
    assert box is not None, f"{phrase!r} is not in the post's text"
    page.mouse.move(box["left"] + 1, box["y"])
    page.mouse.down()
    page.mouse.move(box["right"] - 1, box["y"], steps=5)
    page.mouse.up()


def test_legal_then_external_hq_approve_and_the_post_is_scheduled(browser, live_server):
    # given a brand whose workflow sends claims to legal, then everything to HQ (outside, by email)
    workspace = WorkspaceFactory(name="Lotus Tea China")
    admin, editor, legal = (UserFactory() for _ in range(3))
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    WorkspaceMemberFactory(workspace=workspace, user=editor, role=Role.EDITOR)
    WorkspaceMemberFactory(workspace=workspace, user=legal, role=Role.REVIEWER)
    workflow_with(
        admin,
        workspace,
        [
            {"name": "Legal", "approver_users": [legal.pk], "condition": {"keywords": ["best", "最"]}},
            {"name": "HQ", "approver_emails": [HQ]},
        ],
        restart_on_resubmit="same_stage",
        schedule_when_approved=True,
    )
    account = SocialAccountFactory(workspace=workspace, platform="mastodon", handle="lotustea")
    # (the composer keeps the planned time to the minute)
    planned = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    text = f"Try {CLAIM} of the season"
    claims = content_services.post_create(
        actor=editor,
        workspace=workspace,
        title="Autumn oolong",
        targets=[{"account": account.pk, "text": text}],
        scheduled_at=planned,
    )
    plain = content_services.post_create(
        actor=editor,
        workspace=workspace,
        title="Tea class",
        targets=[{"account": account.pk, "text": "Join our tea class on Saturday"}],
        scheduled_at=planned,
    )
    base = f"{live_server.url}/w/{workspace.pk}"
    review_url = base + "/approvals/posts/{}/"

    # when the editor submits the post with claims
    as_editor = sign_in(browser, live_server, editor)
    as_editor.goto(review_url.format(claims.pk))
    as_editor.click("[data-testid=submit]")
    expect(as_editor.locator("[data-testid=stages] li").first).to_have_attribute(
        "data-stage-status", "in_progress"
    )

    # and legal opens it from their queue, selects the claim in the text and requests changes on it
    as_legal = sign_in(browser, live_server, legal)
    as_legal.goto(f"{base}/approvals/")
    as_legal.locator("[data-testid=approval-queue]").get_by_role("link", name="Autumn oolong").click()
    select_phrase(as_legal, CLAIM)
    expect(as_legal.locator("[data-testid=phrase]")).to_have_value(CLAIM)
    expect(as_legal.locator("[data-testid=anchor-start]")).to_have_value(str(text.index(CLAIM)))
    as_legal.fill("[data-testid=comment]", "Absolute claims are not allowed: drop “best”.")
    as_legal.click("[data-testid=request-changes]")
    expect(as_legal.locator("[data-testid=request-status]")).to_have_text("Changes requested")
    comment = PostComment.objects.get()
    assert (comment.anchor_text, comment.anchor_start) == (CLAIM, text.index(CLAIM))

    # then the editor sees the comment on the phrase, and the post is a draft again
    as_editor.reload()
    anchor = as_editor.locator("[data-testid=anchor]")
    expect(anchor).to_have_text(CLAIM)
    expect(anchor).to_have_attribute("title", re.compile("drop “best”"))
    expect(as_editor.locator("[data-testid=post-status] strong")).to_have_attribute("data-status", "draft")

    # when the editor fixes the text in the composer
    as_editor.goto(f"{base}/posts/{claims.pk}/")
    as_editor.click("[data-testid=edit-post]")
    expect(as_editor.locator("[data-testid=main-text]")).to_have_value(text)
    as_editor.fill("[data-testid=main-text]", "Try our autumn oolong of the season")
    as_editor.click("[data-testid=save-draft]")
    expect(as_editor.locator("[data-testid=post-status]")).to_have_text("Draft")
    expect(as_editor.locator("[data-testid=post-time]")).to_be_visible()
    # and resubmits it for approval
    as_editor.goto(review_url.format(claims.pk))
    expect(as_editor.locator("[data-testid=anchor]")).to_have_count(0)
    as_editor.click("[data-testid=submit]")
    expect(as_editor.locator("[data-testid=request-status]")).to_have_text("In progress")

    # and legal, who asked, reviews the fix and approves
    as_legal.goto(f"{base}/approvals/")
    as_legal.locator("[data-testid=approval-queue]").get_by_role("link", name="Autumn oolong").click()
    expect(as_legal.locator("[data-testid=variant-text]")).to_have_text("Try our autumn oolong of the season")
    as_legal.click("[data-testid=approve]")
    expect(as_legal.locator("[data-testid=stages] li").nth(1)).to_have_attribute(
        "data-stage-status", "in_progress"
    )

    # and the editor shares the post with HQ, who approves through the link after confirming the email
    as_editor.reload()
    as_editor.fill("[data-testid=share-email]", HQ)
    as_editor.click("[data-testid=share]")
    message = as_editor.locator(".flash").filter(has_text="/review/").first.inner_text()
    link = re.search(r"(https?://\S+/review/\S+/)", message).group(1)
    link = live_server.url + link[link.index("/review/") :]
    hq = new_page(browser)
    hq.goto(link)
    expect(hq.locator("[data-testid=review-preview]")).to_have_count(0)
    mail.outbox.clear()
    hq.click("[data-testid=send-code]")
    expect(hq.locator("input[name=code]")).to_be_visible()
    assert mail.outbox[-1].to == [HQ]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    hq.fill("input[name=code]", code)
    hq.click("[data-testid=verify-code]")
    expect(hq.locator("[data-testid=review-preview]")).to_contain_text("Try our autumn oolong of the season")
    hq.click("[data-testid=approve]")
    expect(hq.locator("body")).to_contain_text("your decision is recorded")

    # then the post is approved by both and scheduled for its planned time, as its page shows
    as_editor.goto(f"{base}/posts/{claims.pk}/")
    expect(as_editor.locator("[data-testid=post-status]")).to_have_text("Scheduled")
    local = timezone.localtime(planned, workspace.tzinfo)
    expect(as_editor.locator("[data-testid=post-time]")).to_contain_text(local.strftime("%Y-%m-%d %H:%M"))
    claims.refresh_from_db()
    assert (claims.status, claims.scheduled_at) == (TargetStatus.SCHEDULED, planned)
    last = ApprovalRequest.objects.filter(post=claims).order_by("-id").first()
    assert last.status == "approved"
    assert list(last.decisions.values_list("reviewer_email", flat=True)) == [legal.email, HQ]

    # and a post without claims skips legal: HQ is its first stage in progress
    as_editor.goto(review_url.format(plain.pk))
    as_editor.click("[data-testid=submit]")
    stages = as_editor.locator("[data-testid=stages] li")
    expect(stages.nth(0)).to_have_attribute("data-stage-status", "skipped")
    expect(stages.nth(1)).to_have_attribute("data-stage-status", "in_progress")
    # and legal's queue does not show it, while the workspace's list shows legal skipped
    as_legal.goto(f"{base}/approvals/")
    queue = as_legal.locator("[data-testid=approval-queue]")
    expect(queue).to_contain_text("Nothing is waiting for you.")
    expect(queue.get_by_role("link", name="Tea class")).to_have_count(0)
    row = as_legal.locator("tr").filter(has_text="Tea class")
    expect(row).to_contain_text("Legal: Skipped")
    expect(row).to_contain_text("HQ: In progress")
    assert Post.objects.get(pk=plain.pk).status == TargetStatus.IN_REVIEW

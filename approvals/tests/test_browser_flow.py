"""Issue 5, acceptance 1, in a real browser: an editor submits a post; legal (its condition met) requests
changes with a comment anchored to a phrase; the editor fixes it and resubmits; legal approves; an external
HQ reviewer approves through the link; the post becomes scheduled. A second post without claims skips
legal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import ApprovalRequest, PostComment
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from content.models import Post, TargetStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HQ = "hq.review@lotus-global.example"
CLAIM = "the best oolong"


@pytest.fixture
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(browser, live_server, user):
    page = new_page(browser)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.locator("[data-testid=main-nav]")).to_be_visible()
    return page


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
    planned = timezone.now() + timedelta(days=2)
    claims = content_services.post_create(
        actor=editor,
        workspace=workspace,
        title="Autumn oolong",
        targets=[{"account": account.pk, "text": f"Try {CLAIM} of the season"}],
        scheduled_at=planned,
    )
    plain = content_services.post_create(
        actor=editor,
        workspace=workspace,
        title="Tea class",
        targets=[{"account": account.pk, "text": "Join our tea class on Saturday"}],
        scheduled_at=planned,
    )
    review_url = f"{live_server.url}/w/{workspace.pk}/approvals/posts/{{}}/"

    # when the editor submits the post with claims
    as_editor = sign_in(browser, live_server, editor)
    as_editor.goto(review_url.format(claims.pk))
    as_editor.click("[data-testid=submit]")
    expect(as_editor.locator("[data-testid=stages] li").first).to_have_attribute(
        "data-stage-status", "in_progress"
    )

    # and legal, from their queue, requests changes with a comment anchored to the claim
    as_legal = sign_in(browser, live_server, legal)
    as_legal.goto(f"{live_server.url}/w/{workspace.pk}/approvals/")
    as_legal.get_by_role("link", name="Autumn oolong").first.click()
    as_legal.fill("[data-testid=phrase]", CLAIM)
    as_legal.fill("[data-testid=comment]", "Absolute claims are not allowed: drop “best”.")
    as_legal.click("[data-testid=request-changes]")
    expect(as_legal.locator("[data-testid=request-status]")).to_have_text("Changes requested")

    # then the editor sees the anchored comment and the post is a draft again
    as_editor.reload()
    expect(as_editor.locator("[data-testid=anchor]")).to_have_text(CLAIM)
    expect(as_editor.locator("[data-testid=post-status] strong")).to_have_attribute("data-status", "draft")
    assert PostComment.objects.get().anchor_text == CLAIM

    # when the editor fixes the text (in the composer, another page) and resubmits here
    claims.refresh_from_db()
    content_services.post_update(
        actor=editor,
        post=claims,
        version=claims.version,
        targets=[{"account": account.pk, "text": "Try our autumn oolong of the season"}],
    )
    as_editor.reload()
    as_editor.click("[data-testid=submit]")
    # and legal approves
    as_legal.goto(review_url.format(claims.pk))
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
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == [HQ]
    hq.fill("input[name=code]", code)
    hq.click("[data-testid=verify-code]")
    expect(hq.locator("[data-testid=review-preview]")).to_contain_text("Try our autumn oolong of the season")
    hq.click("[data-testid=approve]")
    expect(hq.locator("body")).to_contain_text("your decision is recorded")

    # then the post is approved by both and scheduled for its planned time
    claims.refresh_from_db()
    assert claims.status == TargetStatus.SCHEDULED
    assert claims.scheduled_at == planned
    last = ApprovalRequest.objects.filter(post=claims).order_by("-id").first()
    assert last.status == "approved"
    assert list(last.decisions.values_list("reviewer_email", flat=True)) == [legal.email, HQ]
    as_editor.reload()
    expect(as_editor.locator("[data-testid=post-status] strong")).to_have_attribute(
        "data-status", "scheduled"
    )

    # and a post without claims skips legal: HQ is its first stage in progress
    as_editor.goto(review_url.format(plain.pk))
    as_editor.click("[data-testid=submit]")
    stages = as_editor.locator("[data-testid=stages] li")
    expect(stages.nth(0)).to_have_attribute("data-stage-status", "skipped")
    expect(stages.nth(1)).to_have_attribute("data-stage-status", "in_progress")
    assert Post.objects.get(pk=plain.pk).status == TargetStatus.IN_REVIEW

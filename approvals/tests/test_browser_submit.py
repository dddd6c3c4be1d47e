"""An editor finds "Submit for approval" where they write: beside Save in the composer, and on a draft's
post page with the chain it will go through (and the stages it skips, with why). In a real browser, in
English and in Chinese; nothing typed into the address bar after the calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals.models import ApprovalRequest
from approvals.tests.test_gate_payload import Gated
from content import services as content_services
from content.models import Post
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, user, language):
    page = signed_in(new_page(browser), live_server, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_editor_submits_a_new_post_from_the_composer(browser, live_server, platform_sim, language):
    # given
    g = Gated(platform_sim)
    editor = as_user(browser, live_server, g.editor, language)
    editor.goto(f"{live_server.url}/w/{g.ws.pk}/posts/new/")
    # when: they write a post and press "Submit for approval" beside Save
    editor.locator(f".acct-chip:has(input[value='{g.account.pk}'])").click()
    editor.fill("textarea[name=text]", "Winter menu, from Monday")
    editor.click("[data-testid=submit-for-approval]")
    # then: it is saved and in review, and they land on its review page
    expect(editor.locator("[data-testid=request-status]")).to_have_text(
        "In progress" if language == "en" else "进行中"
    )
    post = Post.objects.filter(workspace=g.ws, targets__text="Winter menu, from Monday").get()
    assert ApprovalRequest.objects.get(post=post).status == "in_progress"
    editor.context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_draft_shows_its_chain_and_is_submitted_from_the_post_page(
    browser, live_server, platform_sim, language
):
    # given: a draft of the editor's, outside the HQ campaign
    g = Gated(platform_sim)
    draft = content_services.post_create(
        actor=g.editor,
        workspace=g.ws,
        title="Tea tasting",
        targets=[{"account": g.account.pk, "text": "Tea tasting on Friday"}],
        scheduled_at=timezone.now() + timedelta(days=3),
    )
    editor = as_user(browser, live_server, g.editor, language)
    editor.goto(f"{live_server.url}/w/{g.ws.pk}/posts/{draft.pk}/")
    # then: the page says where submitting sends it, and which stage it skips
    route = editor.locator("[data-testid=approval-route]")
    expect(route).to_contain_text("Manager")
    expect(route).to_contain_text("HQ")
    editor.screenshot(path=str(SCREENSHOTS / f"post-submit-for-approval-{language}.png"), full_page=True)
    # when
    editor.click("[data-testid=submit-for-approval]")
    # then: the review page shows the request in progress at the manager's stage
    expect(editor.locator("[data-testid=request-status]")).to_have_text(
        "In progress" if language == "en" else "进行中"
    )
    request = ApprovalRequest.objects.get(post=draft)
    assert request.status == "in_progress"
    assert [s.stage_name for s in request.stage_states.filter(status="in_progress")] == ["Manager"]
    editor.context.close()

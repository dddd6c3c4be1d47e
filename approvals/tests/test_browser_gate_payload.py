"""Issue 9 in a real browser, in English and in Chinese: what the gate covers is visible to the people who
use it.

- An editor changes an approved post's image alt text in the composer (the field sits under the file);
  the approval resets.
- The editor follows the post page's approval link: the review page shows what was approved (alt text
  included) and the change, field by field; the editor submits it again there.
- The manager opens it from the approvals page: the review page lists what changed since the last
  approval; the manager approves the new content.
- An admin records an override of a blocking finding (an absolute claim in the title) on the post page,
  with a reason; the page says who and why.

Screenshots land in var/screenshots (docs/screenshots with `make screenshots`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from approvals.gate import publish_gate
from approvals.models import ApprovalRequest
from approvals.tests.test_gate_payload import Gated
from content import services as content_services
from content.models import MediaAsset, Post
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURE = "100% guaranteed cure"


def as_user(browser, live_server, user, language="en"):
    page = signed_in(new_page(browser), live_server, user)
    if language != "en":
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_alt_text_edit_resets_approval_and_the_review_page_shows_the_change(
    browser, live_server, platform_sim, language
):
    # given: an approved post with an image whose alt text is "A red square"
    g = Gated(platform_sim)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    editor = as_user(browser, live_server, g.editor, language)
    editor.goto(f"{live_server.url}/w/{g.ws.pk}/posts/{g.post.pk}/")
    # when: the editor opens the composer from the post page and changes the alt text under the image
    editor.click("[data-testid=edit-post]")
    alt = editor.locator(f"input[name=alt_text_{g.image.pk}]")
    expect(alt).to_have_value("A red square")
    alt.fill(CURE)
    editor.screenshot(path=str(SCREENSHOTS / f"composer-alt-text-{language}.png"), full_page=True)
    editor.click("[data-testid=save-draft]")
    editor.wait_for_url(f"**/posts/{g.post.pk}/**")
    # then: the alt text is stored on the library file and the approval no longer holds
    assert MediaAsset.objects.get(pk=g.image.pk).alt_text == CURE
    assert not publish_gate(Post.objects.get(pk=g.post.pk)).ok

    # when: the editor follows the post page's approval link, which says the approval no longer holds
    expect(editor.locator("[data-testid=approval-link]")).to_contain_text(
        "needs approval again" if language == "en" else "需要重新审批"
    )
    editor.click("[data-testid=approval-link]")
    # then: the review page shows what was approved (the old alt text) and the change, field by field
    snapshot = editor.locator("[data-testid=snapshot]")
    expect(snapshot).to_contain_text("A red square")
    changes = editor.locator("[data-testid=snapshot-changes]")
    expect(changes).to_contain_text("Alt text" if language == "en" else "替代文本")  # in words, not a path
    expect(changes).to_contain_text(CURE)
    heading = "What was approved" if language == "en" else "已批准的内容"
    expect(snapshot.locator("h2")).to_have_text(heading)
    editor.screenshot(path=str(SCREENSHOTS / f"review-snapshot-diff-{language}.png"), full_page=True)
    # when: the editor submits it again from there
    editor.click("[data-testid=submit]")
    expect(editor.locator("[data-testid=request-status]")).to_have_text(
        "In progress" if language == "en" else "进行中"
    )

    # when: the manager finds it on the approvals page, from the dashboard's navigation
    manager = as_user(browser, live_server, g.manager, language)
    manager.goto(f"{live_server.url}/")
    manager.click("[data-testid=main-nav] a[href$='/approvals/']")
    manager.click(f"a[href$='/approvals/posts/{g.post.pk}/']")
    # then: the review page says what changed since the approval, the alt text among it
    since = manager.locator("[data-testid=since-approval]")
    expect(since).to_contain_text("Alt text" if language == "en" else "替代文本")
    expect(since).to_contain_text("A red square")
    expect(since).to_contain_text(CURE)
    manager.screenshot(path=str(SCREENSHOTS / f"review-since-approval-{language}.png"), full_page=True)
    # when: the manager approves it there
    manager.click("[data-testid=approve]")
    # then: the new content is what is approved
    request = ApprovalRequest.objects.filter(post_id=g.post.pk).latest("pk")
    assert CURE in str(request.payload)
    assert publish_gate(Post.objects.get(pk=g.post.pk)).ok
    editor.context.close()
    manager.context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_admin_overrides_a_blocking_finding_on_the_post_page(browser, live_server, platform_sim, language):
    # given: an absolute claim in the title, which blocks publication
    g = Gated(platform_sim)
    post = Post.objects.get(pk=g.post.pk)
    content_services.post_update(actor=g.editor, post=post, version=post.version, title="国家级 award")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin = as_user(browser, live_server, g.admin, language)
    admin.goto(f"{live_server.url}/w/{g.ws.pk}/posts/{g.post.pk}/")
    # when: the admin opens the override, gives the reason and confirms
    expect(admin.locator(".finding-blocking").first).to_be_visible()
    form = admin.locator("[data-testid=override-blocking]")
    form.locator("summary").click()
    form.locator("textarea[name=reason]").fill("Legal cleared: the award's official name")
    admin.screenshot(path=str(SCREENSHOTS / f"override-form-{language}.png"), full_page=True)
    form.locator("button[type=submit]").click()
    # then: the page says who overrode what, and why; the form is gone
    notice = admin.locator("[data-testid=blocking-override]")
    expect(notice).to_contain_text(g.admin.email)
    expect(notice).to_contain_text("Legal cleared: the award's official name")
    expect(admin.locator("[data-testid=override-blocking]")).to_have_count(0)
    admin.screenshot(path=str(SCREENSHOTS / f"override-recorded-{language}.png"), full_page=True)
    override = Post.objects.get(pk=g.post.pk).compliance_override
    assert override["blocking_rules"] == ["adlaw.absolute_claim"]

    # an editor of the same workspace does not see the control
    editor = as_user(browser, live_server, g.editor, language)
    editor.goto(f"{live_server.url}/w/{g.ws.pk}/posts/{g.post.pk}/")
    expect(editor.locator("[data-testid=blocking-override]")).to_be_visible()
    expect(editor.locator("[data-testid=override-blocking]")).to_have_count(0)
    admin.context.close()
    editor.context.close()

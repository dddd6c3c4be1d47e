"""An admin changes a workflow without the API: Settings → Approval workflows, a new stage for posts with
an advertising-law finding, saved; the route preview of such a post then shows the new stage taken. In a
real browser, in English and in Chinese; nothing typed into the address bar after the workspace home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import ApprovalWorkflow
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from core.models import AuditEvent
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUFFIX = {"en": "en", "zh-hans": "zh"}
TEXT = {
    "en": {"nav": "Approval workflows", "saved": "saved", "taken": "Taken"},
    "zh-hans": {"nav": "审批流程", "saved": "已保存", "taken": "经过"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_admin_adds_a_finding_kind_stage_and_the_preview_takes_it(browser, live_server, language):
    # given: a "Brand" workflow with a manager stage for every post, and a post with an ad-law finding
    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    legal = WorkspaceMemberFactory(workspace=ws, role=Role.REVIEWER).user
    legal.full_name = "Lena Legal"
    legal.save()
    workflow = workflow_with(admin, ws, [{"name": "Manager", "approver_roles": ["manager"]}], name="Brand")
    account = SocialAccountFactory(workspace=ws, platform="weibo")
    claim = content_services.post_create(
        actor=editor,
        workspace=ws,
        title="Oolong claim",
        targets=[{"account": account.pk, "text": "全网最好的乌龙茶"}],
        scheduled_at=timezone.now() + timedelta(days=2),
    )
    page = signed_in(new_page(browser), live_server, admin)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    page.goto(f"{live_server.url}/w/{ws.pk}/")

    # when: Settings → Approval workflows → Edit, add a stage for ad-law findings, save
    page.get_by_role("link", name=text["nav"]).click()
    page.locator("[data-workflow=Brand] [data-testid=edit-workflow]").click()
    page.click("[data-testid=add-stage]")
    stage = page.locator("[data-testid=stage-form]").nth(1)
    stage.locator("input[name='stages-1-name']").fill("Legal")
    stage.locator("label", has_text="Lena Legal").locator("input").check()
    stage.locator("input[name='stages-1-finding_kinds'][value='adlaw']").check()
    stage.locator("input[name='stages-1-sla_hours']").fill("24")
    page.screenshot(path=str(SCREENSHOTS / f"workflow-edit-{SUFFIX[language]}.png"), full_page=True)
    page.click("[data-testid=save-workflow]")

    # then: back on the list, the new stage is shown with its condition, and it is recorded
    expect(page.locator(".flash-stack")).to_contain_text(text["saved"])
    rows = page.locator("[data-workflow=Brand] [data-testid=stage-row]")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Lena Legal")
    expect(rows.nth(1)).to_contain_text("Advertising Law" if language == "en" else "广告法")
    stage_row = ApprovalWorkflow.objects.get(pk=workflow.pk).stages.get(name="Legal")
    assert stage_row.condition == {"finding_kinds": ["adlaw"]} and stage_row.sla_hours == 24
    assert AuditEvent.objects.filter(action="approval_workflow.update", workspace=ws).exists()

    # when: the admin previews the post with the ad-law finding
    page.select_option("#preview-post", str(claim.pk))
    page.click("[data-testid=preview-button]")
    # then: the new stage is taken, because of the finding
    legal_stage = page.locator("[data-testid=preview-stage][data-stage=Legal]")
    expect(legal_stage).to_have_attribute("data-taken", "yes")
    expect(legal_stage).to_contain_text(text["taken"])
    expect(page.locator("[data-testid=preview-stage][data-stage=Manager]")).to_have_attribute(
        "data-taken", "yes"
    )
    page.screenshot(path=str(SCREENSHOTS / f"workflows-{SUFFIX[language]}.png"), full_page=True)
    page.context.close()

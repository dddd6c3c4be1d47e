"""The dashboard's remaining approval actions, beside their API endpoints: withdraw a request in
progress, publish without approval (a reason is required, next to its field), submit ticked drafts
together. Same services, same audit entries; other roles 403, other workspaces 404."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.models import ApprovalOverride, ApprovalRequest
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


class Brand:
    def __init__(self):
        self.ws = WorkspaceFactory()
        self.admin = WorkspaceMemberFactory(workspace=self.ws, role=Role.ADMIN).user
        self.editor = WorkspaceMemberFactory(workspace=self.ws, role=Role.EDITOR).user
        self.manager = WorkspaceMemberFactory(workspace=self.ws, role=Role.MANAGER).user
        self.viewer = WorkspaceMemberFactory(workspace=self.ws, role=Role.VIEWER).user
        workflow_with(self.admin, self.ws, [{"name": "Manager", "approver_users": [self.manager.pk]}])
        self.account = SocialAccountFactory(workspace=self.ws, platform="mastodon")

    def draft(self, title):
        return content_services.post_create(
            actor=self.editor,
            workspace=self.ws,
            title=title,
            targets=[{"account": self.account.pk, "text": title}],
            scheduled_at=timezone.now() + timedelta(days=2),
        )

    def client(self, user):
        client = Client()
        client.force_login(user)
        return client


def test_the_author_withdraws_a_request_and_the_post_is_a_draft_again():
    # given
    b = Brand()
    post = b.draft("Spring menu")
    request = services.approval_request_submit(actor=b.editor, post=post)
    url = reverse("approvals:request_withdraw", args=[b.ws.pk, post.pk])
    # when: a viewer may not; the editor may
    refused = b.client(b.viewer).post(url)
    response = b.client(b.editor).post(url)
    # then
    assert refused.status_code == 403
    assert response.status_code == 302
    request.refresh_from_db()
    post.refresh_from_db()
    assert request.status == "cancelled"
    assert post.status == "draft"
    assert AuditEvent.objects.filter(action="approval.cancel", workspace=b.ws).count() == 1
    # and: nothing left to withdraw is a 404
    assert b.client(b.editor).post(url).status_code == 404


def test_publish_without_approval_needs_a_reason_next_to_its_field():
    # given
    b = Brand()
    post = b.draft("Flash sale")
    url = reverse("approvals:approval_override", args=[b.ws.pk, post.pk])
    admin = b.client(b.admin)
    # when: no reason
    response = admin.post(url, {"reason": "  "})
    # then: 400, the message under the reason field, nothing written
    assert response.status_code == 400
    html = response.content.decode()
    assert "the reason is kept in the audit log" in html
    assert html.index("field-error") > html.index('name="reason"') - 2000
    assert not ApprovalOverride.objects.exists()
    # when: with a reason (an editor may not)
    assert b.client(b.editor).post(url, {"reason": "CEO asked"}).status_code == 403
    response = admin.post(url, {"reason": "Price error must go out now"})
    # then
    assert response.status_code == 302
    override = ApprovalOverride.objects.get(post=post)
    assert override.reason == "Price error must go out now"
    assert AuditEvent.objects.filter(action="approval.override", workspace=b.ws).count() == 1


def test_ticked_drafts_are_submitted_together_and_a_foreign_post_submits_none():
    # given
    b, other = Brand(), Brand()
    one, two = b.draft("One"), b.draft("Two")
    foreign = other.draft("Elsewhere")
    url = reverse("approvals:batch_submit", args=[b.ws.pk])
    editor = b.client(b.editor)
    # when: a post of another workspace among them
    response = editor.post(url, {"posts": [one.pk, foreign.pk]}, follow=True)
    # then: nothing submitted, the reason shown
    assert ApprovalRequest.objects.count() == 0
    assert str(foreign.pk) in response.content.decode()
    # when: the two drafts
    response = editor.post(url, {"posts": [one.pk, two.pk]}, follow=True)
    # then
    assert set(ApprovalRequest.objects.values_list("post_id", flat=True)) == {one.pk, two.pk}
    assert "2 posts submitted for approval." in response.content.decode()
    assert AuditEvent.objects.filter(action="approval.batch_submit", workspace=b.ws).count() == 1
    # and: the page offers the batch form with a box per draft when there are several
    html = b.client(b.editor).get(reverse("dashboard:approvals", args=[b.ws.pk])).content.decode()
    assert 'data-testid="batch-submit"' not in html  # none left to tick


def test_the_approvals_page_offers_the_batch_form_for_several_drafts():
    b = Brand()
    one, two = b.draft("One"), b.draft("Two")
    html = b.client(b.editor).get(reverse("dashboard:approvals", args=[b.ws.pk])).content.decode()
    assert 'data-testid="batch-submit"' in html
    assert f'data-testid="batch-draft-{one.pk}"' in html and f'data-testid="batch-draft-{two.pk}"' in html


def test_another_workspace_gets_404():
    b, other = Brand(), Brand()
    post = b.draft("Mine")
    services.approval_request_submit(actor=b.editor, post=post)
    outsider = other.client(other.admin)
    assert outsider.post(reverse("approvals:request_withdraw", args=[b.ws.pk, post.pk])).status_code == 404
    assert (
        outsider.post(
            reverse("approvals:approval_override", args=[b.ws.pk, post.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        outsider.post(reverse("approvals:batch_submit", args=[b.ws.pk]), {"posts": [post.pk]}).status_code
        == 404
    )

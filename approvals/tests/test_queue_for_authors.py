"""The approvals page for the people who write: what was sent back to them (with the reviewer's
comment and a way to fix it) and their drafts not yet submitted (with a button to submit)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.models import ApprovalRequest
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services

pytestmark = pytest.mark.django_db


def test_sent_back_and_drafts_are_listed_for_their_author_only():
    # given: a manager stage; the editor has one post sent back, one draft never submitted, one in review
    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    manager = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    workflow_with(admin, ws, [{"name": "Manager", "approver_users": [manager.pk]}])
    account = SocialAccountFactory(workspace=ws, platform="mastodon")

    def draft(title):
        return content_services.post_create(
            actor=editor,
            workspace=ws,
            title=title,
            targets=[{"account": account.pk, "text": title}],
            scheduled_at=timezone.now() + timedelta(days=2),
        )

    sent_back, never, in_review = draft("Sent back"), draft("Never submitted"), draft("In review")
    request = services.approval_request_submit(actor=editor, post=sent_back)
    services.approval_decide(
        actor=manager, request=request, decision="request_changes", comment="Shorter, please"
    )
    services.approval_request_submit(actor=editor, post=in_review)
    page = reverse("dashboard:approvals", args=[ws.pk])
    as_editor, as_manager = Client(), Client()
    as_editor.force_login(editor)
    as_manager.force_login(manager)
    # when
    html = as_editor.get(page).content.decode()
    # then: sent back with the comment, the draft with its submit button; the one in review in neither
    sent_back_part = html[html.index('data-testid="sent-back"') : html.index('data-testid="my-drafts"')]
    drafts_part = html[html.index('data-testid="my-drafts"') :].split("</section>")[0]
    assert "Sent back" in sent_back_part and "Shorter, please" in sent_back_part
    assert "Never submitted" in drafts_part and f'data-testid="submit-draft-{never.pk}"' in drafts_part
    assert "In review" not in drafts_part and "Sent back" not in drafts_part
    # and: the manager does not see the editor's lists
    manager_html = as_manager.get(page).content.decode()
    assert 'data-testid="sent-back"' not in manager_html and 'data-testid="my-drafts"' not in manager_html
    # when: the editor submits the draft from the list
    as_editor.post(reverse("approvals:post_review", args=[ws.pk, never.pk]), {"action": "submit"})
    # then
    assert ApprovalRequest.objects.get(post=never).status == "in_progress"
    assert f'data-testid="submit-draft-{never.pk}"' not in as_editor.get(page).content.decode()

"""The publish gate and scheduling: only approved content reaches "scheduled"; an edit after approval
resets it; "publish without approval" is for admins and each use is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from approvals import services
from approvals.gate import ApprovalRequired, publish_gate
from approvals.models import ApprovalOverride, ApprovalRequest, RequestStatus
from approvals.tests.conftest import edit
from approvals.tests.factories import workflow_with
from content import services as content_services
from content.models import IllegalTransition, PostTarget, TargetStatus
from core.errors import PermissionRefused
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
S = TargetStatus


@pytest.fixture
def lead(reviewer_factory):
    return reviewer_factory()


@pytest.fixture
def flow(admin, ws, lead):
    return workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])


@pytest.fixture
def manager(reviewer_factory):
    return reviewer_factory(role=Role.MANAGER)


def approve(post, editor, lead):
    request = services.approval_request_submit(actor=editor, post=post)
    services.approval_decide(actor=lead, request=request, decision="approve")
    return request


def statuses(post):
    return set(PostTarget.objects.filter(post=post).values_list("status", flat=True))


def test_scheduling_is_refused_until_the_approval_is_complete(flow, editor, lead, manager, make_post):
    # given a post in review
    post = make_post()
    services.approval_request_submit(actor=editor, post=post)
    post.refresh_from_db()
    # when / then: in review cannot be scheduled
    with pytest.raises(IllegalTransition):
        content_services.post_schedule(actor=manager, post=post)
    assert statuses(post) == {S.IN_REVIEW}


def test_a_draft_without_approval_cannot_be_scheduled(flow, manager, make_post):
    post = make_post()
    with pytest.raises(ApprovalRequired) as error:
        content_services.post_schedule(actor=manager, post=post)
    assert error.value.code == "approval_required"
    assert statuses(post) == {S.DRAFT}
    assert not AuditEvent.objects.filter(action="post.schedule").exists()


def test_an_approved_post_can_be_scheduled_and_the_gate_lets_its_hash_through(
    flow, editor, lead, manager, make_post
):
    post = make_post()
    request = approve(post, editor, lead)
    content_services.post_schedule(actor=manager, post=post)
    assert statuses(post) == {S.SCHEDULED}
    gate = publish_gate(post)
    assert gate.ok and gate.approved_hash == request.content_hash


def test_an_edit_after_approval_resets_it_and_unschedules(flow, editor, lead, manager, make_post):
    # given an approved, scheduled post
    post = make_post()
    approve(post, editor, lead)
    content_services.post_schedule(actor=manager, post=post)
    # when its text changes
    edit(post, editor, "Something else entirely")
    # then the gate is closed, the variants are drafts again, and the reset is audited
    gate = publish_gate(post)
    assert not gate.ok and gate.reason == "approval_outdated"
    assert statuses(post) == {S.DRAFT}
    assert AuditEvent.objects.filter(action="approval.reset", target_id=str(post.pk)).exists()
    with pytest.raises(ApprovalRequired):
        content_services.post_schedule(actor=manager, post=post)


def test_an_edit_during_review_cancels_the_request(flow, editor, make_post):
    post = make_post()
    request = services.approval_request_submit(actor=editor, post=post)
    edit(post, editor, "New text")
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert statuses(post) == {S.DRAFT}
    # and a new request can start for the new content
    again = services.approval_request_submit(actor=editor, post=post)
    assert again.content_hash != request.content_hash


def test_an_edit_that_does_not_touch_published_content_keeps_the_approval(flow, editor, lead, make_post):
    post = make_post()
    approve(post, editor, lead)
    post.refresh_from_db()
    later = post.scheduled_at + timedelta(days=1) if post.scheduled_at else timezone.now() + timedelta(days=3)
    content_services.post_update(actor=editor, post=post, version=post.version, scheduled_at=later)
    assert publish_gate(post).ok


def test_a_title_edit_after_approval_resets_it_the_title_is_sent(flow, editor, lead, make_post):
    post = make_post()
    approve(post, editor, lead)
    post.refresh_from_db()
    content_services.post_update(actor=editor, post=post, version=post.version, title="A new title")
    assert publish_gate(post).reason == "approval_outdated"


def test_override_is_refused_without_the_capability(flow, manager, make_post):
    post = make_post()
    with pytest.raises(PermissionRefused):
        content_services.post_schedule(actor=manager, post=post, override_approval=True)
    assert not ApprovalOverride.objects.exists()
    assert statuses(post) == {S.DRAFT}


def test_override_by_an_admin_schedules_and_is_audited_for_exactly_this_hash(
    flow, admin, editor, manager, make_post
):
    # given
    post = make_post()
    # when
    content_services.post_schedule(actor=admin, post=post, override_approval=True)
    # then
    post.refresh_from_db()
    assert statuses(post) == {S.SCHEDULED}
    override = ApprovalOverride.objects.get(post=post)
    assert override.content_hash == post.content_hash
    assert AuditEvent.objects.filter(action="approval.override", actor=admin, target_id=str(post.pk)).exists()
    assert publish_gate(post).reason == "override"
    # when the content changes, the override no longer holds
    edit(post, editor, "Changed after the override")
    assert not publish_gate(post).ok


def test_moving_a_scheduled_post_rechecks_the_gate(flow, admin, editor, lead, manager, make_post):
    post = make_post()
    approve(post, editor, lead)
    content_services.post_schedule(actor=manager, post=post)
    post.refresh_from_db()
    # when the approval is withdrawn behind the calendar's back (the request rows say otherwise)
    ApprovalRequest.objects.filter(post=post).update(status=RequestStatus.REJECTED)
    with pytest.raises(ApprovalRequired):
        content_services.post_reschedule(
            actor=manager, post=post, scheduled_at=timezone.now() + timedelta(days=3)
        )


def test_a_workflow_can_schedule_the_post_as_soon_as_it_is_approved(admin, ws, editor, lead, make_post):
    # given a workflow that schedules approved posts planned for a future time
    flow = workflow_with(
        admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}], schedule_when_approved=True
    )
    assert flow.schedule_when_approved
    post = make_post()
    # when the last stage approves
    approve(post, editor, lead)
    # then the post is scheduled, and the audit log says why
    assert statuses(post) == {S.SCHEDULED}
    assert AuditEvent.objects.filter(action="approval.auto_schedule", target_id=str(post.pk)).exists()
    assert publish_gate(post).ok


def test_auto_scheduling_refused_by_compliance_leaves_the_post_approved(admin, ws, editor, lead, make_post):
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}], schedule_when_approved=True)
    post = make_post("全网最低价")  # an advertising-law finding: scheduling needs a person's decision
    approve(post, editor, lead)
    assert statuses(post) == {S.APPROVED}
    assert AuditEvent.objects.filter(action="approval.auto_schedule_refused", target_id=str(post.pk)).exists()

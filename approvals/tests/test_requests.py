"""Requests and decisions: stage rules (any, all, N of M), conditions that skip stages, request changes
and resubmission, and the refusals (decide twice, non-current stage, other workspace, own post)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.gate import publish_gate
from approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalWorkflow,
    Notification,
    RequestStatus,
    StageStatus,
)
from approvals.tests.conftest import edit
from approvals.tests.factories import workflow_with
from content.models import PostTarget, TargetStatus
from core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
S = TargetStatus


def statuses(post):
    return set(PostTarget.objects.filter(post=post).values_list("status", flat=True))


@pytest.mark.parametrize(
    ("rule", "quorum", "approvals_needed"),
    [("any", 1, 1), ("all", 1, 3), ("quorum", 2, 2)],
)
def test_stage_rule_decides_how_many_approvals_complete_it(
    admin, ws, editor, reviewer_factory, make_post, rule, quorum, approvals_needed
):
    # given three named approvers
    people = [reviewer_factory() for _ in range(3)]
    workflow_with(
        admin,
        ws,
        [{"name": "Legal", "approver_users": [p.pk for p in people], "rule": rule, "quorum": quorum}],
    )
    post = make_post()
    request = services.approval_request_submit(actor=editor, post=post)
    # when all but the last needed approval are given
    for person in people[: approvals_needed - 1]:
        services.approval_decide(actor=person, request=request, decision="approve")
    # then the request is still in progress
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert not publish_gate(post).ok
    # when the last needed approval comes
    services.approval_decide(actor=people[approvals_needed - 1], request=request, decision="approve")
    # then it is approved, variants are approved, and the gate opens for exactly this hash
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert statuses(post) == {S.APPROVED}
    gate = publish_gate(post)
    assert gate.ok and gate.reason == "approved" and gate.approved_hash == request.content_hash


def test_all_rule_by_role_counts_every_member_with_that_role(admin, ws, editor, reviewer_factory, make_post):
    # given two reviewers by role (the admin's role is not named)
    first, second = reviewer_factory(), reviewer_factory()
    workflow_with(admin, ws, [{"name": "Review", "approver_roles": [Role.REVIEWER], "rule": "all"}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    # when one approves
    services.approval_decide(actor=first, request=request, decision="approve")
    # then one is still needed
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    services.approval_decide(actor=second, request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_stages_advance_in_order_and_conditions_skip_stages(admin, ws, editor, reviewer_factory, make_post):
    # given a legal stage only for posts with the keyword "best" and a brand stage for all
    legal, brand = reviewer_factory(), reviewer_factory()
    workflow_with(
        admin,
        ws,
        [
            {"name": "Legal", "approver_users": [legal.pk], "condition": {"keywords": ["best"]}},
            {"name": "Brand", "approver_users": [brand.pk]},
        ],
    )
    claims = make_post("The best coffee in town")
    plain = make_post("Coffee in town")
    # when both are submitted
    with_claims = services.approval_request_submit(actor=editor, post=claims)
    without = services.approval_request_submit(actor=editor, post=plain)
    # then the post with claims waits for legal, the other skips it
    assert with_claims.current_stage.stage_name == "Legal"
    assert without.current_stage.stage_name == "Brand"
    assert without.stage_states.get(position=0).status == StageStatus.SKIPPED
    # and brand cannot decide on the post still at legal (not the current stage)
    with pytest.raises(Conflict) as error:
        services.approval_decide(actor=brand, request=with_claims, decision="approve")
    assert error.value.code == "not_current_stage"
    assert not ApprovalDecision.objects.filter(request=with_claims).exists()
    # when legal approves, the request moves to brand
    services.approval_decide(actor=legal, request=with_claims, decision="approve")
    with_claims.refresh_from_db()
    assert with_claims.current_stage.stage_name == "Brand"
    assert Notification.objects.filter(recipient=brand, kind="review_needed", post=claims).exists()


def test_a_reviewer_cannot_decide_twice(admin, ws, editor, reviewer_factory, make_post):
    # given a stage needing two approvals
    first, second = reviewer_factory(), reviewer_factory()
    workflow_with(admin, ws, [{"name": "Two", "approver_users": [first.pk, second.pk], "rule": "all"}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    services.approval_decide(actor=first, request=request, decision="approve")
    # when the same person decides again
    with pytest.raises(Conflict) as error:
        services.approval_decide(actor=first, request=request, decision="approve")
    # then it is refused and nothing more is recorded
    assert error.value.code == "already_decided"
    assert ApprovalDecision.objects.filter(request=request).count() == 1


def test_the_database_refuses_a_second_decision_by_the_same_reviewer(
    admin, ws, editor, reviewer_factory, make_post
):
    # given
    first, second = reviewer_factory(), reviewer_factory()
    workflow_with(admin, ws, [{"name": "Two", "approver_users": [first.pk, second.pk], "rule": "all"}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    decision = services.approval_decide(actor=first, request=request, decision="approve")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalDecision.objects.create(
            request=request,
            stage_state=decision.stage_state,
            decision="approve",
            reviewer=first,
            reviewer_email=first.email,
            content_hash=request.content_hash,
        )


def test_another_workspaces_request_is_not_found(admin, ws, editor, reviewer_factory, make_post):
    # given a reviewer of another workspace, even one named on the stage by role
    reviewer = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Review", "approver_users": [reviewer.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    outsider = WorkspaceMemberFactory(workspace=WorkspaceFactory(), role=Role.ADMIN).user
    # when / then
    with pytest.raises(NotFound):
        services.approval_decide(actor=outsider, request=request, decision="approve")
    assert not ApprovalDecision.objects.exists()


def test_authors_cannot_approve_their_own_post_unless_the_workflow_allows_it(
    admin, ws, reviewer_factory, make_post
):
    # given an author who is also a reviewer
    author = reviewer_factory(role=Role.MANAGER)
    workflow = workflow_with(admin, ws, [{"name": "Review", "approver_users": [author.pk]}])
    post = make_post(actor=author)
    request = services.approval_request_submit(actor=author, post=post)
    # when / then
    with pytest.raises(PermissionRefused) as error:
        services.approval_decide(actor=author, request=request, decision="approve")
    assert error.value.code == "own_post"
    # when the workflow allows it
    ApprovalWorkflow.objects.filter(pk=workflow.pk).update(allow_self_approval=True)
    services.approval_decide(actor=author, request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_someone_not_named_on_any_stage_is_refused(admin, ws, editor, reviewer_factory, make_post):
    named, other = reviewer_factory(), reviewer_factory()
    workflow_with(admin, ws, [{"name": "Review", "approver_users": [named.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    with pytest.raises(PermissionRefused) as error:
        services.approval_decide(actor=other, request=request, decision="approve")
    assert error.value.code == "not_an_approver"


def test_request_changes_returns_the_post_to_its_author_and_resubmission_restarts(
    admin, ws, editor, reviewer_factory, make_post
):
    # given two stages; the workflow restarts at the stage that asked for changes
    lead, legal = reviewer_factory(), reviewer_factory()
    workflow_with(
        admin,
        ws,
        [{"name": "Lead", "approver_users": [lead.pk]}, {"name": "Legal", "approver_users": [legal.pk]}],
        restart_on_resubmit="same_stage",
    )
    post = make_post("Our best offer")
    request = services.approval_request_submit(actor=editor, post=post)
    services.approval_decide(actor=lead, request=request, decision="approve")
    # when legal requests changes with a comment
    services.approval_decide(actor=legal, request=request, decision="request_changes", comment="Drop 'best'")
    # then the post is a draft again and the author is told, with the comment
    request.refresh_from_db()
    assert request.status == RequestStatus.CHANGES_REQUESTED
    assert statuses(post) == {S.DRAFT}
    note = Notification.objects.get(recipient=editor, kind="changes_requested")
    assert "Drop 'best'" in note.message
    # when the author fixes it and resubmits
    edit(post, editor, "Our offer")
    again = services.approval_request_submit(actor=editor, post=post)
    # then it starts at legal, the lead's stage carried over
    assert again.current_stage.stage_name == "Legal"
    assert again.stage_states.get(position=0).status == StageStatus.CARRIED_OVER


def test_request_changes_needs_a_comment(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    with pytest.raises(ValidationFailed):
        services.approval_decide(actor=lead, request=request, decision="request_changes", comment=" ")
    assert not ApprovalDecision.objects.exists()


def test_reject_ends_the_request(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    post = make_post()
    request = services.approval_request_submit(actor=editor, post=post)
    services.approval_decide(actor=lead, request=request, decision="reject", comment="Off brand")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert statuses(post) == {S.DRAFT}
    assert publish_gate(post).reason == "not_approved"
    assert AuditEvent.objects.filter(action="approval.reject", actor=lead).exists()


def test_one_request_in_progress_per_post(admin, ws, editor, reviewer_factory, make_post):
    # given
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    post = make_post()
    request = services.approval_request_submit(actor=editor, post=post)
    # when submitted again through the service
    with pytest.raises(Conflict):
        services.approval_request_submit(actor=editor, post=post)
    # and even around it, the database refuses a second request in progress
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.create(
            workspace=ws,
            post=post,
            workflow=request.workflow,
            post_version=post.version,
            content_hash=request.content_hash,
        )


def test_posts_without_a_matching_policy_need_no_approval(ws, editor, make_post):
    post = make_post()
    assert publish_gate(post).reason == "not_required"
    with pytest.raises(ValidationFailed) as error:
        services.approval_request_submit(actor=editor, post=post)
    assert error.value.code == "approval_not_required"


def test_policy_rules_decide_in_order(admin, ws, editor, reviewer_factory, make_post, account):
    # given: posts on `account` need no approval, everything else goes through the workflow
    from channels_app.tests.factories import SocialAccountFactory

    lead = reviewer_factory()
    workflow = workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}], apply_to_all=False)
    services.policy_rules_set(
        actor=admin,
        workspace=ws,
        rules=[
            {"scope": "accounts", "accounts": [account.pk], "workflow": None},
            {"scope": "all", "workflow": workflow.pk},
        ],
    )
    other = SocialAccountFactory(workspace=ws, platform="weibo")
    # then
    assert publish_gate(make_post()).reason == "not_required"
    assert publish_gate(make_post(accounts=[other])).reason == "not_approved"


def test_batch_submit_starts_one_request_per_post(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    posts = [make_post(f"Post {i}") for i in range(3)]
    batch = services.approval_batch_submit(actor=editor, workspace=ws, posts=[p.pk for p in posts])
    assert batch.requests.count() == 3
    assert set(batch.requests.values_list("status", flat=True)) == {RequestStatus.IN_PROGRESS}


def test_the_request_pins_version_and_hash(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    post = make_post()
    request = services.approval_request_submit(actor=editor, post=post)
    post.refresh_from_db()
    assert (request.post_version, request.content_hash) == (post.version, post.content_hash)
    assert timezone.now() - request.created_at < timedelta(minutes=1)


def test_approval_events_go_to_the_workspaces_webhooks(admin, ws, editor, reviewer_factory, make_post):
    # given a webhook subscribed to everything
    from publishing.models import WebhookDelivery
    from publishing.tests.factories import WebhookEndpointFactory

    WebhookEndpointFactory(workspace=ws)
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    first = services.approval_request_submit(actor=editor, post=make_post("A"))
    services.approval_decide(actor=lead, request=first, decision="approve")
    second = services.approval_request_submit(actor=editor, post=make_post("B"))
    services.approval_decide(actor=lead, request=second, decision="request_changes", comment="Shorter")
    # then
    events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == [
        "approval.requested",
        "approval.approved",
        "approval.requested",
        "approval.changes_requested",
    ]


def test_the_stage_that_asked_for_changes_reviews_the_fix_even_when_its_condition_no_longer_matches(
    admin, ws, editor, reviewer_factory, make_post
):
    # given legal only sees posts with "best", and asked for it to go
    legal, brand = reviewer_factory(), reviewer_factory()
    workflow_with(
        admin,
        ws,
        [
            {"name": "Brand", "approver_users": [brand.pk]},
            {"name": "Legal", "approver_users": [legal.pk], "condition": {"keywords": ["best"]}},
        ],
    )
    post = make_post("The best tea")
    request = services.approval_request_submit(actor=editor, post=post)
    services.approval_decide(actor=brand, request=request, decision="approve")
    services.approval_decide(actor=legal, request=request, decision="request_changes", comment="No 'best'")
    # when the fix removes the keyword and the post is resubmitted (the workflow restarts at the top)
    edit(post, editor, "Our tea")
    again = services.approval_request_submit(actor=editor, post=post)
    # then brand reviews again first, and legal still checks the fix afterwards
    assert again.current_stage.stage_name == "Brand"
    assert again.stage_states.get(stage_name="Legal").status == StageStatus.WAITING
    # while a fresh post without the keyword skips legal
    fresh = services.approval_request_submit(actor=editor, post=make_post("Our tea"))
    assert fresh.stage_states.get(stage_name="Legal").status == StageStatus.SKIPPED


def test_an_approval_event_names_the_request_its_post_version_hash_and_status(
    admin, ws, editor, reviewer_factory, make_post
):
    # given a webhook subscribed to everything
    from publishing.models import WebhookDelivery
    from publishing.tests.factories import WebhookEndpointFactory

    WebhookEndpointFactory(workspace=ws)
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post("A"))
    # when
    services.approval_decide(actor=lead, request=request, decision="reject", comment="Off-brand")
    # then
    request.refresh_from_db()
    rejected = WebhookDelivery.objects.get(event="approval.rejected").payload
    assert rejected["workspace_id"] == ws.pk
    assert rejected["data"] == {
        "request": request.pk,
        "post": request.post_id,
        "version": request.post_version,
        "content_hash": request.content_hash,
        "status": RequestStatus.REJECTED,
        "comment": "Off-brand",
    }

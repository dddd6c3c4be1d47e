"""Factories for approvals. Workflows with stages are built through approvals.services (the stages'
validation is part of what tests rely on); these helpers keep tests short."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import WorkspaceFactory
from approvals import services
from approvals.models import ApprovalRequest, ApprovalWorkflow, Notification, PostComment, ReviewLink


class ApprovalWorkflowFactory(DjangoModelFactory):
    """A workflow row without stages (for lists and isolation); use `workflow_with` for real ones."""

    class Meta:
        model = ApprovalWorkflow

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Workflow {n}")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = "review_needed"
    message = factory.Sequence(lambda n: f"Review needed {n}")


def workflow_with(admin, workspace, stages, *, apply_to_all=True, **kwargs) -> ApprovalWorkflow:
    """A workflow with `stages` (dicts as services.workflow_create takes) and, by default, a policy that
    sends every post of the workspace through it. Approved posts stay approved (not scheduled at once)
    unless `schedule_when_approved=True`."""
    kwargs.setdefault("schedule_when_approved", False)
    workflow = services.workflow_create(
        actor=admin,
        workspace=workspace,
        name=kwargs.pop("name", f"Flow {ApprovalWorkflow.objects.count() + 1}"),
        stages=stages,
        **kwargs,
    )
    if apply_to_all:
        services.policy_rules_set(
            actor=admin, workspace=workspace, rules=[{"scope": "all", "workflow": workflow.pk}]
        )
    return workflow


class ApprovalRequestFactory(DjangoModelFactory):
    """A request row (no stages) for a post: enough for lists, isolation and role tables."""

    class Meta:
        model = ApprovalRequest

    post = factory.SubFactory("content.tests.factories.PostFactory")
    workspace = factory.SelfAttribute("post.workspace")
    workflow = factory.SubFactory(ApprovalWorkflowFactory, workspace=factory.SelfAttribute("..workspace"))
    post_version = 1
    content_hash = "0" * 64


class PostCommentFactory(DjangoModelFactory):
    class Meta:
        model = PostComment

    post = factory.SubFactory("content.tests.factories.PostFactory")
    workspace = factory.SelfAttribute("post.workspace")
    post_version = 1
    body = factory.Sequence(lambda n: f"Comment {n}")
    author_label = "someone@example.com"


class ReviewLinkFactory(DjangoModelFactory):
    class Meta:
        model = ReviewLink

    request = factory.SubFactory(ApprovalRequestFactory)
    workspace = factory.SelfAttribute("request.workspace")
    email = "hq@example.org"
    nonce_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))

"""What each id-bearing request field names, for tests/test_tenancy_body_ids.py: the kinds of object
(each with a way to make or find one in a World of tests/test_isolation.py), the fields that name them,
and the fields that look like ids but are none (with why)."""

from __future__ import annotations

from django.utils import timezone

from tests.test_isolation import PROVIDERS, World


def _member_user(world: World):
    return world.member.user.pk


def _agency_of_a_grant(world: World):
    return world.agency.pk


def _word_list(world: World):
    from content.models import BannedWordList

    return world.once(
        "word_list", lambda w: BannedWordList.objects.create(workspace=w.workspace, name="Legal")
    ).pk


def _notification(world: World):
    from approvals.models import Notification

    return world.once(
        "notification",
        lambda w: Notification.objects.create(
            recipient=w.admin, workspace=w.workspace, kind="review_needed", message="Review needed"
        ),
    ).pk


def _competitor(world: World):
    return PROVIDERS["competitor_id"](world)


def _organization_competitor(world: World):
    """A competitor brand of the organization that the workspace does not benchmark yet."""
    from competitors.models import BenchmarkedBrand

    def make(w):
        brand = PROVIDERS["competitor_id"](w) and w.extras["competitor"]
        BenchmarkedBrand.objects.filter(workspace=w.workspace, brand=brand).delete()
        return brand

    return world.once("organization_competitor", make).pk


def _agency_person(world: World):
    """A person of the world's agency (the organization in organization URLs), not assigned yet."""
    from accounts.tests.factories import MembershipFactory

    return world.once("agency_person", lambda w: MembershipFactory(organization=w.agency).user).pk


def _organization_workspace(world: World):
    """A workspace of the organization in organization URLs (the world's agency)."""
    from accounts.tests.factories import WorkspaceFactory

    return world.once("agency_workspace", lambda w: WorkspaceFactory(organization=w.agency)).pk


REVIEWER = "hq.reviewer@example.org"


def _external_request(world: World):
    """A request waiting for an external reviewer's decision (the reviewer of the world's review link)."""

    def make(w: World):
        from approvals import services
        from approvals.tests.factories import workflow_with

        workflow_with(w.admin, w.workspace, [{"name": "HQ", "approver_emails": [REVIEWER]}])
        PROVIDERS["post_id"](w)
        return services.approval_request_submit(actor=w.admin, post=w.extras["post"])

    return world.once("external_request", make)


def _external_comment(world: World):
    """A top-level comment on the post of the external reviewer's request."""
    from approvals.tests.factories import PostCommentFactory

    return world.once("external_comment", lambda w: PostCommentFactory(post=_external_request(w).post)).pk


def review_link_headers(world: World) -> dict:
    """The headers of an external reviewer who opened the world's link and confirmed their email."""
    from approvals import links
    from approvals.models import ReviewLink

    link, token = links.review_link_create(
        actor=world.admin, workspace=world.workspace, email=REVIEWER, request=_external_request(world)
    )
    ReviewLink.objects.filter(pk=link.pk).update(verified_at=timezone.now())
    link.refresh_from_db()
    return {"HTTP_X_REVIEW_LINK": token, "HTTP_X_REVIEW_SESSION": links.review_session_issue(link)}


# Kind of object -> the id of such an object in a world (the world's own when building a valid body).
OBJECTS = {
    "account": PROVIDERS["account_id"],
    "group": PROVIDERS["group_id"],
    "campaign": PROVIDERS["campaign_id"],
    "tag": PROVIDERS["tag_id"],
    "tag_group": PROVIDERS["tag_group_id"],
    "media": PROVIDERS["media_id"],
    "post": PROVIDERS["post_id"],
    "target": PROVIDERS["target_id"],
    "workflow": PROVIDERS["workflow_id"],
    "request": PROVIDERS["request_id"],
    "comment": PROVIDERS["comment_id"],
    "item": PROVIDERS["item_id"],
    "rule": PROVIDERS["rule_id"],
    "line": PROVIDERS["line_id"],
    "competitor": _competitor,
    "organization_competitor": _organization_competitor,
    "word_list": _word_list,
    "user": _member_user,  # a person of the workspace
    "member": lambda w: w.member.pk,  # a person's membership of the workspace
    "agency": _agency_of_a_grant,  # an agency let into the workspace
    "notification": _notification,
    "organization": lambda w: w.organization.pk,  # the brand organization the admin owns
    "agency_person": _agency_person,
    "organization_workspace": _organization_workspace,
    "external_request": lambda w: _external_request(w).pk,
    "external_target": lambda w: _external_request(w).post.targets.first().pk,
    "external_comment": _external_comment,
}

# "Serializer.field" -> the kind of object it names.
ID_FIELDS = {
    "PostCreateSerializer.campaign": "campaign",
    "PostCreateSerializer.tags": "tag",
    "PostUpdateSerializer.campaign": "campaign",
    "PostUpdateSerializer.tags": "tag",
    "TargetInputSerializer.account": "account",
    "TargetInputSerializer.media": "media",
    "ReplyInputSerializer.media": "media",
    "ComplianceCheckInputSerializer.accounts": "account",
    "ComplianceCheckInputSerializer.media": "media",
    "CheckTargetInputSerializer.account": "account",
    "MediaUploadSerializer.accounts": "account",
    "PostingSlotInputSerializer.account": "account",
    "TagInputSerializer.group": "tag_group",
    "BannedWordInputSerializer.word_list": "word_list",
    "CampaignInputSerializer.owner": "member",
    "SocialAccountUpdateSerializer.groups": "group",
    "SocialAccountUpdateSerializer.responsible": "member",
    # approvals
    "StageInputSerializer.approver_users": "user",
    "StageInputSerializer.escalate_to": "user",
    "ConditionSerializer.accounts": "account",
    "ConditionSerializer.campaigns": "campaign",
    "ConditionSerializer.tags": "tag",
    "PolicyRuleInputSerializer.accounts": "account",
    "PolicyRuleInputSerializer.workflow": "workflow",
    "BatchInputSerializer.posts": "post",
    "ReviewLinkInputSerializer.request": "request",
    "CommentInputSerializer.target": "target",
    "CommentInputSerializer.request": "request",
    "CommentInputSerializer.mentions": "user",
    "CommentInputSerializer.parent": "comment",
    "BulkApproveInputSerializer.requests": "request",
    "MarkReadInputSerializer.ids": "notification",
    # accounts, lifecycle
    "WorkspaceCreateSerializer.organization": "organization",
    "AssignmentCreateSerializer.user": "agency_person",
    "WorkspaceRestoreSerializer.workspace": "organization_workspace",
    # an external reviewer's link (no account: the link's token and the confirmed email's session)
    "ExternalCommentInputSerializer.request": "external_request",
    "ExternalCommentInputSerializer.target": "external_target",
    "ExternalCommentInputSerializer.parent": "external_comment",
    "ExternalDecideInputSerializer.request": "external_request",
    # analytics
    "ExportFiltersSerializer.accounts": "account",
    "ExportFiltersSerializer.campaigns": "campaign",
    "ExportFiltersSerializer.tags": "tag",
    "ExportFiltersSerializer.authors": "user",
    "ScheduledReportSerializer.recipients": "user",
    # budgets
    "BudgetInputSerializer.campaign": "campaign",
    "BudgetLineInputSerializer.agency": "agency",
    "SpendInputSerializer.line": "line",
    "SpendInputSerializer.campaign": "campaign",
    "SpendInputSerializer.posts": "post",
    # competitors, objectives
    "CompetitorPickSerializer.competitor": "organization_competitor",
    "ObjectiveInputSerializer.account": "account",
    "ObjectiveInputSerializer.campaign": "campaign",
    "ObjectiveInputSerializer.tag": "tag",
    "ObjectiveInputSerializer.rivals": "competitor",
    # inbox
    "ItemAssignSerializer.assignee": "user",
    "ItemsAssignSerializer.items": "item",
    "ItemsAssignSerializer.assignee": "user",
    "ItemsCloseSerializer.items": "item",
    "RuleInputSerializer.account": "account",
    "RuleInputSerializer.assign_to": "user",
    "RuleInputSerializer.assign_team": "user",
    "RuleOrderSerializer.rules": "rule",
    "RuleTestInputSerializer.account": "account",
    "InboxSettingsSerializer.approval_accounts": "account",
}

# "Serializer.field" -> why it names no object of a tenant (or why this module does not swap it).
NOT_IDS = {
    "PostUpdateSerializer.version": "a version counter",
    "PostQueueSerializer.version": "a version counter",
    "PostRescheduleSerializer.version": "a version counter",
    "PostScheduleSerializer.version": "a version counter",
    "PostVersionInputSerializer.version": "a version counter",
    "ItemUpdateSerializer.version": "a version counter",
    "ItemAssignSerializer.version": "a version counter",
    "ReplyInputSerializer.version": "a version counter",
    "ItemActionSerializer.version": "a version counter",
    "StageInputSerializer.quorum": "a count",
    "StageInputSerializer.sla_hours": "a duration",
    "StageInputSerializer.escalate_after_hours": "a duration",
    "ReviewLinkInputSerializer.ttl_hours": "a duration",
    "ReviewLinkInputSerializer.batch": "a batch number of the workspace's own requests",
    "DecideInputSerializer.stage": "a stage position of the request named in the URL",
    "CommentInputSerializer.anchor_start": "a character offset",
    "CommentInputSerializer.anchor_end": "a character offset",
    "ExternalCommentInputSerializer.anchor_start": "a character offset",
    "ExternalCommentInputSerializer.anchor_end": "a character offset",
    "PostingSlotInputSerializer.weekday": "a day of the week",
    "AlertSettingsSerializer.baseline_posts": "a count",
    "RuleInputSerializer.min_followers": "a count",
    "RuleTestInputSerializer.followers": "a count",
    "InboxSettingsSerializer.business_days": "days of the week",
    "InboxSettingsSerializer.first_response_minutes": "a duration",
    "InboxSettingsSerializer.resolution_minutes": "a duration",
    "InboxSettingsSerializer.warning_minutes": "a duration",
    "BenchmarkScheduleSerializer.recipients": "e-mail addresses",
    "AgencyGrantCreateSerializer.agency": "any agency: granting to another organization is the point",
    # named like an object, yet text
    "BulkApproveInputSerializer.comment": "a comment's text",
    "DecideInputSerializer.comment": "a comment's text",
    "ExternalDecideInputSerializer.comment": "a comment's text",
    "CampaignInputSerializer.objective": "the campaign's objective, in words",
    "ExportFiltersSerializer.media": "media kinds (image, video, none)",
    "ItemUpdateSerializer.tags": "words",
    "SocialAccountUpdateSerializer.tags": "words",
    "ObjectiveInputSerializer.target": "a number to reach",
    "StageInputSerializer.rule": "any / all / quorum",
}

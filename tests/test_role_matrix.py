"""Roles as a table: every role against every capability an API endpoint requires, by real requests.

REQUESTS maps each capability to requests that need it. The capabilities come from the views themselves
(`required_capabilities` of every route under /api/v1/), so a new endpoint with a capability the table
has no request for makes `test_every_required_capability_has_a_request` fail: add a row below. Allowed
means a 2xx answer, refused means 403, exactly as accounts.roles.ROLE_CAPABILITIES (and, for
organizations, accounts.roles.ORG_CAPABILITIES) say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from accounts.models import Invitation, Organization, Workspace
from accounts.roles import ALL_CAPABILITIES, ORG_CAPABILITIES, OrgRole, Role, role_has
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from tests import api_routes
from tests.role_requests_budgets import add_budget_requests

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Req:
    """One request: method, route name, and a function that makes what it needs and returns
    (the URL kwargs besides the scope id, the JSON body or None)."""

    method: str
    route_name: str
    build: Callable[[object], tuple[dict, dict | None]]
    sim: bool = False  # `build` takes (scope, platform_sim): the request reaches the platform simulator

    def __str__(self) -> str:
        return f"{self.method} {self.route_name}"


def _nothing(scope):
    return {}, None


def _member(workspace: Workspace) -> dict:
    return {"member_id": WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).pk}


def _invitation(workspace: Workspace) -> dict:
    invitation = Invitation.objects.create(
        workspace=workspace,
        email="someone@example.com",
        role=Role.VIEWER,
        token_hash="0" * 64,
        expires_at="2999-01-01T00:00:00Z",
    )
    return {"invitation_id": invitation.pk}


def _grant(workspace: Workspace) -> dict:
    return {"grant_id": AgencyGrantFactory(workspace=workspace, role_ceiling=Role.EDITOR).pk}


def _social_account(workspace: Workspace) -> dict:
    from channels_app.tests.factories import SocialAccountFactory

    return {"account_id": SocialAccountFactory(workspace=workspace).pk}


def _account_group(workspace: Workspace) -> dict:
    from channels_app.tests.factories import AccountGroupFactory

    return {"group_id": AccountGroupFactory(workspace=workspace).pk}


def _content_post(workspace: Workspace, status: str = "draft") -> dict:
    from content.tests.factories import PostTargetFactory

    target = PostTargetFactory(post__workspace=workspace, account__platform="mastodon", status=status)
    return {"post_id": target.post_id}


def _new_post_body(workspace: Workspace) -> dict:
    from channels_app.tests.factories import SocialAccountFactory

    account = SocialAccountFactory(workspace=workspace, platform="mastodon")
    return {"targets": [{"account": account.pk, "text": "Hello"}]}


def _queueable_post(workspace: Workspace) -> dict:
    from content.models import PostTarget
    from content.tests.factories import PostingSlotFactory

    kwargs = _content_post(workspace)
    account = PostTarget.objects.get(post_id=kwargs["post_id"]).account
    PostingSlotFactory(workspace=workspace, account=account, weekday=2, time="10:00")
    return kwargs


def _import_job(workspace: Workspace) -> dict:
    """A job that was checked and is ready to commit."""
    from content.models import ImportJob

    return {"import_id": ImportJob.objects.create(workspace=workspace, status="ready", total_rows=1).pk}


def _content_object(kind: str):
    def build(workspace: Workspace) -> dict:
        from content.tests import factories as f

        made = {
            "media_id": lambda: f.MediaAssetFactory(workspace=workspace),
            "campaign_id": lambda: f.CampaignFactory(workspace=workspace),
            "tag_group_id": lambda: f.TagGroupFactory(workspace=workspace),
            "tag_id": lambda: f.TagFactory(group=f.TagGroupFactory(workspace=workspace)),
            "banned_word_id": lambda: f.BannedWordFactory(workspace=workspace),
            "slot_id": lambda: f.PostingSlotFactory(workspace=workspace),
        }[kind]()
        return {kind: made.pk}

    return build


def _future() -> str:
    return "2099-01-05T10:00:00+00:00"


# Workspace capabilities -> requests that need them.
REQUESTS: dict[str, list[Req]] = {
    "workspace.view": [Req("GET", "api-workspace", _nothing)],
    "workspace.manage": [Req("PATCH", "api-workspace", lambda ws: ({}, {"name": "Renamed"}))],
    "member.view": [
        Req("GET", "api-members", _nothing),
        Req("GET", "api-member", lambda ws: (_member(ws), None)),
    ],
    "member.manage": [
        Req("PATCH", "api-member", lambda ws: (_member(ws), {"role": "viewer"})),
        Req("DELETE", "api-member", lambda ws: (_member(ws), None)),
        Req("GET", "api-invitations", _nothing),
        Req("POST", "api-invitations", lambda ws: ({}, {"email": "new@example.com", "role": "viewer"})),
        Req("GET", "api-invitation", lambda ws: (_invitation(ws), None)),
        Req("DELETE", "api-invitation", lambda ws: (_invitation(ws), None)),
        Req("POST", "api-invitation-resend", lambda ws: (_invitation(ws), None)),
    ],
    "agency.manage": [
        Req("GET", "api-agency-grants", _nothing),
        Req(
            "POST",
            "api-agency-grants",
            lambda ws: ({}, {"agency": AgencyFactory().pk, "role_ceiling": "viewer"}),
        ),
        Req("GET", "api-agency-grant", lambda ws: (_grant(ws), None)),
        Req("PATCH", "api-agency-grant", lambda ws: (_grant(ws), {"role_ceiling": "viewer"})),
        Req("DELETE", "api-agency-grant", lambda ws: (_grant(ws), None)),
    ],
    "audit.view": [Req("GET", "api-audit-events", _nothing)],
    # channels_app
    "account.view": [
        Req("GET", "social-account-list", _nothing),
        Req("GET", "social-account-detail", lambda ws: (_social_account(ws), None)),
        Req("GET", "account-group-list", _nothing),
        Req("GET", "account-group-detail", lambda ws: (_account_group(ws), None)),
    ],
    "account.connect": [
        Req("POST", "social-account-connect-start", lambda ws: ({}, {"platform": "weibo"})),
        Req("PATCH", "social-account-detail", lambda ws: (_social_account(ws), {"tags": ["launch"]})),
        Req("DELETE", "social-account-detail", lambda ws: (_social_account(ws), None)),
        Req("POST", "account-group-list", lambda ws: ({}, {"name": "Tier 1"})),
        Req("PATCH", "account-group-detail", lambda ws: (_account_group(ws), {"name": "Tier 2"})),
        Req("DELETE", "account-group-detail", lambda ws: (_account_group(ws), None)),
    ],
}
# content
REQUESTS["post.view"] = [
    Req("GET", "post-list", _nothing),
    Req("GET", "post-detail", lambda ws: (_content_post(ws), None)),
    Req("GET", "post-history", lambda ws: (_content_post(ws), None)),
    Req("GET", "post-compliance", lambda ws: (_content_post(ws), None)),
    Req("POST", "compliance-check", lambda ws: ({}, {"text": "Hello", "platforms": ["mastodon"]})),
    Req("GET", "media-list", _nothing),
    Req("GET", "media-detail", lambda ws: (_content_object("media_id")(ws), None)),
    Req("GET", "campaign-list", _nothing),
    Req("GET", "campaign-detail", lambda ws: (_content_object("campaign_id")(ws), None)),
    Req("GET", "tag-group-list", _nothing),
    Req("GET", "tag-group-detail", lambda ws: (_content_object("tag_group_id")(ws), None)),
    Req("GET", "tag-list", _nothing),
    Req("GET", "tag-detail", lambda ws: (_content_object("tag_id")(ws), None)),
    Req("GET", "banned-word-list", _nothing),
    Req("GET", "banned-word-detail", lambda ws: (_content_object("banned_word_id")(ws), None)),
    Req("GET", "posting-slot-list", _nothing),
    Req("GET", "posting-slot-detail", lambda ws: (_content_object("slot_id")(ws), None)),
]
REQUESTS["post.create"] = [
    Req("POST", "post-list", lambda ws: ({}, _new_post_body(ws))),
    Req("POST", "post-duplicate", lambda ws: (_content_post(ws), {})),
    Req("GET", "import-detail", lambda ws: (_import_job(ws), None)),
    Req("POST", "import-commit", lambda ws: (_import_job(ws), {})),
]
REQUESTS["post.edit"] = [
    Req("PATCH", "post-detail", lambda ws: (_content_post(ws), {"version": 1, "title": "Renamed"})),
    Req("DELETE", "post-detail", lambda ws: (_content_post(ws), None)),
    Req("POST", "post-reschedule", lambda ws: (_content_post(ws), {"scheduled_at": _future()})),
]
REQUESTS["post.schedule"] = [
    Req("POST", "post-schedule", lambda ws: (_content_post(ws), {"scheduled_at": _future()})),
    Req("POST", "post-unschedule", lambda ws: (_content_post(ws, "scheduled"), {})),
    Req("POST", "post-queue", lambda ws: (_queueable_post(ws), {})),
    Req("POST", "campaign-list", lambda ws: ({}, {"name": "Launch"})),
    Req("PATCH", "campaign-detail", lambda ws: (_content_object("campaign_id")(ws), {"name": "Relaunch"})),
    Req("DELETE", "campaign-detail", lambda ws: (_content_object("campaign_id")(ws), None)),
    Req("POST", "posting-slot-list", lambda ws: ({}, _new_slot_body(ws))),
    Req("DELETE", "posting-slot-detail", lambda ws: (_content_object("slot_id")(ws), None)),
]
REQUESTS["media.upload"] = [
    Req("PATCH", "media-detail", lambda ws: (_content_object("media_id")(ws), {"alt_text": "A cat"})),
    Req("DELETE", "media-detail", lambda ws: (_content_object("media_id")(ws), None)),
]


# competitors: reading needs competitor.view, changing competitor.manage (requests that need no platform:
# adding by address calls the data source, covered in competitors/tests/test_api.py)
def _competitor(workspace: Workspace) -> dict:
    from competitors.tests.factories import benchmarked_brand

    brand, _account = benchmarked_brand(workspace)
    return {"competitor_id": brand.pk}


def _organization_competitor(workspace: Workspace) -> tuple[dict, dict]:
    from competitors.models import BenchmarkedBrand
    from competitors.tests.factories import benchmarked_brand

    brand, _account = benchmarked_brand(workspace)
    BenchmarkedBrand.objects.filter(workspace=workspace, brand=brand).delete()  # the organization's only
    return {}, {"competitor": brand.pk}


def _benchmark_schedule(workspace: Workspace) -> dict:
    from competitors.models import BenchmarkSchedule

    schedule = BenchmarkSchedule.objects.create(
        workspace=workspace, name="weekly", frequency="weekly", addresses=["a@example.com"]
    )
    return {"benchmark_schedule_id": schedule.pk}


def _rival_import(workspace: Workspace) -> tuple[dict, None]:
    from competitors.models import RivalImport

    job = RivalImport.objects.create(workspace=workspace, original_name="rivals.csv", status="done")
    return {"rival_import_id": job.pk}, None


REQUESTS["competitor.view"] = [
    Req("GET", "competitors-list", _nothing),
    Req("GET", "competitors-detail", lambda ws: (_competitor(ws), None)),
    Req("GET", "competitors-benchmark", _nothing),
    Req("GET", "competitors-imports", _nothing),
    Req("GET", "competitors-benchmark-export", _nothing),
    Req("GET", "competitors-import-detail", _rival_import),
    Req("GET", "competitors-alerts", _nothing),
    Req("GET", "competitors-alert-settings", _nothing),
    Req("GET", "competitors-schedules", _nothing),
    Req("GET", "competitors-schedule-detail", lambda ws: (_benchmark_schedule(ws), None)),
]
REQUESTS["competitor.manage"] = [
    Req("DELETE", "competitors-detail", lambda ws: (_competitor(ws), None)),
    Req("POST", "competitors-pick", _organization_competitor),
    Req("PATCH", "competitors-alert-settings", lambda ws: ({}, {"keywords": ["新品"], "threshold_k": "4"})),
    Req(
        "POST",
        "competitors-schedules",
        lambda ws: ({}, {"name": "W", "frequency": "weekly", "addresses": ["a@example.com"]}),
    ),
    Req("PATCH", "competitors-schedule-detail", lambda ws: (_benchmark_schedule(ws), {"active": False})),
    Req("DELETE", "competitors-schedule-detail", lambda ws: (_benchmark_schedule(ws), None)),
]
REQUESTS["workspace.manage"] += [
    Req("POST", "tag-group-list", lambda ws: ({}, {"name": "Pillar", "required": True})),
    Req("PATCH", "tag-group-detail", lambda ws: (_content_object("tag_group_id")(ws), {"exclusive": True})),
    Req("DELETE", "tag-group-detail", lambda ws: (_content_object("tag_group_id")(ws), None)),
    Req(
        "POST",
        "tag-list",
        lambda ws: ({}, {"group": _content_object("tag_group_id")(ws)["tag_group_id"], "name": "Tips"}),
    ),
    Req("PATCH", "tag-detail", lambda ws: (_content_object("tag_id")(ws), {"name": "Renamed"})),
    Req("DELETE", "tag-detail", lambda ws: (_content_object("tag_id")(ws), None)),
    Req("POST", "banned-word-list", lambda ws: ({}, {"word": "cheap", "severity": "warning"})),
    Req(
        "PATCH",
        "banned-word-detail",
        lambda ws: (_content_object("banned_word_id")(ws), {"note": "brand rule"}),
    ),
    Req("DELETE", "banned-word-detail", lambda ws: (_content_object("banned_word_id")(ws), None)),
]


def _new_slot_body(workspace: Workspace) -> dict:
    from channels_app.tests.factories import SocialAccountFactory

    return {"account": SocialAccountFactory(workspace=workspace).pk, "weekday": 1, "time": "09:30"}


def _webhook(workspace: Workspace) -> dict:
    from publishing.tests.factories import WebhookEndpointFactory

    return {"webhook_id": WebhookEndpointFactory(workspace=workspace).pk}


def _webhook_delivery(workspace: Workspace) -> dict:
    from publishing.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

    return {"delivery_id": WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(workspace=workspace)).pk}


# publishing: webhooks and their delivery log
REQUESTS["workspace.manage"] += [
    Req("GET", "webhook-list", _nothing),
    Req("POST", "webhook-list", lambda ws: ({}, {"url": "https://93.184.215.14/hook", "events": ["*"]})),
    Req("GET", "webhook-detail", lambda ws: (_webhook(ws), None)),
    Req("PATCH", "webhook-detail", lambda ws: (_webhook(ws), {"description": "Ops"})),
    Req("DELETE", "webhook-detail", lambda ws: (_webhook(ws), None)),
    Req("POST", "webhook-test", lambda ws: (_webhook(ws), None)),
    Req("GET", "webhook-delivery-list", _nothing),
    Req("GET", "webhook-delivery-detail", lambda ws: (_webhook_delivery(ws), None)),
    Req("POST", "webhook-delivery-redeliver", lambda ws: (_webhook_delivery(ws), None)),
]


# approvals
def _approval_request(workspace: Workspace) -> dict:
    from approvals.tests.factories import ApprovalRequestFactory

    return {"request_id": ApprovalRequestFactory(post__workspace=workspace).pk}


def _new_workflow_body(workspace: Workspace) -> dict:
    return {"name": "Legal", "stages": [{"name": "Legal", "approver_roles": ["reviewer"]}]}


REQUESTS["post.view"] += [
    Req("GET", "approval-workflow-list", _nothing),
    Req("GET", "approval-policy", _nothing),
    Req("GET", "approval-request-list", _nothing),
    Req("GET", "approval-request-detail", lambda ws: (_approval_request(ws), None)),
    Req("GET", "post-approval-gate", lambda ws: (_content_post(ws), None)),
    Req("GET", "post-review-comments", lambda ws: (_content_post(ws), None)),
    Req("GET", "post-timeline", lambda ws: (_content_post(ws), None)),
    Req("GET", "post-review-diff", lambda ws: (_content_post(ws), None)),
]
REQUESTS["post.edit"] += [Req("GET", "review-link-list", _nothing)]
REQUESTS["post.comment"] = [
    Req("POST", "post-review-comments", lambda ws: (_content_post(ws), {"body": "Looks good"})),
]
REQUESTS["approval.manage"] = [
    Req("POST", "approval-workflow-list", lambda ws: ({}, _new_workflow_body(ws))),
    Req("PUT", "approval-policy", lambda ws: ({}, {"rules": []})),
]
REQUESTS["approval.decide"] = [Req("GET", "approval-request-waiting", _nothing)]
REQUESTS["post.publish_without_approval"] = [
    Req("POST", "post-approval-override", lambda ws: (_content_post(ws), {"reason": "Urgent recall"})),
]


# publishing: the pipeline's actions on posts and targets
def _publish_target(workspace: Workspace, status: str, *, assisted: bool = False) -> dict:
    from content.tests.factories import PostTargetFactory
    from publishing.models import PublishJob

    target = PostTargetFactory(
        post__workspace=workspace,
        account__platform="xiaohongshu" if assisted else "mastodon",
        account__assisted=assisted,
        status=status,
    )
    if assisted:
        PublishJob.objects.create(target=target, workspace=workspace, kind=PublishJob.Kind.ASSISTED)
    return {"target_id": target.pk}


REQUESTS["post.publish_now"] = [
    Req("POST", "post-publish-now", lambda ws: (_content_post(ws, "scheduled"), {})),
    Req("POST", "publish-target-retry", lambda ws: (_publish_target(ws, "failed"), {})),
]
REQUESTS["post.schedule"] += [
    Req("POST", "publish-target-cancel", lambda ws: (_publish_target(ws, "scheduled"), {})),
    Req(
        "POST",
        "publish-target-confirm",
        lambda ws: (_publish_target(ws, "publishing", assisted=True), {"url": "https://xhs.example/p/1"}),
    ),
]
# Routes whose view lets in a wider capability and whose service decides: {route: what the view
# declares}. Confirming an assisted post is for the account's responsible person whatever their role,
# else post.schedule (the row above; the person in the matrix is nobody's responsible person).
SERVICE_DECIDES = {"publish-target-confirm": "post.view"}
REQUESTS["post.view"] += [
    Req("GET", "publish-target-attempts", lambda ws: (_publish_target(ws, "published"), None)),
    Req("GET", "publish-notification-list", _nothing),
]


# analytics: every report reads with analytics.view; the workspace's own metrics and lead rate are its
# configuration (workspace.manage)
def _custom_metric(workspace: Workspace) -> dict:
    from analytics.models import CustomMetric

    metric = CustomMetric.objects.create(workspace=workspace, name="Per 1k", formula="likes / 1000")
    return {"custom_metric_id": metric.pk}


def _campaign_report(workspace: Workspace) -> dict:
    from content.tests.factories import CampaignFactory

    return {"campaign_id": CampaignFactory(workspace=workspace).pk}


REQUESTS["analytics.view"] = [
    Req("GET", "analytics-overview", _nothing),
    Req("GET", "analytics-posts", _nothing),
    Req("GET", "analytics-top-posts", _nothing),
    Req("GET", "analytics-campaigns", _nothing),
    Req("GET", "analytics-campaign", lambda ws: (_campaign_report(ws), None)),
    Req("GET", "analytics-tags", _nothing),
    Req("GET", "analytics-best-time", _nothing),
    Req("GET", "analytics-follower-growth", _nothing),
    Req("GET", "analytics-metrics", _nothing),
    Req("GET", "analytics-custom-metrics", _nothing),
    Req("GET", "analytics-custom-metric", lambda ws: (_custom_metric(ws), None)),
    Req("GET", "analytics-settings", _nothing),
]
REQUESTS["workspace.manage"] += [
    Req("POST", "analytics-custom-metrics", lambda ws: ({}, {"name": "Ratio", "formula": "likes / views"})),
    Req("PATCH", "analytics-custom-metric", lambda ws: (_custom_metric(ws), {"formula": "likes / 2"})),
    Req("DELETE", "analytics-custom-metric", lambda ws: (_custom_metric(ws), None)),
    Req("PATCH", "analytics-settings", lambda ws: ({}, {"lead_engagement_rate": "by_views"})),
]


def _export_job(workspace: Workspace) -> dict:
    """A finished export with its file."""
    from django.core.files.base import ContentFile

    from analytics.models import ExportJob

    job = ExportJob.objects.create(workspace=workspace, kind="posts", format="csv", status="done")
    job.file.save("x.csv", ContentFile(b"a\r\n"), save=True)
    return {"export_id": job.pk}


def _scheduled_report(workspace: Workspace) -> dict:
    from analytics.models import ScheduledReport

    report = ScheduledReport.objects.create(workspace=workspace, name="Weekly", frequency="weekly")
    return {"scheduled_report_id": report.pk}


def _new_scheduled_report_body(workspace: Workspace) -> dict:
    analyst = WorkspaceMemberFactory(workspace=workspace, role=Role.ANALYST).user
    return {"name": "Monday report", "frequency": "weekly", "format": "pdf", "recipients": [analyst.pk]}


REQUESTS["analytics.export"] = [
    Req("GET", "analytics-export-list", _nothing),
    Req("POST", "analytics-export-list", lambda ws: ({}, {"kind": "posts", "format": "csv"})),
    Req("GET", "analytics-export-detail", lambda ws: (_export_job(ws), None)),
    Req("GET", "analytics-export-download", lambda ws: (_export_job(ws), None)),
    Req("GET", "analytics-scheduled-report-list", _nothing),
    Req("POST", "analytics-scheduled-report-list", lambda ws: ({}, _new_scheduled_report_body(ws))),
    Req("GET", "analytics-scheduled-report-detail", lambda ws: (_scheduled_report(ws), None)),
    Req(
        "PATCH", "analytics-scheduled-report-detail", lambda ws: (_scheduled_report(ws), {"name": "Renamed"})
    ),
    Req("DELETE", "analytics-scheduled-report-detail", lambda ws: (_scheduled_report(ws), None)),
]


def _received_grant(agency: Organization) -> AgencyGrantFactory:
    return AgencyGrantFactory(agency=agency, role_ceiling=Role.EDITOR)


def _assignment(agency: Organization) -> dict:
    grant = _received_grant(agency)
    person = MembershipFactory(organization=agency).user
    member = WorkspaceMemberFactory(workspace=grant.workspace, user=person, grant=grant, role=Role.VIEWER)
    return {"grant_id": grant.pk, "member_id": member.pk}


def _new_assignment(agency: Organization):
    person = MembershipFactory(organization=agency).user
    return {"grant_id": _received_grant(agency).pk}, {"user": person.pk, "role": "viewer"}


# inbox: reading needs inbox.view, working an item inbox.reply, giving it to someone inbox.assign
def _inbox_item(workspace: Workspace) -> dict:
    from inbox.tests.factories import InboxItemFactory

    return {"item_id": InboxItemFactory(conversation__account__workspace=workspace).pk}


def _inbox_item_action(workspace: Workspace, platform_sim) -> tuple[dict, dict]:
    """A fan's Facebook comment on a simulator account, to hide (the action reaches the platform)."""
    from inbox.services.ingest import inbox_message_ingest
    from inbox.tests.factories import message
    from publishing.tests.pipeline_kit import sim_account

    account, _sim = sim_account(platform_sim, workspace, "facebook")
    fan = platform_sim.fan_writes(
        "facebook", account.external_id, kind="comment", text="Spam", author_id="9001", post_id="p1"
    )
    item = inbox_message_ingest(
        account=account, message=message(fan["id"], author="9001", kind="comment", thread="p1")
    ).item
    return {"item_id": item.pk}, {"action": "hide", "version": item.version}


def _inbox_fan(workspace: Workspace) -> dict:
    from inbox.tests.factories import InboxItemFactory

    return {"fan_id": InboxItemFactory(conversation__account__workspace=workspace).fan_id}


def _saved_reply(workspace: Workspace) -> dict:
    from inbox.models import SavedReply

    return {"saved_reply_id": SavedReply.objects.create(workspace=workspace, name="Hi", body="Hi {fan}").pk}


def _inbox_mastodon_item(workspace: Workspace) -> dict:
    from inbox.tests.factories import InboxItemFactory

    item = InboxItemFactory(
        conversation__account__workspace=workspace, conversation__account__platform="mastodon", kind="mention"
    )
    return {"item_id": item.pk}


def _inbox_assign_body(workspace: Workspace) -> dict:
    return {"assignee": WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user_id}


REQUESTS["inbox.view"] = [
    Req("GET", "inbox-item-list", _nothing),
    Req("GET", "inbox-item-detail", lambda ws: (_inbox_item(ws), None)),
    Req("GET", "inbox-item-notes", lambda ws: (_inbox_item(ws), None)),
    Req("GET", "inbox-fan-detail", lambda ws: (_inbox_fan(ws), None)),
]
REQUESTS["inbox.reply"] = [
    Req("PATCH", "inbox-item-detail", lambda ws: (_inbox_item(ws), {"version": 1, "status": "pending"})),
    Req("POST", "inbox-item-notes", lambda ws: (_inbox_item(ws), {"body": "Call them back"})),
    Req("POST", "inbox-items-close", lambda ws: ({}, {"items": list(_inbox_item(ws).values())})),
    Req("POST", "inbox-item-action", _inbox_item_action, sim=True),
]
REQUESTS["inbox.assign"] = [
    Req("POST", "inbox-item-assign", lambda ws: (_inbox_item(ws), _inbox_assign_body(ws))),
    Req("POST", "inbox-saved-reply-list", lambda ws: ({}, {"name": "Shipping", "body": "Hi {fan}"})),
    Req("PATCH", "inbox-saved-reply-detail", lambda ws: (_saved_reply(ws), {"body": "Hello {fan}"})),
    Req("DELETE", "inbox-saved-reply-detail", lambda ws: (_saved_reply(ws), None)),
]


def _inbox_rule(workspace: Workspace) -> dict:
    from inbox.models import InboxRule

    return {"rule_id": InboxRule.objects.create(workspace=workspace, name="r", add_tags=["t"]).pk}


REQUESTS["inbox.assign"] += [
    Req(
        "POST",
        "inbox-rule-list",
        lambda ws: ({}, {"name": "Shipping", "keywords": ["发货"], "add_tags": ["物流"]}),
    ),
    Req("PATCH", "inbox-rule-detail", lambda ws: (_inbox_rule(ws), {"add_tags": ["物流", "急"]})),
    Req("DELETE", "inbox-rule-detail", lambda ws: (_inbox_rule(ws), None)),
    Req("POST", "inbox-rule-order", lambda ws: ({}, {"rules": list(_inbox_rule(ws).values())})),
]


def _awaiting_reply(workspace: Workspace) -> dict:
    from inbox.models import InboxReply
    from inbox.tests.factories import InboxItemFactory

    item = InboxItemFactory(conversation__account__workspace=workspace)
    reply = InboxReply.objects.create(workspace=workspace, item=item, text="谢谢", status="awaiting")
    return {"item_id": item.pk, "reply_id": reply.pk}


# Approving a reply checks the text again: a Mastodon mention has no reply window.
def _awaiting_mastodon_reply(workspace: Workspace) -> dict:
    from inbox.models import InboxReply
    from inbox.tests.factories import InboxItemFactory

    item = InboxItemFactory(
        conversation__account__workspace=workspace, conversation__account__platform="mastodon", kind="mention"
    )
    reply = InboxReply.objects.create(workspace=workspace, item=item, text="Thanks!", status="awaiting")
    return {"item_id": item.pk, "reply_id": reply.pk}


def _wechat_account(workspace: Workspace) -> dict:
    from channels_app.tests.factories import SocialAccountFactory

    return {"account_id": SocialAccountFactory(workspace=workspace, platform="wechat_oa").pk}


REQUESTS["account.connect"] += [
    Req("GET", "inbox-wechat-push-key", lambda ws: (_wechat_account(ws), None)),
    Req("POST", "inbox-wechat-push-key", lambda ws: (_wechat_account(ws), None)),
]


def _bulk_assign(workspace: Workspace) -> dict:
    return {"items": list(_inbox_item(workspace).values()), **_inbox_assign_body(workspace)}


REQUESTS["inbox.assign"] += [Req("POST", "inbox-items-assign", lambda ws: ({}, _bulk_assign(ws)))]
REQUESTS["approval.decide"] += [
    Req("POST", "inbox-reply-approve", lambda ws: (_awaiting_mastodon_reply(ws), None)),
    Req("POST", "inbox-reply-reject", lambda ws: (_awaiting_reply(ws), {"note": "语气不对"})),
]
REQUESTS["inbox.view"] += [
    Req("GET", "inbox-view-list", _nothing),
    Req("POST", "inbox-view-list", lambda ws: ({}, {"name": "差评", "query": "sentiment=negative"})),
    Req("GET", "inbox-rule-list", _nothing),
    Req("GET", "inbox-rule-detail", lambda ws: (_inbox_rule(ws), None)),
    Req("POST", "inbox-rule-test", lambda ws: ({}, {"text": "什么时候发货"})),
]
REQUESTS["inbox.view"] += [
    Req("GET", "inbox-settings", _nothing),
    Req("GET", "inbox-saved-reply-list", _nothing),
    Req("GET", "inbox-saved-reply-detail", lambda ws: (_saved_reply(ws), None)),
]
REQUESTS["workspace.manage"] += [
    Req("PATCH", "inbox-settings", lambda ws: ({}, {"first_response_minutes": 30})),
]
# A reply to a Mastodon mention (a platform the inbox answers on, no reply window): queued, 201; its
# sending is queued on commit, which the test's transaction never reaches.
REQUESTS["inbox.reply"] += [
    Req("POST", "inbox-item-reply", lambda ws: (_inbox_mastodon_item(ws), {"text": "Thanks!", "version": 1})),
]


# Organization capabilities -> requests that need them (the organization is an agency with grants).
ORG_REQUESTS: dict[str, list[Req]] = {
    "organization.view": [
        Req("GET", "api-organization", _nothing),
        Req("GET", "api-organization-members", _nothing),
        Req("GET", "api-received-grants", _nothing),
    ],
    "organization.manage": [
        Req("PATCH", "api-organization", lambda org: ({}, {"name": "Renamed"})),
        Req("GET", "api-grant-assignments", lambda org: ({"grant_id": _received_grant(org).pk}, None)),
        Req("POST", "api-grant-assignments", _new_assignment),
        Req("DELETE", "api-grant-assignment", lambda org: (_assignment(org), None)),
    ],
}


def required_capabilities(scope_kwarg: str) -> dict[str, set[str]]:
    """capability -> the endpoints ("METHOD route") that require it, for routes with this scope."""
    used: dict[str, set[str]] = {}
    for route in api_routes():
        if route.scope_kwarg != scope_kwarg:
            continue
        for method, capability in (route.required_capabilities() or {}).items():
            if capability:
                used.setdefault(capability, set()).add(f"{method} {route}")
    return used


def test_every_required_capability_has_a_request():
    used = required_capabilities("workspace_id")
    missing = {cap: sorted(endpoints) for cap, endpoints in used.items() if cap not in REQUESTS}
    assert not missing, (
        f"add a request for these capabilities to REQUESTS in tests/test_role_matrix.py: {missing}"
    )
    assert set(used) <= ALL_CAPABILITIES
    org_used = required_capabilities("organization_id")
    org_missing = sorted(set(org_used) - set(ORG_REQUESTS))
    assert not org_missing, f"add a request for {org_missing} to ORG_REQUESTS in tests/test_role_matrix.py"


def _send(user, req: Req, scope_kwarg: str, scope, platform_sim=None):
    """Make the request as `user`; returns the response and the capability the view declares for it."""
    kwargs, body = req.build(scope, platform_sim) if req.sim else req.build(scope)
    path = reverse(req.route_name, kwargs={scope_kwarg: scope.pk, **kwargs})
    declared = resolve(path).func.cls.required_capabilities[req.method]
    client = APIClient()
    client.force_authenticate(user)
    response = client.generic(req.method, path, data=json.dumps(body or {}), content_type="application/json")
    return response, declared


# budgets and objectives (their builders live in tests/role_requests_budgets.py); added before the cases
# are built, so the matrix below covers them
add_budget_requests(REQUESTS, Req, _nothing)

WORKSPACE_CASES = [
    pytest.param(role, capability, req, id=f"{role}-{capability}-{req}")
    for role in Role.values
    for capability, reqs in REQUESTS.items()
    for req in reqs
]


@pytest.mark.parametrize(("role", "capability", "req"), WORKSPACE_CASES)
def test_workspace_role_matrix(role, capability, req, request):
    # given: a workspace with an admin (so "last admin" rules never interfere) and a person in `role`
    workspace = WorkspaceFactory()
    WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN)
    person = WorkspaceMemberFactory(workspace=workspace, role=role).user
    # when
    sim = request.getfixturevalue("platform_sim") if req.sim else None
    response, declared = _send(person, req, "workspace_id", workspace, sim)
    # then
    expected = SERVICE_DECIDES.get(req.route_name, capability)
    assert declared == expected, f"{req} requires {declared}, not {expected}: fix the table"
    if role_has(role, capability):
        assert 200 <= response.status_code < 300, (
            role,
            str(req),
            response.status_code,
            response.content[:300],
        )
    else:
        assert response.status_code == 403, (role, str(req), response.status_code)
        assert response.json()["error"]["code"] == "permission_denied"


ORG_CASES = [
    pytest.param(org_role, capability, req, id=f"{org_role}-{capability}-{req}")
    for org_role in OrgRole.values
    for capability, reqs in ORG_REQUESTS.items()
    for req in reqs
]


@pytest.mark.parametrize(("org_role", "capability", "req"), ORG_CASES)
def test_organization_role_matrix(org_role, capability, req):
    # given
    agency = AgencyFactory()
    person = MembershipFactory(organization=agency, role=org_role).user
    # when
    response, declared = _send(person, req, "organization_id", agency)
    # then
    assert declared == capability, f"{req} requires {declared}, not {capability}: fix the table"
    if capability in ORG_CAPABILITIES[org_role]:
        assert 200 <= response.status_code < 300, (
            org_role,
            str(req),
            response.status_code,
            response.content[:300],
        )
    else:
        assert response.status_code == 403, (org_role, str(req), response.status_code)

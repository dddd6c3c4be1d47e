"""The one place that maps roles to capabilities.

Views and services ask for a capability (`post.schedule`), never for a role name. A role ceiling (for an
agency grant) is satisfied when the role's capabilities are a subset of the ceiling's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")


class OrgRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class Capability:
    """Capability names, as constants so typos fail at import time."""

    WORKSPACE_VIEW = "workspace.view"
    WORKSPACE_MANAGE = "workspace.manage"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    AGENCY_MANAGE = "agency.manage"
    AUDIT_VIEW = "audit.view"
    ACCOUNT_VIEW = "account.view"
    ACCOUNT_CONNECT = "account.connect"
    POST_VIEW = "post.view"
    POST_CREATE = "post.create"
    POST_EDIT = "post.edit"
    POST_COMMENT = "post.comment"
    POST_SCHEDULE = "post.schedule"
    POST_PUBLISH_NOW = "post.publish_now"
    POST_PUBLISH_WITHOUT_APPROVAL = "post.publish_without_approval"
    MEDIA_UPLOAD = "media.upload"
    APPROVAL_DECIDE = "approval.decide"
    APPROVAL_MANAGE = "approval.manage"
    ANALYTICS_VIEW = "analytics.view"
    ANALYTICS_EXPORT = "analytics.export"
    COMPETITOR_VIEW = "competitor.view"
    COMPETITOR_MANAGE = "competitor.manage"
    BUDGET_VIEW = "budget.view"
    BUDGET_EDIT = "budget.edit"
    BUDGET_APPROVE = "budget.approve"
    OBJECTIVE_EDIT = "objective.edit"
    INBOX_VIEW = "inbox.view"
    INBOX_REPLY = "inbox.reply"
    INBOX_ASSIGN = "inbox.assign"


C = Capability

_VIEWER = {C.WORKSPACE_VIEW, C.MEMBER_VIEW, C.ACCOUNT_VIEW, C.POST_VIEW}
_ANALYST = _VIEWER | {
    C.ANALYTICS_VIEW,
    C.ANALYTICS_EXPORT,
    C.COMPETITOR_VIEW,
    C.BUDGET_VIEW,
}
_REVIEWER = _VIEWER | {C.POST_COMMENT, C.APPROVAL_DECIDE}
_EDITOR = _VIEWER | {
    C.POST_CREATE,
    C.POST_EDIT,
    C.POST_COMMENT,
    C.MEDIA_UPLOAD,
    C.INBOX_VIEW,
    C.INBOX_REPLY,
    C.ANALYTICS_VIEW,
    C.COMPETITOR_VIEW,
}
_MANAGER = (
    _EDITOR
    | _REVIEWER
    | _ANALYST
    | {
        C.POST_SCHEDULE,
        C.POST_PUBLISH_NOW,
        C.ACCOUNT_CONNECT,
        C.COMPETITOR_MANAGE,
        C.BUDGET_EDIT,
        C.BUDGET_APPROVE,
        C.OBJECTIVE_EDIT,
        C.INBOX_ASSIGN,
    }
)
_ADMIN = _MANAGER | {
    C.WORKSPACE_MANAGE,
    C.MEMBER_MANAGE,
    C.AGENCY_MANAGE,
    C.AUDIT_VIEW,
    C.APPROVAL_MANAGE,
    C.POST_PUBLISH_WITHOUT_APPROVAL,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(_ADMIN),
    Role.MANAGER: frozenset(_MANAGER),
    Role.EDITOR: frozenset(_EDITOR),
    Role.REVIEWER: frozenset(_REVIEWER),
    Role.ANALYST: frozenset(_ANALYST),
    Role.VIEWER: frozenset(_VIEWER),
}

# What an organization role may do on the organization's own pages (core.api's organization views).
ORG_CAPABILITIES: dict[str, frozenset[str]] = {
    OrgRole.OWNER: frozenset({"organization.view", "organization.manage"}),
    OrgRole.ADMIN: frozenset({"organization.view", "organization.manage"}),
    OrgRole.MEMBER: frozenset({"organization.view"}),
}

ALL_CAPABILITIES: frozenset[str] = frozenset(
    value for name, value in vars(Capability).items() if name.isupper()
)


def capabilities_for(role: str, ceiling: str | None = None) -> frozenset[str]:
    caps = ROLE_CAPABILITIES.get(role, frozenset())
    if ceiling is not None:
        caps = caps & ROLE_CAPABILITIES.get(ceiling, frozenset())
    return caps


def role_within_ceiling(role: str, ceiling: str) -> bool:
    return ROLE_CAPABILITIES[role] <= ROLE_CAPABILITIES[ceiling]


def role_has(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())

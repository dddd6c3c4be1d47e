"""What every dashboard page needs around its content: navigation, workspace switcher, agency links.

Workspace pages set `request.workspace_access` (core.views.WorkspaceViewMixin). Pages outside a
workspace (profile, tokens, agency home, allauth pages) show the navigation of the workspace the person
used last, so the sidebar never disappears under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Capability as C
from accounts.selectors import workspace_access_for, workspaces_for_user
from core.views import LAST_WORKSPACE_SESSION_KEY

from .selectors import agency_organizations_administered_by, organizations_administered_by


@dataclass(frozen=True)
class Section:
    key: str  # the URL name is dashboard:<key>, with args [workspace_id]
    label: Promise
    capability: str
    icon: str
    description: Promise


# The product's sections, in navigation order. Later issues fill each page.
SECTIONS = [
    Section(
        "calendar",
        _("Calendar"),
        C.POST_VIEW,
        "calendar",
        _("Plan posts for every account on one calendar, with per-channel variants."),
    ),
    Section(
        "media",
        _("Media library"),
        C.POST_VIEW,
        "image",
        _("Every image and video of the workspace, with alt text, ready for any post."),
    ),
    Section(
        "approvals",
        _("Approvals"),
        C.POST_VIEW,
        "check",
        _("Route drafts through legal, product, HQ and client review before anything is published."),
    ),
    Section(
        "accounts",
        _("Accounts"),
        C.ACCOUNT_VIEW,
        "link",
        _("Connect and monitor your social accounts across Chinese and global platforms."),
    ),
    Section(
        "analytics",
        _("Analytics"),
        C.ANALYTICS_VIEW,
        "chart",
        _("Track followers, engagement and objectives, normalised across platforms."),
    ),
    Section(
        "objectives",
        _("Objectives"),
        C.ANALYTICS_VIEW,
        "flag",
        _("Set measurable goals per period and watch their progress and pace from stored figures."),
    ),
    Section(
        "competitors",
        _("Competitors"),
        C.COMPETITOR_VIEW,
        "target",
        _("Benchmark your brand against competitors: growth, frequency, share of voice."),
    ),
    Section(
        "budgets",
        _("Budgets"),
        C.BUDGET_VIEW,
        "wallet",
        _("Plan budgets by campaign and channel, record spend and watch the burn-down."),
    ),
    Section(
        "inbox",
        _("Inbox"),
        C.INBOX_VIEW,
        "inbox",
        _("Answer comments and messages from every account in one queue."),
    ),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}

# The Settings group: (URL name, label, capability, icon).
SETTINGS_LINKS = [
    # Who works here.
    ("dashboard:members", _("Members & roles"), C.MEMBER_VIEW, "users"),
    ("dashboard:agencies", _("Agency access"), C.AGENCY_MANAGE, "briefcase"),
    # How posts are planned, checked and approved (content's and approvals' settings pages); readable by
    # anyone who sees posts, changed by managers (campaigns, queue times) or admins (the rest).
    ("dashboard:approval_workflows", _("Approval workflows"), C.POST_VIEW, "check"),
    ("content:campaigns", _("Campaigns"), C.POST_VIEW, "flag"),
    ("content:tag_groups", _("Tags"), C.POST_VIEW, "tag"),
    ("content:banned_words", _("Banned words & compliance"), C.POST_VIEW, "shield"),
    ("content:posting_slots", _("Posting slots"), C.POST_VIEW, "clock"),
    # Connections out and the workspace itself.
    ("publishing:webhooks", _("Webhooks"), C.WORKSPACE_MANAGE, "link"),
    ("analytics:settings", _("Analytics settings"), C.WORKSPACE_MANAGE, "chart"),
    ("inbox:settings", _("Inbox settings"), C.WORKSPACE_MANAGE, "inbox"),
    ("dashboard:workspace_settings", _("Workspace settings"), C.WORKSPACE_MANAGE, "cog"),
    ("dashboard:audit", _("Audit log"), C.AUDIT_VIEW, "list"),
]


def _current_access(request):
    access = getattr(request, "workspace_access", None)
    if access is not None:
        return access
    workspace_id = request.session.get(LAST_WORKSPACE_SESSION_KEY) if hasattr(request, "session") else None
    if workspace_id is None:
        return None
    return workspace_access_for(user=request.user, workspace_id=workspace_id)


def _nav_item(url_name, label, icon, workspace_id, path):
    url = reverse(url_name, args=[workspace_id])
    return {"label": label, "icon": icon, "url": url, "active": path.startswith(url)}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = _current_access(request)
    context = {
        "workspace_groups": [
            {"organization": organization, "workspaces": list(workspaces)}
            for organization, workspaces in groupby(
                workspaces_for_user(user=user), key=lambda workspace: workspace.organization
            )
        ],
        "agency_organizations": agency_organizations_administered_by(user=user),
        "administered_organizations": organizations_administered_by(user=user),
        "current_workspace": access.workspace if access is not None else None,
        "current_access": access,
    }
    if access is None:
        return context
    workspace_id, path = access.workspace.pk, request.path
    home_url = reverse("dashboard:workspace_home", args=[workspace_id])
    context["nav_home"] = {
        "label": _("Overview"),
        "icon": "home",
        "url": home_url,
        "active": path == home_url,
    }
    context["nav_sections"] = [
        _nav_item(f"dashboard:{section.key}", section.label, section.icon, workspace_id, path)
        for section in SECTIONS
        if access.can(section.capability)
    ]
    context["nav_settings"] = [
        _nav_item(url_name, label, icon, workspace_id, path)
        for url_name, label, capability, icon in SETTINGS_LINKS
        if access.can(capability)
    ]
    return context

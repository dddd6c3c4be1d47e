"""Reads of the account matrix. Every selector takes the workspace (or organization) first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organization, Workspace, WorkspaceMember

from .models import AccountGroup, SocialAccount
from .services import EXPIRING_WITHIN, effective_expiry


def social_accounts_with_relations(queryset: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return queryset.select_related("responsible__user").prefetch_related(
        Prefetch("groups", queryset=AccountGroup.objects.order_by("name", "id"))
    )


def social_accounts_filter(
    queryset: QuerySet[SocialAccount],
    *,
    platform: str = "",
    group_id=None,
    status: str = "",
    tag: str = "",
) -> QuerySet[SocialAccount]:
    """Apply the matrix's filters. `status` also accepts "disconnected"."""
    if platform:
        queryset = queryset.filter(platform=platform)
    if group_id not in (None, ""):
        try:
            queryset = queryset.filter(groups__pk=int(group_id))
        except (TypeError, ValueError):
            queryset = queryset.none()
    if status == "disconnected":
        queryset = queryset.filter(disconnected_at__isnull=False)
    elif status:
        queryset = queryset.filter(status=status, disconnected_at__isnull=True)
    if tag:
        # `tag_index` is "|a|b|": a portable exact-tag match (SQLite has no JSON containment).
        queryset = queryset.filter(tag_index__contains=f"|{tag.strip()}|")
    return queryset


def social_accounts_for_workspace(
    workspace: Workspace, *, platform: str = "", group_id=None, status: str = "", tag: str = ""
) -> QuerySet[SocialAccount]:
    queryset = SocialAccount.objects.filter(workspace=workspace)
    return social_accounts_with_relations(
        social_accounts_filter(queryset, platform=platform, group_id=group_id, status=status, tag=tag)
    )


def social_account_get(workspace: Workspace, account_id) -> SocialAccount | None:
    """One account of this workspace, or None (callers answer 404)."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        return None
    return social_accounts_with_relations(
        SocialAccount.objects.filter(workspace=workspace, pk=account_id)
    ).first()


def social_accounts_for_organization(
    organization: Organization, *, platform: str = "", status: str = "", tag: str = ""
) -> QuerySet[SocialAccount]:
    queryset = SocialAccount.objects.filter(workspace__organization=organization)
    return (
        social_accounts_with_relations(
            social_accounts_filter(queryset, platform=platform, status=status, tag=tag)
        )
        .select_related("workspace")
        .order_by("workspace__name", "platform", "handle", "id")
    )


def account_groups_for_workspace(workspace: Workspace) -> QuerySet[AccountGroup]:
    return AccountGroup.objects.filter(workspace=workspace).order_by("name", "id")


def account_group_get(workspace: Workspace, group_id) -> AccountGroup | None:
    try:
        group_id = int(group_id)
    except (TypeError, ValueError):
        return None
    return AccountGroup.objects.filter(workspace=workspace, pk=group_id).first()


def workspace_tags(workspace: Workspace) -> list[str]:
    """Every tag used on the workspace's accounts, sorted (for the filter menu)."""
    tags: set[str] = set()
    for row in SocialAccount.objects.filter(workspace=workspace).values_list("tags", flat=True):
        tags.update(str(tag) for tag in row or [])
    return sorted(tags, key=str.lower)


def workspace_members_for_choice(workspace: Workspace) -> QuerySet[WorkspaceMember]:
    return WorkspaceMember.objects.filter(workspace=workspace).select_related("user").order_by("user__email")


# --- health, for people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountHealth:
    kind: str  # "ok", "expiring", "expired", "revoked", "error", "disconnected", "assisted"
    label: str
    expires_at: datetime | None = None
    days_left: int | None = None
    needs_reconnect: bool = False


def social_account_health(account: SocialAccount, now: datetime | None = None) -> AccountHealth:
    """What the matrix shows next to the status badge: "expires in 3 days", "expired", "error: ..."."""
    now = now or timezone.now()
    S = SocialAccount.Status
    if account.disconnected_at is not None:
        return AccountHealth("disconnected", _("disconnected"), needs_reconnect=True)
    if account.status == S.REVOKED:
        message = account.status_message or _("access was revoked on the platform")
        return AccountHealth(
            "revoked", _("revoked: %(message)s") % {"message": message}, needs_reconnect=True
        )
    if account.status == S.ERROR:
        message = account.status_message or _("unknown")
        return AccountHealth("error", _("error: %(message)s") % {"message": message}, needs_reconnect=True)
    end = effective_expiry(account)
    if account.status == S.EXPIRED or (end is not None and end <= now):
        label = _("expired")
        if account.status_message:
            label = _("expired: %(message)s") % {"message": account.status_message}
        return AccountHealth("expired", label, expires_at=end, days_left=0, needs_reconnect=True)
    if account.assisted:
        return AccountHealth("assisted", _("assisted publishing"))
    if end is None:
        if account.has_refresh_token:
            return AccountHealth("ok", _("renews automatically"))
        return AccountHealth("ok", _("healthy"))
    days = max(0, (end - now).days)
    if days == 0:
        label = _("expires today")
    else:
        label = ngettext("expires in %(days)d day", "expires in %(days)d days", days) % {"days": days}
    kind = "expiring" if account.status == S.EXPIRING or end - now <= EXPIRING_WITHIN else "ok"
    return AccountHealth(kind, label, expires_at=end, days_left=days, needs_reconnect=kind == "expiring")


def social_accounts_needing_reconnection(
    workspace: Workspace, *, now: datetime | None = None, limit: int = 50
) -> list[tuple[SocialAccount, AccountHealth]]:
    """The workspace's accounts a person must reconnect (disconnected, revoked, in error, expired, or
    expiring within EXPIRING_WITHIN), with their health, soonest end first. One query: the database
    narrows to the candidates, social_account_health decides (the same rule as the account matrix)."""
    now = now or timezone.now()
    soon = now + EXPIRING_WITHIN
    S = SocialAccount.Status
    candidates = SocialAccount.objects.filter(workspace=workspace).filter(
        Q(disconnected_at__isnull=False)
        | Q(status__in=[S.EXPIRING, S.EXPIRED, S.REVOKED, S.ERROR])
        | Q(token_expires_at__lte=soon)
        | Q(refresh_expires_at__lte=soon)
    )
    rows = []
    for account in candidates.order_by("platform", "handle", "id")[: limit * 2]:
        health = social_account_health(account, now)
        if health.needs_reconnect:
            rows.append((account, health))
    # ended or broken first, then the soonest to expire
    rows.sort(key=lambda row: (row[1].kind == "expiring", row[1].expires_at or now))
    return rows[:limit]

"""Demo data for the account matrix (called by the lead's `seed_demo` command).

`seed_demo_accounts(workspace, sim)` creates one account per platform for `workspace`:

- With a running simulator (`sim` is a platform_sim SimClient), each account is created on the simulator
  and its real simulated tokens are stored through the vault, so refreshing, publishing and health checks
  work against the simulator exactly as they would against the platform.
- Without a simulator (`sim` is None), the rows are created with plausible health data (one expiring,
  one expired, one revoked, the rest connected) but NO credentials at all: nothing pretends to work. Those
  accounts show their status on the matrix; publishing to them fails until someone reconnects them.

Assisted platforms (Xiaohongshu, WeChat Channels) never have credentials; their responsible person is the
workspace's first admin. Running it twice updates the same rows (unique per workspace/platform/id).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace, WorkspaceMember
from accounts.roles import Role

from . import vault
from .connectors.base import Credentials
from .models import PLATFORM_LABELS, AccountGroup, Platform, SocialAccount
from .services import platform_auth_kind, tag_index_for

DEMO_HANDLES = {
    "wechat_oa": ("lumiere_official", "Lumière 莱梦官方"),
    "weibo": ("lumiere_cn", "Lumière 莱梦微博"),
    "douyin": ("lumiere.cn", "Lumière 莱梦抖音号"),
    "bilibili": ("lumiere_bili", "Lumière 莱梦"),
    "kuaishou": ("lumiere_ks", "Lumière 莱梦快手"),
    "xiaohongshu": ("lumiere_red", "Lumière 莱梦小红书"),
    "wechat_channels": ("lumiere_channels", "Lumière 莱梦视频号"),
    "x": ("LumiereBeauty", "Lumière"),
    "facebook": ("lumierebeauty", "Lumière Cosmetics"),
    "instagram": ("lumiere.beauty", "Lumière"),
    "linkedin": ("lumiere-cosmetics", "Lumière Cosmetics S.A."),
    "tiktok": ("lumiere.beauty", "Lumière"),
    "youtube": ("LumiereBeauty", "Lumière Cosmetics"),
    "mastodon": ("lumiere@mastodon.social", "Lumière"),
    "bluesky": ("lumiere.bsky.social", "Lumière"),
}
# The key under which a platform's connector reads the account's id from its credentials, as the real
# connect flow stores it (the Douyin connector refuses to publish without `open_id`).
CREDENTIAL_ID_KEYS = {"douyin": "open_id", "kuaishou": "open_id", "tiktok": "open_id", "bilibili": "openid"}
CHINESE = {"wechat_oa", "weibo", "douyin", "bilibili", "kuaishou", "xiaohongshu", "wechat_channels"}
# Without a simulator: how each demo row looks (days until the token ends, status, platform message).
FAKE_HEALTH = {
    "douyin": (4, SocialAccount.Status.EXPIRING, ""),
    "linkedin": (-2, SocialAccount.Status.EXPIRED, "The token used in the request has expired"),
    "tiktok": (
        None,
        SocialAccount.Status.REVOKED,
        "access_token_invalid: the user revoked the authorization",
    ),
}


def _demo_groups(workspace: Workspace) -> dict[str, AccountGroup]:
    china, _ = AccountGroup.objects.get_or_create(
        workspace=workspace,
        name="Mainland China",
        defaults={"description": "Accounts run by the Shanghai team"},
    )
    global_, _ = AccountGroup.objects.get_or_create(
        workspace=workspace, name="Global", defaults={"description": "Accounts run by the Singapore team"}
    )
    return {"china": china, "global": global_}


def _dt(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value else None


def seed_demo_accounts(workspace: Workspace, sim=None) -> list[SocialAccount]:
    """One account per platform for `workspace`; see the module docstring. Returns the accounts."""
    now = timezone.now()
    responsible = (
        WorkspaceMember.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("id").first()
        or WorkspaceMember.objects.filter(workspace=workspace).order_by("id").first()
    )
    groups = _demo_groups(workspace)
    accounts = []
    for platform in Platform.values:
        handle, display_name = DEMO_HANDLES.get(platform, (f"lumiere_{platform}", "Lumière"))
        assisted = platform_auth_kind(platform) == "assisted" or platform in (
            "xiaohongshu",
            "wechat_channels",
        )
        credentials = None
        external_id = f"demo-{platform}-{workspace.pk}"
        status, message = SocialAccount.Status.CONNECTED, ""
        token_expires_at = refresh_expires_at = None
        created = None
        if not assisted and sim is not None:
            try:
                # Seeding again re-creates the same simulated account (fresh tokens), keeping one row.
                previous = (
                    SocialAccount.objects.filter(workspace=workspace, platform=platform, handle=handle)
                    .exclude(external_id__startswith="demo-")
                    .values_list("external_id", flat=True)
                    .first()
                )
                created = sim.create_account(
                    platform, handle=f"{handle}_{workspace.pk}", external_id=previous or "", followers=12800
                )
            except httpx.HTTPError:
                created = None  # the simulator does not speak this platform (yet): a row without credentials
        if assisted:
            external_id = handle.lower()
        elif created is not None:
            external_id = created.external_id
            extra = {"uid": created.external_id}
            if platform in CREDENTIAL_ID_KEYS:
                extra[CREDENTIAL_ID_KEYS[platform]] = created.external_id
            if created.app_id:
                extra.update(appid=created.app_id, secret=created.app_secret)
            credentials = Credentials(
                access_token=created.access_token,
                refresh_token=created.refresh_token,
                expires_at=_dt(created.expires_at),
                refresh_expires_at=_dt(created.refresh_expires_at),
                extra=extra,
            )
            token_expires_at, refresh_expires_at = credentials.expires_at, credentials.refresh_expires_at
        else:
            days, status, message = FAKE_HEALTH.get(platform, (45, SocialAccount.Status.CONNECTED, ""))
            token_expires_at = now + timedelta(days=days) if days is not None else None
        tags = ["flagship", "mainland" if platform in CHINESE else "global"]
        with transaction.atomic():
            account, _created = SocialAccount.objects.update_or_create(
                workspace=workspace,
                platform=platform,
                external_id=external_id,
                defaults={
                    "handle": handle,
                    "display_name": display_name or str(PLATFORM_LABELS.get(platform, platform)),
                    "status": status,
                    "status_message": message,
                    "assisted": assisted,
                    "token_expires_at": token_expires_at,
                    "refresh_expires_at": refresh_expires_at,
                    "has_refresh_token": bool(credentials and credentials.refresh_token),
                    "last_refreshed_at": now if credentials else None,
                    "last_health_check_at": now,
                    "connected_at": now - timedelta(days=30),
                    "responsible": responsible,
                    "tags": tags,
                    "tag_index": tag_index_for(tags),
                    "disconnected_at": None,
                },
            )
            account.groups.set([groups["china" if platform in CHINESE else "global"]])
            if credentials is not None:
                vault.credentials_write(account, credentials)
            else:
                vault.credentials_wipe(account)
        accounts.append(account)
    return accounts

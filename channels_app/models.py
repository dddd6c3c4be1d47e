"""The account matrix: social accounts, account groups, encrypted credentials and OAuth connect states.

Secrets never sit in a plain column: `AccountCredential.ciphertext` holds a Fernet token of the whole
`Credentials` (channels_app.vault), and `OAuthConnectState` keeps only a hash of its nonce and an
encrypted PKCE verifier. Status changes happen in channels_app.services only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, WorkspaceScopedModel

PLATFORM_LABELS = {
    "wechat_oa": _("WeChat Official Account"),
    "weibo": _("Weibo"),
    "douyin": _("Douyin"),
    "bilibili": _("Bilibili"),
    "kuaishou": _("Kuaishou"),
    "xiaohongshu": _("Xiaohongshu"),
    "wechat_channels": _("WeChat Channels"),
    "x": _("X"),
    "facebook": _("Facebook"),
    "instagram": _("Instagram"),
    "linkedin": _("LinkedIn"),
    "tiktok": _("TikTok"),
    "youtube": _("YouTube"),
    "mastodon": _("Mastodon"),
    "bluesky": _("Bluesky"),
}

Platform = models.TextChoices(
    "Platform", [(key.upper(), (key, PLATFORM_LABELS.get(key, key))) for key in settings.PLATFORM_KEYS]
)


class AccountGroup(WorkspaceScopedModel):
    """A named set of accounts inside a workspace (a region, a product line, a sub-brand)."""

    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_account_group_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SocialAccount(WorkspaceScopedModel):
    """One account on one platform, connected to one workspace.

    Disconnecting keeps the row (and its posts' history): credentials are wiped, status becomes revoked
    and `disconnected_at` is set. Connecting the same platform account again reuses the row.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        EXPIRING = "expiring", _("Expiring")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        ERROR = "error", _("Error")

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("external id"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONNECTED)
    # What the platform said when something went wrong (never a token).
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    # Whether the encrypted credentials hold a refresh token; lets health checks avoid decrypting.
    has_refresh_token = models.BooleanField(default=False)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_health_check_at = models.DateTimeField(null=True, blank=True)
    # Assisted platforms (Xiaohongshu, WeChat Channels) have no credentials at all.
    assisted = models.BooleanField(default=False)
    responsible = models.ForeignKey(
        "accounts.WorkspaceMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for_accounts",
        verbose_name=_("responsible person"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # What the platform says about the account that changes what it may do. WeChat: "service_type"
    # ("subscription" or "service": the mass-send quota) and "verified" (previews, mass sends).
    platform_details = models.JSONField(_("platform details"), default=dict, blank=True)
    # "|tag one|tag two|", kept in step with `tags` by the services: lets every database filter by tag.
    tag_index = models.TextField(blank=True, default="", editable=False)
    groups = models.ManyToManyField(AccountGroup, blank=True, related_name="accounts")
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "handle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_id"], name="uniq_social_account_external"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "token_expires_at"], name="social_account_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} @{self.handle}"

    @property
    def is_disconnected(self) -> bool:
        return self.disconnected_at is not None

    @property
    def is_healthy(self) -> bool:
        return self.disconnected_at is None and self.status in (self.Status.CONNECTED, self.Status.EXPIRING)


class AccountCredential(TimeStampedModel):
    """The account's `Credentials`, encrypted as one Fernet token. Read and write through the vault."""

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, primary_key=True, related_name="credential"
    )
    ciphertext = models.TextField()

    def __str__(self) -> str:
        return f"credentials of account {self.account_id}"


class OAuthConnectState(TimeStampedModel):
    """One OAuth authorization in progress: bound to a person, a workspace and (if any) a session.

    The signed `state` sent to the platform carries a random nonce; only its SHA-256 is stored. A state is
    used once (`used_at`, set by a conditional UPDATE) and expires after a few minutes.
    """

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    nonce_hash = models.CharField(max_length=64, unique=True)
    session_key_hash = models.CharField(max_length=64, blank=True)
    code_verifier_ciphertext = models.TextField(blank=True)
    redirect_uri = models.URLField(max_length=500)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["expires_at"], name="oauth_state_expiry", condition=Q(used_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"connect {self.platform} for workspace {self.workspace_id}"

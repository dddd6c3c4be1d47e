"""Every write to the account matrix: connect flows, disconnect, refresh, health, groups, tags.

Promises:
- Tokens exist in plain text only in memory, for one platform call; at rest they are Fernet tokens
  (channels_app.vault). They are never logged, audited or returned.
- An OAuth `state` is signed, bound to the person, the workspace and the browser session that started
  it, expires after CONNECT_STATE_TTL and is used once (a conditional UPDATE claims it).
- A refresh never replaces a stored refresh token with an empty one (vault.merge_token_set), and
  concurrent refreshes of one account make one platform call: the row is locked with SELECT ... FOR
  UPDATE and the need to refresh is re-checked after the lock is acquired.
- Disconnecting keeps the row and its history; connecting the same platform account again reuses it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, Workspace, WorkspaceMember
from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record, snapshot
from core.errors import PermissionRefused, ValidationFailed

from . import vault
from .connectors.base import AccountProfile, Connector, Credentials, TokenSet
from .connectors.errors import AuthExpired, ConnectorError, Rejected
from .groups import account_group_create, account_group_delete, account_group_update  # noqa: F401
from .models import AccountGroup, OAuthConnectState, Platform, SocialAccount

logger = logging.getLogger(__name__)

CONNECT_STATE_TTL = timedelta(minutes=10)
STATE_SALT = "channels_app.oauth_state"
EXPIRING_WITHIN = timedelta(days=7)
DEFAULT_REFRESH_WINDOW = timedelta(days=3)
# Refresh ahead of expiry: short-lived tokens close to expiry, long-lived ones days ahead. The window is
# also capped at a quarter of the token's observed lifetime, so a 48 h token is not refreshed every tick.
REFRESH_WINDOWS = {
    "x": timedelta(minutes=30),
    "wechat_oa": timedelta(minutes=30),
    "bluesky": timedelta(minutes=30),
    "kuaishou": timedelta(hours=12),
    "tiktok": timedelta(hours=6),
}
# Used only when a platform has no connector yet; a connector's Capabilities.auth always wins.
_FALLBACK_AUTH = {"xiaohongshu": "assisted", "wechat_channels": "assisted"}
OAUTH_KINDS = ("oauth2", "oauth2_pkce")
CREDENTIAL_FIELDS = {
    "app_credentials": ("appid", "secret"),
    "app_password": ("handle", "app_password"),
}
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
ACCOUNT_FIELDS = ["platform", "external_id", "handle", "status", "status_message", "disconnected_at"]


# --- connectors ----------------------------------------------------------------------------------------


def connector_for_platform(platform: str) -> Connector | None:
    """The platform's connector configured from settings, or None if the platform has none yet."""
    from .connectors import registry

    try:
        return registry.connector_for(platform)
    except LookupError:
        return None


def platform_auth_kind(platform: str) -> str:
    """ "oauth2", "oauth2_pkce", "app_credentials", "app_password", "assisted", or "" (unsupported)."""
    if platform not in Platform.values:
        return ""
    connector = connector_for_platform(platform)
    if connector is None:
        return _FALLBACK_AUTH.get(platform, "")
    return connector.capabilities.auth


def _require_connector(platform: str) -> Connector:
    connector = connector_for_platform(platform)
    if connector is None:
        raise ValidationFailed(
            _("Connecting %(platform)s accounts is not supported yet.") % {"platform": platform},
            field="platform",
            code="unsupported_platform",
        )
    return connector


def _platform_failure(
    exc: ConnectorError, *, field: str = "platform", platform: str = ""
) -> ValidationFailed:
    if exc.unreadable:  # an HTML page behind a 200, a truncated or empty answer: nothing to quote
        return ValidationFailed(
            _(
                "%(platform)s answered something we could not read, so the account was not connected. "
                "Try again in a few minutes."
            )
            % {"platform": platform},
            field=field,
            code="platform_unreadable",
        )
    message = exc.platform_message or str(exc)
    return ValidationFailed(
        _("The platform refused: %(message)s") % {"message": message[:300]},
        field=field,
        code="platform_refused",
    )


def _clean_platform(platform: str) -> str:
    if platform not in Platform.values:
        raise ValidationFailed(
            _("Unknown platform “%(platform)s”.") % {"platform": platform},
            field="platform",
            code="unknown_platform",
        )
    return platform


def _require_connect_capability(*, actor: User, workspace: Workspace) -> None:
    access = workspace_access_for(user=actor, workspace_id=workspace.pk)
    if access is None or not access.can(Capability.ACCOUNT_CONNECT):
        raise PermissionRefused(_("Your role does not allow connecting accounts."))


# --- storing a connection -------------------------------------------------------------------------------


def _store_connection(
    *,
    actor: User,
    workspace: Workspace,
    platform: str,
    profile: AccountProfile,
    credentials: Credentials | None,
    assisted: bool = False,
    responsible: WorkspaceMember | None = None,
) -> SocialAccount:
    """Create the account, or reconnect the existing row for the same platform account. Atomic."""
    now = timezone.now()
    with transaction.atomic():
        account, created = SocialAccount.objects.select_for_update().get_or_create(
            workspace=workspace,
            platform=platform,
            external_id=str(profile.external_id)[:200],
            defaults={"handle": profile.handle[:200]},
        )
        before = None if created else snapshot(account, ACCOUNT_FIELDS)
        account.handle = (profile.handle or account.handle)[:200]
        account.display_name = (profile.display_name or account.display_name)[:200]
        account.avatar_url = (profile.avatar_url or account.avatar_url)[:500]
        if profile.details:
            account.platform_details = {**(account.platform_details or {}), **profile.details}
        account.status = SocialAccount.Status.CONNECTED
        account.status_message = ""
        account.assisted = assisted
        account.token_expires_at = credentials.expires_at if credentials else None
        account.refresh_expires_at = credentials.refresh_expires_at if credentials else None
        account.has_refresh_token = bool(credentials and credentials.refresh_token)
        account.last_refreshed_at = now if credentials else None
        account.last_health_check_at = now
        account.connected_at = now
        account.connected_by = actor
        account.disconnected_at = None
        if responsible is not None:
            account.responsible = responsible
        account.status = _health_status(account, now)
        account.save()
        if credentials is not None:
            vault.credentials_write(account, credentials)
        else:
            vault.credentials_wipe(account)
        audit_record(
            actor=actor,
            action="social_account.connected" if created else "social_account.reconnected",
            target=account,
            workspace=workspace,
            before=before,
            after=snapshot(account, ACCOUNT_FIELDS),
        )
    logger.info(
        "social account %s %s (%s) in workspace %s",
        account.pk,
        "connected" if created else "reconnected",
        platform,
        workspace.pk,
    )
    return account


# --- OAuth 2 authorization code (with PKCE where the platform wants it) -------------------------------


@dataclass(frozen=True)
class ConnectStart:
    authorization_url: str
    state: str
    expires_at: datetime


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@transaction.atomic
def social_account_connect_start(
    *, actor: User, workspace: Workspace, platform: str, redirect_uri: str, session_key: str | None
) -> ConnectStart:
    """Begin an OAuth connection: a single-use state row, and the platform's authorization URL."""
    _clean_platform(platform)
    _require_connect_capability(actor=actor, workspace=workspace)
    connector = _require_connector(platform)
    kind = connector.capabilities.auth
    if kind not in OAUTH_KINDS:
        raise ValidationFailed(
            _("%(platform)s accounts are not connected through an authorization page.")
            % {"platform": connector.display_name},
            field="platform",
            code="not_oauth",
        )
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if kind == "oauth2_pkce" else ""
    expires_at = timezone.now() + CONNECT_STATE_TTL
    OAuthConnectState.objects.create(
        workspace=workspace,
        user=actor,
        platform=platform,
        nonce_hash=_sha256(nonce),
        session_key_hash=_sha256(session_key) if session_key else "",
        code_verifier_ciphertext=vault.encrypt_text(verifier) if verifier else "",
        redirect_uri=redirect_uri,
        expires_at=expires_at,
    )
    state = signing.dumps({"n": nonce, "w": workspace.pk, "p": platform}, salt=STATE_SALT, compress=True)
    url = connector.authorization_url(
        redirect_uri=redirect_uri, state=state, code_challenge=pkce_challenge(verifier) if verifier else ""
    )
    audit_record(
        actor=actor,
        action="social_account.connect_started",
        workspace=workspace,
        after={"platform": platform},
    )
    return ConnectStart(authorization_url=url, state=state, expires_at=expires_at)


def _claim_state(*, actor: User, platform: str, state: str, session_key: str | None) -> OAuthConnectState:
    invalid = ValidationFailed(
        _("This connection attempt is invalid or has expired. Please start again."),
        field="state",
        code="invalid_state",
    )
    try:
        payload = signing.loads(state or "", salt=STATE_SALT, max_age=CONNECT_STATE_TTL)
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("p") != platform or not payload.get("n"):
        raise invalid
    nonce_hash = _sha256(str(payload["n"]))
    now = timezone.now()
    session_hashes = [""] + ([_sha256(session_key)] if session_key else [])
    # The conditional UPDATE is the single-use guarantee: of two callbacks with one state, one wins.
    claimed = OAuthConnectState.objects.filter(
        nonce_hash=nonce_hash,
        user=actor,
        platform=platform,
        workspace_id=payload.get("w"),
        used_at__isnull=True,
        expires_at__gt=now,
        session_key_hash__in=session_hashes,
    ).update(used_at=now)
    if claimed != 1:
        raise invalid
    return OAuthConnectState.objects.select_related("workspace").get(nonce_hash=nonce_hash)


def social_account_connect_callback(
    *,
    actor: User,
    platform: str,
    state: str,
    code: str = "",
    error: str = "",
    session_key: str | None = None,
) -> SocialAccount:
    """Finish an OAuth connection: claim the state, exchange the code, fetch the profile, store."""
    _clean_platform(platform)
    connect_state = _claim_state(actor=actor, platform=platform, state=state, session_key=session_key)
    workspace = connect_state.workspace
    _require_connect_capability(actor=actor, workspace=workspace)
    connector = _require_connector(platform)
    if error or not code:
        raise ValidationFailed(
            _("Authorization was not granted on %(platform)s.") % {"platform": connector.display_name},
            field="code",
            code="authorization_declined",
        )
    verifier = (
        vault.decrypt_text(connect_state.code_verifier_ciphertext)
        if connect_state.code_verifier_ciphertext
        else ""
    )
    try:
        tokens = connector.exchange_code(
            code=code, redirect_uri=connect_state.redirect_uri, code_verifier=verifier
        )
        credentials = vault.merge_token_set(None, tokens)
        profile = connector.fetch_profile(credentials)
    except ConnectorError as exc:
        logger.warning("connecting %s in workspace %s failed: %s", platform, workspace.pk, type(exc).__name__)
        raise _platform_failure(exc, field="code", platform=connector.display_name) from exc
    return _store_connection(
        actor=actor, workspace=workspace, platform=platform, profile=profile, credentials=credentials
    )


# --- app credentials (WeChat), handle + app password (Bluesky), assisted accounts ------------------------


def social_account_connect_with_credentials(
    *, actor: User, workspace: Workspace, platform: str, fields: dict[str, str]
) -> SocialAccount:
    """Connect with what the person typed: WeChat's appid + secret, or a Bluesky handle + app password.

    WeChat has no refresh token: a new access token is fetched with the appid and secret, so those are
    kept (encrypted) in the credentials. A Bluesky app password is never stored: its refresh JWT is.
    """
    _clean_platform(platform)
    _require_connect_capability(actor=actor, workspace=workspace)
    connector = _require_connector(platform)
    kind = connector.capabilities.auth
    if kind not in CREDENTIAL_FIELDS:
        raise ValidationFailed(
            _("%(platform)s accounts are not connected with a form.") % {"platform": connector.display_name},
            field="platform",
            code="not_credentials",
        )
    cleaned = {name: (fields.get(name) or "").strip() for name in CREDENTIAL_FIELDS[kind]}
    missing = {name: [_("This field is required.")] for name, value in cleaned.items() if not value}
    if missing:
        raise ValidationFailed(_("Fill in every field."), fields=missing, code="required")
    first_field = CREDENTIAL_FIELDS[kind][0]
    try:
        tokens = connector.connect_with_credentials(**cleaned)
        credentials = vault.merge_token_set(None, tokens)
        if kind == "app_credentials":
            credentials = Credentials(
                access_token=credentials.access_token,
                refresh_token=credentials.refresh_token,
                expires_at=credentials.expires_at,
                refresh_expires_at=credentials.refresh_expires_at,
                extra={**cleaned, **credentials.extra},
            )
        profile = connector.fetch_profile(credentials)
    except ConnectorError as exc:
        logger.warning(
            "connecting %s with credentials in workspace %s failed: %s",
            platform,
            workspace.pk,
            type(exc).__name__,
        )
        raise _platform_failure(exc, field=first_field, platform=connector.display_name) from exc
    return _store_connection(
        actor=actor, workspace=workspace, platform=platform, profile=profile, credentials=credentials
    )


def _member_in_workspace(workspace: Workspace, member_id) -> WorkspaceMember | None:
    if member_id in (None, ""):
        return None
    try:
        return WorkspaceMember.objects.select_related("user").get(pk=int(member_id), workspace=workspace)
    except (WorkspaceMember.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(
            _("Choose a member of this workspace."), field="responsible", code="unknown_member"
        ) from None


def social_account_add_assisted(
    *,
    actor: User,
    workspace: Workspace,
    platform: str,
    handle: str,
    display_name: str = "",
    responsible_id=None,
) -> SocialAccount:
    """An account on a platform without a publishing API (Xiaohongshu, WeChat Channels): no credentials.

    At publish time its responsible person is notified and confirms with the live URL, so one is required.
    """
    _clean_platform(platform)
    _require_connect_capability(actor=actor, workspace=workspace)
    if platform_auth_kind(platform) != "assisted":
        raise ValidationFailed(
            _("This platform is connected through its own sign-in, not as an assisted account."),
            field="platform",
            code="not_assisted",
        )
    handle = (handle or "").strip().lstrip("@")
    if not handle:
        raise ValidationFailed(_("Enter the account's handle."), field="handle", code="required")
    responsible = _member_in_workspace(workspace, responsible_id)
    if responsible is None:
        raise ValidationFailed(
            _("Choose who publishes on this account."), field="responsible", code="required"
        )
    profile = AccountProfile(
        external_id=handle.lower(), handle=handle[:200], display_name=(display_name or handle).strip()
    )
    return _store_connection(
        actor=actor,
        workspace=workspace,
        platform=platform,
        profile=profile,
        credentials=None,
        assisted=True,
        responsible=responsible,
    )


@transaction.atomic
def social_account_disconnect(*, actor: User, account: SocialAccount) -> SocialAccount:
    """Wipe the credentials and mark the account revoked; the row and its history stay."""
    account = SocialAccount.objects.select_for_update().select_related("workspace").get(pk=account.pk)
    before = snapshot(account, ACCOUNT_FIELDS)
    vault.credentials_wipe(account)
    account.status = SocialAccount.Status.REVOKED
    account.status_message = _("Disconnected by %(person)s") % {"person": actor.get_full_name()}
    account.disconnected_at = timezone.now()
    account.token_expires_at = None
    account.refresh_expires_at = None
    account.has_refresh_token = False
    account.save()
    audit_record(
        actor=actor,
        action="social_account.disconnected",
        target=account,
        workspace=account.workspace,
        before=before,
        after=snapshot(account, ACCOUNT_FIELDS),
    )
    return account


# --- organising: responsible person, tags, groups ------------------------------------------------------

_UNSET = object()


def tag_index_for(tags: list[str]) -> str:
    return "|" + "|".join(tags) + "|" if tags else ""


def _clean_tags(tags) -> list[str]:
    if not isinstance(tags, (list, tuple)):
        raise ValidationFailed(_("Tags must be a list of words."), field="tags", code="invalid_tags")
    cleaned: list[str] = []
    for tag in tags:
        value = str(tag).strip().replace("|", "/")
        if not value:
            continue
        if len(value) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                _("A tag can have at most %(n)d characters.") % {"n": MAX_TAG_LENGTH},
                field="tags",
                code="tag_too_long",
            )
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(
            _("At most %(n)d tags per account.") % {"n": MAX_TAGS}, field="tags", code="too_many_tags"
        )
    return cleaned


def _groups_in_workspace(workspace: Workspace, group_ids) -> list[AccountGroup]:
    try:
        ids = {int(pk) for pk in group_ids}
    except (TypeError, ValueError):
        raise ValidationFailed(_("Unknown group."), field="groups", code="unknown_group") from None
    groups = list(AccountGroup.objects.filter(workspace=workspace, pk__in=ids))
    if len(groups) != len(ids):
        raise ValidationFailed(_("Unknown group."), field="groups", code="unknown_group")
    return groups


@transaction.atomic
def social_account_update(
    *, actor: User, account: SocialAccount, tags=_UNSET, group_ids=_UNSET, responsible_id=_UNSET
) -> SocialAccount:
    """Change how the account is organised. Related ids are looked up inside the account's workspace."""
    account = SocialAccount.objects.select_for_update().select_related("workspace").get(pk=account.pk)
    workspace = account.workspace
    before = {
        **snapshot(account, ["tags", "responsible"]),
        "groups": sorted(account.groups.values_list("pk", flat=True)),
    }
    if tags is not _UNSET:
        account.tags = _clean_tags(tags)
        account.tag_index = tag_index_for(account.tags)
    if responsible_id is not _UNSET:
        account.responsible = _member_in_workspace(workspace, responsible_id)
    account.save()
    if group_ids is not _UNSET:
        account.groups.set(_groups_in_workspace(workspace, group_ids or []))
    after = {
        **snapshot(account, ["tags", "responsible"]),
        "groups": sorted(account.groups.values_list("pk", flat=True)),
    }
    audit_record(
        actor=actor,
        action="social_account.updated",
        target=account,
        workspace=workspace,
        before=before,
        after=after,
    )
    return account


# --- health and refresh --------------------------------------------------------------------------------


def effective_expiry(account: SocialAccount) -> datetime | None:
    """When the account stops working without a person reconnecting it (None: not known to end).

    With a refresh token the access token renews itself until the refresh token ends; WeChat's app
    credentials fetch new tokens for ever; otherwise the access token's expiry is the end.
    """
    if account.assisted:
        return None
    if platform_auth_kind(account.platform) == "app_credentials":
        return None  # whatever token it holds now, the app credentials fetch the next one
    if account.has_refresh_token:
        return account.refresh_expires_at
    return account.token_expires_at


def _health_status(account: SocialAccount, now: datetime) -> str:
    """connected / expiring / expired from the dates alone (failures are recorded by the refresh)."""
    end = effective_expiry(account)
    if end is None:
        return SocialAccount.Status.CONNECTED
    if end <= now:
        return SocialAccount.Status.EXPIRED
    if end - now <= EXPIRING_WITHIN:
        return SocialAccount.Status.EXPIRING
    return SocialAccount.Status.CONNECTED


# Statuses the health check may move between; revoked and error (and expired after a refused refresh)
# only change when a person reconnects or a refresh succeeds.
_DATE_DRIVEN = (SocialAccount.Status.CONNECTED, SocialAccount.Status.EXPIRING)


def social_accounts_update_health(*, now: datetime | None = None) -> int:
    """Beat task body: re-derive connected/expiring/expired from the expiry dates. Returns changes."""
    now = now or timezone.now()
    changed = 0
    candidates = SocialAccount.objects.filter(
        status__in=_DATE_DRIVEN, disconnected_at__isnull=True
    ).select_related("workspace")
    for account in candidates.iterator(chunk_size=500):
        status = _health_status(account, now)
        if status == account.status:
            continue
        with transaction.atomic():
            locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
            if locked.status not in _DATE_DRIVEN or locked.disconnected_at is not None:
                continue
            status = _health_status(locked, now)
            if status == locked.status:
                continue
            before = snapshot(locked, ["status"])
            locked.status = status
            locked.last_health_check_at = now
            locked.save(update_fields=["status", "last_health_check_at", "updated_at"])
            audit_record(
                actor=None,
                actor_label="system",
                action="social_account.health_changed",
                target=locked,
                workspace=account.workspace,
                before=before,
                after=snapshot(locked, ["status"]),
            )
            changed += 1
    SocialAccount.objects.filter(status__in=_DATE_DRIVEN, disconnected_at__isnull=True).update(
        last_health_check_at=now
    )
    return changed


def refresh_window(account: SocialAccount) -> timedelta:
    window = REFRESH_WINDOWS.get(account.platform, DEFAULT_REFRESH_WINDOW)
    issued = account.last_refreshed_at or account.connected_at
    if issued and account.token_expires_at and account.token_expires_at > issued:
        window = min(window, (account.token_expires_at - issued) / 4)
    return window


def can_refresh(account: SocialAccount) -> bool:
    if account.assisted or account.disconnected_at is not None:
        return False
    # Revoked, error, and expired (only a refused refresh or a dead refresh token get there) need a person:
    # retrying a dead refresh token every tick would only hammer the platform.
    if account.status not in _DATE_DRIVEN:
        return False
    return account.has_refresh_token or platform_auth_kind(account.platform) == "app_credentials"


def needs_refresh(account: SocialAccount, now: datetime) -> bool:
    if not can_refresh(account) or account.token_expires_at is None:
        return False
    if account.has_refresh_token and account.refresh_expires_at and account.refresh_expires_at <= now:
        return False  # the refresh token itself is over: only reconnecting helps
    return account.token_expires_at - now <= refresh_window(account)


def social_accounts_due_for_refresh(*, now: datetime | None = None) -> list[int]:
    """Ids of accounts whose access token ends within its platform's refresh window."""
    now = now or timezone.now()
    horizon = now + max([DEFAULT_REFRESH_WINDOW, *REFRESH_WINDOWS.values()])
    candidates = SocialAccount.objects.filter(
        status__in=_DATE_DRIVEN,
        disconnected_at__isnull=True,
        assisted=False,
        token_expires_at__isnull=False,
        token_expires_at__lte=horizon,
    ).order_by("token_expires_at")
    return [account.pk for account in candidates if needs_refresh(account, now)]


def social_account_refresh_token(
    account: SocialAccount, *, actor: User | None = None, force: bool = False
) -> SocialAccount:
    """Refresh the account's access token if it is due (or `force`), once however many callers race.

    Returns the account; its `status` tells the outcome. An auth refusal (revoked, invalid or expired
    refresh token) marks the account revoked or expired, any other refusal marks it error, each with the
    platform's message; temporary failures (Transient, RateLimited, Unknown) change nothing and are
    raised for the caller to retry.
    """
    started = timezone.now()
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().select_related("workspace").get(pk=account.pk)
        if not can_refresh(account):
            return account
        # Re-checked under the lock: whoever held it before us may have refreshed already.
        if account.last_refreshed_at and account.last_refreshed_at >= started:
            return account
        if not force and not needs_refresh(account, timezone.now()):
            return account
        credentials = vault.credentials_read(account)
        connector = connector_for_platform(account.platform)
        if credentials is None or connector is None:
            return account
        try:
            tokens: TokenSet = connector.refresh(credentials)
        except NotImplementedError:
            return account
        except (AuthExpired, Rejected) as exc:
            if isinstance(exc, AuthExpired):
                status = SocialAccount.Status.REVOKED if exc.revoked else SocialAccount.Status.EXPIRED
            else:  # refused for another reason (app suspended, IP not whitelisted): a person must look
                status = SocialAccount.Status.ERROR
            return _record_refresh_failure(
                account,
                actor=actor,
                status=status,
                message=exc.platform_message or str(exc),
                error_name=type(exc).__name__,
            )
        merged = vault.merge_token_set(credentials, tokens)
        vault.credentials_write(account, merged)
        before = snapshot(account, ["status", "token_expires_at"])
        now = timezone.now()
        account.token_expires_at = merged.expires_at
        account.refresh_expires_at = merged.refresh_expires_at
        account.has_refresh_token = bool(merged.refresh_token)
        account.last_refreshed_at = now
        account.last_health_check_at = now
        account.status_message = ""
        account.status = _health_status(account, now)
        account.save()
        audit_record(
            actor=actor,
            actor_label="" if actor else "system",
            action="social_account.token_refreshed",
            target=account,
            workspace=account.workspace,
            before=before,
            after=snapshot(account, ["status", "token_expires_at"]),
        )
    logger.info("refreshed the token of social account %s (%s)", account.pk, account.platform)
    return account


def _record_refresh_failure(
    account: SocialAccount, *, actor: User | None, status: str, message: str, error_name: str
) -> SocialAccount:
    before = snapshot(account, ["status", "status_message"])
    account.status = status
    account.status_message = (message or "")[:500]
    account.last_health_check_at = timezone.now()
    account.save(update_fields=["status", "status_message", "last_health_check_at", "updated_at"])
    audit_record(
        actor=actor,
        actor_label="" if actor else "system",
        action="social_account.refresh_failed",
        target=account,
        workspace=account.workspace,
        before=before,
        after=snapshot(account, ["status", "status_message"]),
    )
    logger.warning(
        "refreshing social account %s (%s) failed with %s: account is now %s",
        account.pk,
        account.platform,
        error_name,
        status,
    )
    return account


def oauth_states_purge(*, now: datetime | None = None) -> int:
    """Delete used and expired connect states (kept a day for forensics)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _details = OAuthConnectState.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def social_account_mark_needs_reconnect(
    account: SocialAccount, *, message: str, actor: User | None = None
) -> SocialAccount:
    """The platform refused the account's token for good (revoked, or still refused after the one
    refresh): mark it revoked with the platform's message, so it shows as needing reconnection."""
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().select_related("workspace").get(pk=account.pk)
        if account.status == SocialAccount.Status.REVOKED:
            return account
        return _record_refresh_failure(
            account,
            actor=actor,
            status=SocialAccount.Status.REVOKED,
            message=message,
            error_name="AuthExpired",
        )

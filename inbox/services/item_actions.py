"""Hide, unhide, delete and like a fan's comment on the platform (where the connector offers it:
capabilities.item_actions; Facebook: all four, Instagram: hide, unhide, delete).

- **Refused before any call**: an action the platform does not offer (400 on `action`, naming the
  platform), a direct message or our own message, a comment already gone, a stale view (409, the item's
  `version` as for every change), an account whose rate limit is still running (429 with the wait: the
  shared gate of publishing.ratelimit, the same every worker honours).
- **One short call, made in the request, outside any transaction.** Unlike a reply, an action creates
  nothing: hiding, unhiding, liking twice and deleting what is gone are all idempotent on the platform,
  so a timeout or a 5xx is answered "try again" (502) and trying again is safe; there is no
  `unknown` outcome to settle and no attempt row. A 429 blocks the account for every worker (Retry-After).
- Done: the item records it (`platform_hidden_at` and the inbox's own `hidden_at`, `liked_at`,
  `deleted_by_us_at`), its version grows, and the action is audited (`inbox.item_<action>`).
"""

from __future__ import annotations

import logging
import math

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels_app.connectors.errors import AuthExpired, ConnectorError, RateLimited, Rejected
from channels_app.connectors.registry import connector_class, connector_for
from core.audit import audit_record
from core.errors import DomainError, ValidationFailed
from publishing import ratelimit

from ..models import InboxItem, ItemKind
from .items import check_version

logger = logging.getLogger(__name__)

ACTIONS = {
    "hide": gettext_lazy("Hide on the platform"),
    "unhide": gettext_lazy("Unhide on the platform"),
    "delete": gettext_lazy("Delete on the platform"),
    "like": gettext_lazy("Like"),
}


class PlatformRateLimited(DomainError):
    status_code = 429
    default_code = "platform_rate_limited"


class PlatformUnavailable(DomainError):
    status_code = 502
    default_code = "platform_unavailable"


def item_actions_offered(item: InboxItem) -> list[str]:
    """The actions the item's platform offers on it now (the item page's buttons)."""
    if item.from_us or item.kind == ItemKind.DIRECT_MESSAGE or item.removed_at or item.deleted_by_us_at:
        return []
    offered = connector_class(item.account.platform).capabilities.item_actions
    done = {"hide": item.platform_hidden_at is not None, "like": item.liked_at is not None}
    shown = [a for a in ACTIONS if a in offered and not done.get(a, False)]
    if item.platform_hidden_at is None and "unhide" in shown:
        shown.remove("unhide")
    return shown


def _check(item: InboxItem, action: str) -> None:
    platform = item.account.get_platform_display()
    if action not in ACTIONS:
        raise ValidationFailed(_("Choose hide, unhide, delete or like."), field="action")
    if action not in connector_class(item.account.platform).capabilities.item_actions:
        raise ValidationFailed(
            _("%(platform)s does not offer “%(action)s” on a comment.")
            % {"platform": platform, "action": ACTIONS[action]},
            code="action_not_supported",
            field="action",
        )
    if item.kind == ItemKind.DIRECT_MESSAGE:
        raise ValidationFailed(_("A direct message cannot be hidden, deleted or liked."), field="action")
    if item.from_us:
        raise ValidationFailed(_("This is our own message."), field="action")
    if item.removed_at or item.deleted_by_us_at:
        raise ValidationFailed(
            _("This comment is no longer on %(platform)s.") % {"platform": platform}, field="action"
        )


def inbox_item_platform_action(*, workspace, actor, item: InboxItem, action: str, version: int) -> InboxItem:
    """Do `action` to the fan's comment on the platform (see the module's docstring)."""
    from channels_app import vault

    if item.workspace_id != workspace.pk:
        raise ValueError("the item is not in this workspace")
    item = InboxItem.objects.select_related("account").get(pk=item.pk)
    _check(item, action)
    check_version(item, version)
    account = item.account
    wait = ratelimit.account_wait(account)
    if wait > 0:
        raise PlatformRateLimited(
            _("%(platform)s asked us to wait; try again in %(seconds)s seconds.")
            % {"platform": account.get_platform_display(), "seconds": math.ceil(wait)}
        )
    credentials = vault.credentials_read(account)
    if credentials is None or not account.is_healthy:
        raise ValidationFailed(
            _("The account needs reconnecting first."), code="account_unhealthy", field="action"
        )
    from .replies import _target

    connector = connector_for(account.platform)
    try:
        connector.item_action(credentials, target=_target(item), action=action)
    except RateLimited as exc:
        waited = ratelimit.account_block(account, exc)
        raise PlatformRateLimited(
            _("%(platform)s asked us to wait; try again in %(seconds)s seconds.")
            % {"platform": account.get_platform_display(), "seconds": math.ceil(waited)}
        ) from exc
    except AuthExpired as exc:
        raise ValidationFailed(
            _("The account needs reconnecting first."), code="account_unhealthy", field="action"
        ) from exc
    except Rejected as exc:
        raise ValidationFailed(
            _("%(platform)s refused: %(reason)s")
            % {"platform": account.get_platform_display(), "reason": exc.platform_message or str(exc)},
            code="platform_refused",
            field="action",
        ) from exc
    except (ConnectorError, Exception) as exc:  # timeout, 5xx: every action is idempotent, so retry is safe
        logger.warning("inbox item %s %s: %s", item.pk, action, exc)
        raise PlatformUnavailable(
            _("%(platform)s did not answer. Nothing is lost: try again.")
            % {"platform": account.get_platform_display()}
        ) from exc
    finally:
        connector.close()
    return _record(workspace=workspace, actor=actor, item=item, action=action)


@transaction.atomic
def _record(*, workspace, actor, item: InboxItem, action: str) -> InboxItem:
    item = InboxItem.objects.select_for_update(of=("self",)).select_related("account").get(pk=item.pk)
    now = timezone.now()
    fields = {
        "hide": {"platform_hidden_at": now, "hidden_at": item.hidden_at or now},
        "unhide": {"platform_hidden_at": None, "hidden_at": None},
        "delete": {"deleted_by_us_at": now},
        "like": {"liked_at": now},
    }[action]
    for name, value in fields.items():
        setattr(item, name, value)
    item.version += 1
    item.save(update_fields=[*fields, "version", "updated_at"])
    audit_record(
        actor=actor, action=f"inbox.item_{action}", target=item, workspace=workspace, after={"action": action}
    )
    return item


def platform_hide_by_rule(item_id: int) -> str:
    """A rule hid the item in the inbox: hide it on the platform too where it can (the rule is the system
    acting: no audit row, no version check). Returns what happened."""
    from channels_app import vault

    from .replies import _target

    item = InboxItem.objects.select_related("account", "fan", "conversation").filter(pk=item_id).first()
    if item is None or item.platform_hidden_at is not None or item.hidden_at is None:
        return "nothing to do"
    account = item.account
    if (
        "hide" not in connector_class(account.platform).capabilities.item_actions
        or item.kind == ItemKind.DIRECT_MESSAGE
    ):
        return "not offered"
    if ratelimit.account_wait(account) > 0:
        return "waiting"
    credentials = vault.credentials_read(account)
    if credentials is None or not account.is_healthy:
        return "account unhealthy"
    connector = connector_for(account.platform)
    try:
        connector.item_action(credentials, target=_target(item), action="hide")
    except RateLimited as exc:
        ratelimit.account_block(account, exc)
        return "rate_limited"
    except (ConnectorError, Exception) as exc:  # idempotent: a later try is safe
        logger.warning("rule hide of inbox item %s: %s", item.pk, exc)
        return "failed"
    finally:
        connector.close()
    InboxItem.objects.filter(pk=item.pk).update(
        platform_hidden_at=timezone.now(), version=F("version") + 1, updated_at=timezone.now()
    )
    return "hidden"

"""Send a WeChat push to a reviewer's phone before it goes out (message/mass/preview): from the article
editor and from the review page, through this one service. The connector builds the same draft the
publish step would (the payload from content.payload, with the bytes), so the phone shows what the
approval covers."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from channels_app import vault
from channels_app.connectors.errors import ConnectorError, Rejected
from content.models import Post
from content.payload import target_payload
from content.services.wechat_push import may_preview
from core.audit import audit_record
from core.errors import NotFound, PermissionRefused, ValidationFailed

from .pipeline.transitions import _connector

# A WeChat ID: 6-20 characters, a letter first, then letters, digits, "-" or "_".
WECHAT_ID = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")


def wechat_preview_send(*, actor, post: Post, target_id: int, wechat_id: str) -> None:
    """Send the variant `target_id` of `post` (a WeChat Official Account push) to `wechat_id`'s phone.
    People who write posts or decide approvals may; the account must be one WeChat lets send previews."""
    access = workspace_access_for(user=actor, workspace_id=post.workspace_id)
    if access is None:
        raise NotFound(_("Not found."))
    if not (access.can(Capability.POST_EDIT) or access.can(Capability.APPROVAL_DECIDE)):
        raise PermissionRefused(_("Your role cannot send previews."))
    target = post.targets.select_related("account").filter(pk=target_id).first()
    if target is None:
        raise NotFound(_("Not found."))
    account = target.account
    if account.platform != "wechat_oa":
        raise ValidationFailed(
            _("Only WeChat Official Account variants can be previewed on a phone."), field="target"
        )
    wechat_id = (wechat_id or "").strip()
    if not WECHAT_ID.match(wechat_id):
        raise ValidationFailed(
            _("Enter the reviewer's WeChat ID (6-20 letters, digits, - or _, starting with a letter)."),
            field="wechat_id",
        )
    cannot = _(
        "%(handle)s cannot send previews: WeChat allows them only for verified subscription and service "
        "accounts."
    ) % {"handle": account.handle}
    if not may_preview(account):
        raise ValidationFailed(cannot, code="preview_unavailable", field="wechat_id")
    payload = target_payload(target, post=post, with_data=True)
    try:
        _connector("wechat_oa").send_preview(vault.credentials_read(account), payload, wechat_id=wechat_id)
    except Rejected as exc:
        if exc.platform_code == 48001:
            raise ValidationFailed(cannot, code="preview_unavailable", field="wechat_id") from None
        raise ValidationFailed(
            _("WeChat refused the preview (%(code)s).") % {"code": exc.platform_code}, field="wechat_id"
        ) from None
    except ConnectorError:
        raise ValidationFailed(
            _("WeChat could not be reached; try again in a moment."), field="wechat_id"
        ) from None
    audit_record(
        actor=actor,
        action="wechat.preview_send",
        target=post,
        workspace=post.workspace,
        after={"target": target.pk, "account": account.pk, "to": wechat_id},
    )

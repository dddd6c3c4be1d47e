"""External review links: signed, expiring, revocable, scoped to one request or one batch.

The URL carries `signing.dumps({"l": link id, "n": nonce}, salt=SALT)`; the database keeps only the
nonce's SHA-256 and the expiry. `link_resolve` refuses a tampered token (bad signature or nonce), an
expired or a revoked link with `LinkRefused` and writes nothing. Before seeing the post or deciding, the
reviewer confirms the link's email with a one-time code sent there (`link_code_send`, `link_code_verify`);
the verified link ids live in the reviewer's session (views) — the code is kept only as a hash.
Decisions go through services._decide with the reviewer's email, and land in the audit log under it.

Managing the links of a request (the post's review page and the API call the same functions):
`link_status` (pending, opened, decided, expired, revoked), `review_link_resend` (a fresh URL by email:
the nonce is rotated, so the old URL stops working, because only its hash was ever kept),
`review_link_revoke`, and `review_link_warning` (the address is not one the current stage expects).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from core.links import absolute_url

from .models import ApprovalBatch, ApprovalDecision, ApprovalRequest, PostComment, RequestStatus, ReviewLink

SALT = "approvals.review-link"
DEFAULT_TTL_HOURS = 72
MAX_TTL_HOURS = 24 * 30
CODE_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)


class LinkStatus(models.TextChoices):
    """A link's state as people see it (computed, not stored)."""

    PENDING = "pending", gettext_lazy("Not opened yet")
    OPENED = "opened", gettext_lazy("Opened")
    DECIDED = "decided", gettext_lazy("Decided")
    EXPIRED = "expired", gettext_lazy("Expired")
    REVOKED = "revoked", gettext_lazy("Revoked")


def link_status(link: ReviewLink, *, decided_emails: set[str] = frozenset()) -> str:
    """Revoked, else decided (the link's email recorded a decision on its request: `decided_emails`),
    else expired, else opened (a code was asked for or the email confirmed), else pending."""
    if link.revoked_at is not None:
        return LinkStatus.REVOKED
    if link.email.lower() in decided_emails:
        return LinkStatus.DECIDED
    if link.expires_at <= timezone.now():
        return LinkStatus.EXPIRED
    if link.verified_at is not None or link.code_expires_at is not None:
        return LinkStatus.OPENED
    return LinkStatus.PENDING


def expected_reviewers(request: ApprovalRequest) -> list[str]:
    """The emails the request's current stage expects to decide: its people and external addresses."""
    from .services.approvers import stage_approver_users

    state = request.current_stage
    stage = state.stage if state is not None else None
    if stage is None or request.status != RequestStatus.IN_PROGRESS:
        return []
    emails = [u.email.lower() for u in stage_approver_users(stage, workspace_id=request.workspace_id)]
    emails += [e.lower() for e in stage.approver_emails if e.lower() not in emails]
    return emails


def review_link_warning(link: ReviewLink) -> str:
    """A warning when the link's address is not one the current stage of its request expects ("" when it
    is, or when nobody in particular is expected)."""
    if link.request_id is None:
        return ""
    expected = expected_reviewers(link.request)
    if not expected or link.email.lower() in expected:
        return ""
    return _(
        "%(email)s is not an approver of the current stage “%(stage)s”: it expects %(expected)s. "
        "Their decision will not count for the stage."
    ) % {
        "email": link.email,
        "stage": link.request.current_stage.stage_name,
        "expected": ", ".join(expected),
    }


def _may_manage(actor, link: ReviewLink, refusal: str) -> None:
    access = workspace_access_for(user=actor, workspace_id=link.workspace_id)
    if access is None:
        raise NotFound(_("No such link."))
    if not (access.can(Capability.APPROVAL_MANAGE) or access.can(Capability.POST_EDIT)):
        raise PermissionRefused(refusal)


class LinkRefused(DomainError):
    status_code = 403
    default_code = "link_invalid"


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def link_url(token: str) -> str:
    return absolute_url(f"/review/{token}/")


@transaction.atomic
def review_link_create(
    *,
    actor,
    workspace,
    email: str,
    request: ApprovalRequest | None = None,
    batch: ApprovalBatch | None = None,
    ttl_hours: int = DEFAULT_TTL_HOURS,
) -> tuple[ReviewLink, str]:
    """A link for `email` to review one request (or one batch). Returns the link and its token (the
    token is shown once; only a hash of its nonce is kept). Needs approval.manage or approval.decide."""
    access = workspace_access_for(user=actor, workspace_id=workspace.pk)
    if access is None:
        raise NotFound(_("No such workspace."))
    if not (access.can(Capability.APPROVAL_MANAGE) or access.can(Capability.POST_EDIT)):
        raise PermissionRefused(_("Your role does not allow sharing review links."))
    if (request is None) == (batch is None):
        raise ValidationFailed(_("A link is for one request or one batch."), field="request")
    scope = request or batch
    if scope.workspace_id != workspace.pk:
        raise NotFound(_("No such approval request."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    ttl = int(ttl_hours)
    if not 1 <= ttl <= MAX_TTL_HOURS:
        raise ValidationFailed(
            _("A link lasts between 1 hour and %(days)s days.") % {"days": MAX_TTL_HOURS // 24},
            field="ttl_hours",
        )
    nonce = secrets.token_urlsafe(24)
    link = ReviewLink.objects.create(
        workspace=workspace,
        request=request,
        batch=batch,
        email=email,
        nonce_hash=_sha(nonce),
        expires_at=timezone.now() + timedelta(hours=ttl),
        created_by=actor,
    )
    token = signing.dumps({"l": link.pk, "n": nonce}, salt=SALT, compress=False)
    audit_record(
        actor=actor,
        action="review_link.create",
        target=link,
        workspace=workspace,
        after={
            "email": email,
            "request": getattr(request, "pk", None),
            "batch": getattr(batch, "pk", None),
            "expires_at": link.expires_at.isoformat(),
        },
    )
    return link, token


@transaction.atomic
def review_link_resend(*, actor, link: ReviewLink) -> ReviewLink:
    """Email the link's address a fresh URL for the same link (same scope and expiry). The nonce is
    rotated (only its hash is kept, so the old URL cannot be sent again): the previous URL stops working.
    A revoked or expired link is a conflict: issue a new one."""
    _may_manage(actor, link, _("Your role does not allow sending review links."))
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        raise Conflict(_("This link was revoked; create a new one."), code="link_revoked")
    if link.expires_at <= timezone.now():
        raise Conflict(_("This link has expired; create a new one."), code="link_expired")
    nonce = secrets.token_urlsafe(24)
    link.nonce_hash = _sha(nonce)
    link.save(update_fields=["nonce_hash", "updated_at"])
    url = link_url(signing.dumps({"l": link.pk, "n": nonce}, salt=SALT, compress=False))
    zone = link.workspace.tzinfo
    message = _(
        "You are asked to review posts on KAWO OSS. Open this link (valid until %(until)s, %(zone)s): %(url)s"
    ) % {"url": url, "until": link.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "zone": zone.key}
    transaction.on_commit(
        lambda: send_mail(_("Posts to review"), message, settings.DEFAULT_FROM_EMAIL, [link.email])
    )
    audit_record(
        actor=actor,
        action="review_link.resend",
        target=link,
        workspace=link.workspace,
        after={"email": link.email},
    )
    return link


@transaction.atomic
def review_link_revoke(*, actor, link: ReviewLink) -> ReviewLink:
    _may_manage(actor, link, _("Your role does not allow revoking review links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="review_link.revoke",
            target=link,
            workspace=link.workspace,
            before={"email": link.email},
        )
    return link


def link_resolve(token: str) -> ReviewLink:
    """The link behind `token`, or LinkRefused (tampered, unknown, expired or revoked). Writes nothing."""
    try:
        data = signing.loads(token or "", salt=SALT)
        link_id, nonce = int(data["l"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(_("This review link is not valid."), code="link_invalid") from None
    link = ReviewLink.objects.select_related("workspace").filter(pk=link_id).first()
    if link is None or not hmac.compare_digest(link.nonce_hash, _sha(nonce)):
        raise LinkRefused(_("This review link is not valid."), code="link_invalid")
    if link.revoked_at is not None:
        raise LinkRefused(
            _("This review link was revoked. Ask the sender for a new one."), code="link_revoked"
        )
    if link.expires_at <= timezone.now():
        raise LinkRefused(
            _("This review link has expired. Ask the sender for a new one."), code="link_expired"
        )
    return link


def link_requests(link: ReviewLink) -> list[ApprovalRequest]:
    """The requests a link covers (its request, or its batch's), posts loaded."""
    qs = ApprovalRequest.objects.select_related("post", "workflow", "current_stage")
    if link.request_id:
        return list(qs.filter(pk=link.request_id))
    return list(qs.filter(batch_id=link.batch_id).order_by("id"))


@transaction.atomic
def link_code_send(token: str) -> ReviewLink:
    """Email a fresh one-time code to the link's address (a valid link only)."""
    link = link_resolve(token)
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    now = timezone.now()
    if link.code_expires_at is not None and link.code_expires_at - CODE_TTL > now - CODE_RESEND_AFTER:
        raise ValidationFailed(
            _("A code was just sent; wait a minute before asking again."), code="code_wait"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    link.code_hash = _sha(f"{link.pk}:{code}")
    link.code_expires_at = now + CODE_TTL
    link.code_attempts = 0
    link.save(update_fields=["code_hash", "code_expires_at", "code_attempts", "updated_at"])
    message = _("Your code to review posts on KAWO OSS: %(code)s (valid for 15 minutes).") % {"code": code}
    transaction.on_commit(
        lambda: send_mail(_("Your review code"), message, settings.DEFAULT_FROM_EMAIL, [link.email])
    )
    return link


def link_code_verify(token: str, code: str) -> ReviewLink:
    """Confirm the email with the code. Wrong, expired or too many attempts: ValidationFailed."""
    with transaction.atomic():
        link = link_resolve(token)
        link = ReviewLink.objects.select_for_update().get(pk=link.pk)
        if not link.code_hash or link.code_expires_at is None or link.code_expires_at <= timezone.now():
            raise ValidationFailed(
                _("Ask for a new code: this one has expired."), code="code_expired", field="code"
            )
        if link.code_attempts >= MAX_CODE_ATTEMPTS:
            raise ValidationFailed(
                _("Too many attempts; ask for a new code."), code="code_locked", field="code"
            )
        ok = hmac.compare_digest(link.code_hash, _sha(f"{link.pk}:{(code or '').strip()}"))
        if not ok:
            link.code_attempts += 1
            link.save(update_fields=["code_attempts", "updated_at"])
    if not ok:
        raise ValidationFailed(_("That code is not right."), code="code_wrong", field="code")
    with transaction.atomic():
        link.code_hash = ""
        link.verified_at = timezone.now()
        link.save(update_fields=["code_hash", "verified_at", "updated_at"])
        audit_record(
            actor=None,
            actor_label=link.email,
            action="review_link.verify",
            target=link,
            workspace=link.workspace,
        )
    return link


def _request_in_link(link: ReviewLink, request_id) -> ApprovalRequest:
    for request in link_requests(link):
        if request.pk == int(request_id):
            return request
    raise NotFound(_("This link does not cover that post."))


@transaction.atomic
def link_decide(
    *, token: str, verified: bool, request_id, decision: str, comment: str = ""
) -> ApprovalDecision:
    """An external reviewer decides through a link. `verified`: the session confirmed the email."""
    from .services import _decide

    link = link_resolve(token)
    if not verified or link.verified_at is None:
        raise LinkRefused(_("Confirm your email with the code first."), code="email_unconfirmed")
    request = _request_in_link(link, request_id)
    if request.status != RequestStatus.IN_PROGRESS:
        raise Conflict(_("This post is no longer waiting for review."), code="not_in_progress")
    return _decide(
        request=request,
        decision=decision,
        comment=comment,
        email=link.email,
        actor_label=f"{link.email} (external)",
    )


@transaction.atomic
def link_comment(
    *,
    token: str,
    verified: bool,
    request_id,
    body: str,
    target=None,
    anchor_start=None,
    anchor_end=None,
    parent=None,
) -> PostComment:
    """An external reviewer's comment, or reply to a thread of the post (they cannot resolve threads)."""
    from .services import _comment

    link = link_resolve(token)
    if not verified or link.verified_at is None:
        raise LinkRefused(_("Confirm your email with the code first."), code="email_unconfirmed")
    request = _request_in_link(link, request_id)
    return _comment(
        post=request.post,
        body=body,
        author=None,
        author_label=f"{link.email} (external)",
        external=True,
        target=target,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        request=request,
        parent=parent,
    )


# --- the reviewer's session after the code: a signed token bound to the link ------------------------

SESSION_SALT = "approvals.review-session"
SESSION_MAX_AGE = 12 * 3600


def review_session_issue(link: ReviewLink) -> str:
    return signing.dumps({"l": link.pk, "e": link.email}, salt=SESSION_SALT, compress=False)


def review_session_valid(link: ReviewLink, session: str) -> bool:
    """True when `session` was issued for this link (and its email) within the last 12 hours."""
    if not session or link.verified_at is None:
        return False
    try:
        data = signing.loads(session, salt=SESSION_SALT, max_age=SESSION_MAX_AGE)
    except signing.BadSignature:
        return False
    return data.get("l") == link.pk and data.get("e") == link.email


def external_view(link: ReviewLink, *, verified: bool) -> dict:
    """What the reviewer sees: each post exactly as it will be published (text, first comment, media per
    account), only after the email is confirmed."""
    from content.models import PostTarget

    requests = link_requests(link) if verified else []
    targets = {}
    if requests:
        for target in (
            PostTarget.objects.filter(post_id__in=[r.post_id for r in requests])
            .select_related("account")
            .prefetch_related("media_links__media")
            .order_by("id")
        ):
            targets.setdefault(target.post_id, []).append(
                {
                    "id": target.pk,
                    "platform": target.account.platform,
                    "handle": target.account.handle,
                    "text": target.text,
                    "first_comment": target.first_comment,
                    "media": [link_.media.file.url for link_ in target.media_links.all() if link_.media.file],
                }
            )
    threads: dict[int, list] = {}
    if requests:
        from .selectors import comment_threads

        for thread in comment_threads(
            PostComment.objects.filter(post_id__in=[r.post_id for r in requests])
            .select_related("resolved_by")
            .order_by("id")
        ):
            threads.setdefault(thread.post_id, []).append(thread)
    stages = {}
    if requests:
        from .models import ApprovalStageState

        stages = {
            s.pk: s
            for s in ApprovalStageState.objects.filter(
                pk__in=[r.current_stage_id for r in requests if r.current_stage_id]
            ).select_related("stage")
        }
    out = []
    for request in requests:
        state = stages.get(request.current_stage_id)
        can = bool(
            state
            and state.stage
            and link.email in {e.lower() for e in state.stage.approver_emails}
            and request.status == RequestStatus.IN_PROGRESS
            and not ApprovalDecision.objects.filter(stage_state=state, reviewer_email=link.email).exists()
        )
        out.append(
            {
                "id": request.pk,
                "status": request.status,
                "post_title": request.post.title,
                "post_version": request.post_version,
                "stage_name": state.stage_name if state else "",
                "can_decide": can,
                "targets": targets.get(request.post_id, []),
                "threads": threads.get(request.post_id, []),
            }
        )
    return {
        "email": link.email,
        "workspace_name": link.workspace.name,
        "expires_at": link.expires_at,
        "verified": verified,
        "requests": out,
    }

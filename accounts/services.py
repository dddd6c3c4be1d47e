"""Every write to tenancy goes through one of these: atomic, keyword-only, with `actor=`, audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.errors import PermissionRefused, ValidationFailed

from .models import (
    CURRENCIES,
    AgencyGrant,
    Invitation,
    Membership,
    Organization,
    PersonalAccessToken,
    User,
    Workspace,
    WorkspaceMember,
    validate_timezone,
)
from .roles import OrgRole, Role, role_within_ceiling
from .tokens import hash_secret, new_secret

WORKSPACE_FIELDS = ["name", "slug", "timezone", "language", "currency"]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
EMAIL_MAX_LENGTH = 254  # EmailField's column size


# --- validation helpers --------------------------------------------------------------------------


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise DjangoValidationError("too long")
    except DjangoValidationError:
        raise ValidationFailed(_("Enter a valid email address."), field=field, code="invalid_email") from None
    return email


def _clean_role(role: str, field: str = "role") -> str:
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role “%(role)s”. Choose one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field=field,
            code="unknown_role",
        )
    return role


NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 60


def _clean_workspace_fields(fields: dict) -> dict:
    """Checks name, slug, timezone, language and currency (those present); also used for organizations."""
    errors: dict[str, list[str]] = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors.setdefault("name", []).append(_("A name is required."))
        elif len(fields["name"]) > NAME_MAX_LENGTH:
            errors.setdefault("name", []).append(
                _("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
            )
    if "slug" in fields:
        try:
            validate_slug(fields["slug"] or "")
            if not fields["slug"]:
                raise DjangoValidationError("empty")
        except DjangoValidationError:
            errors.setdefault("slug", []).append(_("Use letters, numbers, hyphens or underscores."))
        else:
            if len(fields["slug"]) > SLUG_MAX_LENGTH:
                errors.setdefault("slug", []).append(
                    _("Use at most %(count)d characters.") % {"count": SLUG_MAX_LENGTH}
                )
    if "timezone" in fields:
        try:
            validate_timezone(fields["timezone"])
        except DjangoValidationError:
            errors.setdefault("timezone", []).append(_("Unknown time zone."))
    if "language" in fields and fields["language"] not in LANGUAGE_CODES:
        errors.setdefault("language", []).append(_("Unsupported language."))
    if "currency" in fields and fields["currency"] not in {c for c, _n in CURRENCIES}:
        errors.setdefault("currency", []).append(_("Unsupported currency."))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return fields


def _require_org_admin(*, actor: User, organization: Organization) -> Membership:
    membership = Membership.objects.filter(organization=organization, user=actor).first()
    if membership is None or not membership.is_org_admin:
        raise PermissionRefused(_("Only the organization's owners and admins can do this."))
    return membership


# --- organizations and workspaces ----------------------------------------------------------------


@transaction.atomic
def organization_create(
    *, actor: User, name: str, slug: str, kind: str = Organization.Kind.BRAND
) -> Organization:
    if kind not in Organization.Kind.values:
        raise ValidationFailed(_("Unknown organization kind."), field="kind")
    fields = _clean_workspace_fields({"name": name, "slug": slug})
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationFailed(_("This slug is already taken."), field="slug", code="duplicate_slug")
    organization = Organization.objects.create(name=fields["name"], slug=slug, kind=kind)
    Membership.objects.create(organization=organization, user=actor, role=OrgRole.OWNER)
    audit_record(
        actor=actor,
        action="organization.created",
        target=organization,
        organization=organization,
        after=snapshot(organization, ["name", "slug", "kind"]),
    )
    return organization


ORGANIZATION_FIELDS = ["name", "slug"]


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, **changes) -> Organization:
    """Rename an organization or change its slug (owners and admins)."""
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed."), fields={f: [_("Not editable.")] for f in unknown}
        )
    _require_org_admin(actor=actor, organization=organization)
    changes = _clean_workspace_fields(dict(changes))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if (
        "slug" in changes
        and changes["slug"] != organization.slug
        and Organization.objects.filter(slug=changes["slug"]).exists()
    ):
        raise ValidationFailed(_("This slug is already taken."), field="slug", code="duplicate_slug")
    before = snapshot(organization, list(changes))
    for name, value in changes.items():
        setattr(organization, name, value)
    organization.save()
    audit_record(
        actor=actor,
        action="organization.updated",
        target=organization,
        organization=organization,
        before=before,
        after=snapshot(organization, list(changes)),
    )
    return organization


@transaction.atomic
def workspace_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    slug: str,
    timezone: str = "Asia/Shanghai",
    language: str = "zh-hans",
    currency: str = "CNY",
) -> Workspace:
    _require_org_admin(actor=actor, organization=organization)
    fields = _clean_workspace_fields(
        {"name": name, "slug": slug, "timezone": timezone, "language": language, "currency": currency}
    )
    if Workspace.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationFailed(
            _("This organization already has a workspace with this slug."),
            field="slug",
            code="duplicate_slug",
        )
    workspace = Workspace.objects.create(organization=organization, **fields)
    WorkspaceMember.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    audit_record(
        actor=actor,
        action="workspace.created",
        target=workspace,
        workspace=workspace,
        after=snapshot(workspace, WORKSPACE_FIELDS),
    )
    return workspace


@transaction.atomic
def workspace_update(*, actor: User, workspace: Workspace, **changes) -> Workspace:
    unknown = set(changes) - set(WORKSPACE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed."), fields={f: [_("Not editable.")] for f in unknown}
        )
    changes = _clean_workspace_fields(dict(changes))
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if (
        "slug" in changes
        and changes["slug"] != workspace.slug
        and Workspace.objects.filter(organization_id=workspace.organization_id, slug=changes["slug"]).exists()
    ):
        raise ValidationFailed(
            _("This organization already has a workspace with this slug."),
            field="slug",
            code="duplicate_slug",
        )
    before = snapshot(workspace, list(changes))
    for name, value in changes.items():
        setattr(workspace, name, value)
    workspace.save()
    audit_record(
        actor=actor,
        action="workspace.updated",
        target=workspace,
        workspace=workspace,
        before=before,
        after=snapshot(workspace, list(changes)),
    )
    return workspace


# --- members ---------------------------------------------------------------------------------------


def _other_admins_exist(member: WorkspaceMember) -> bool:
    return (
        WorkspaceMember.objects.filter(workspace_id=member.workspace_id, role=Role.ADMIN, grant__isnull=True)
        .exclude(pk=member.pk)
        .exists()
    )


@transaction.atomic
def member_change_role(*, actor: User, member: WorkspaceMember, role: str) -> WorkspaceMember:
    _clean_role(role)
    member = (
        WorkspaceMember.objects.select_for_update(of=("self",))  # grant is nullable: lock the member row only
        .select_related("grant", "user")
        .get(pk=member.pk)
    )
    if member.grant is not None and not role_within_ceiling(role, member.grant.role_ceiling):
        raise ValidationFailed(
            _("This agency's access is limited to the %(ceiling)s role.")
            % {"ceiling": Role(member.grant.role_ceiling).label},
            field="role",
            code="above_ceiling",
        )
    if (
        member.role == Role.ADMIN
        and role != Role.ADMIN
        and member.grant is None
        and not _other_admins_exist(member)
    ):
        raise ValidationFailed(_("A workspace needs at least one admin."), field="role", code="last_admin")
    before = snapshot(member, ["role"])
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="member.role_changed",
        target=member,
        workspace=member.workspace,
        before=before,
        after=snapshot(member, ["role"]),
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, member: WorkspaceMember) -> None:
    member = WorkspaceMember.objects.select_for_update().select_related("workspace", "user").get(pk=member.pk)
    if member.role == Role.ADMIN and member.grant_id is None and not _other_admins_exist(member):
        raise ValidationFailed(_("A workspace needs at least one admin."), field="member", code="last_admin")
    audit_record(
        actor=actor,
        action="member.removed",
        target=member,
        workspace=member.workspace,
        before={"user": member.user.email, "role": member.role},
    )
    member.delete()


# --- invitations -----------------------------------------------------------------------------------


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.KAWO["INVITATION_TTL_DAYS"])


def _send_invitation_on_commit(invitation: Invitation, token: str) -> None:
    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))


@transaction.atomic
def invitation_create(*, actor: User, workspace: Workspace, email: str, role: str) -> tuple[Invitation, str]:
    email = _clean_email(email)
    _clean_role(role)
    if WorkspaceMember.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationFailed(
            _("This person is already a member of the workspace."), field="email", code="already_member"
        )
    if Invitation.objects.filter(workspace=workspace, email=email, status=Invitation.Status.PENDING).exists():
        raise ValidationFailed(
            _("An invitation to this address is already pending; re-send it instead."),
            field="email",
            code="already_invited",
        )
    token = new_secret()
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=hash_secret(token),
        invited_by=actor,
        expires_at=_invitation_expiry(),
    )
    audit_record(
        actor=actor,
        action="invitation.created",
        target=invitation,
        workspace=workspace,
        after={"email": email, "role": role},
    )
    _send_invitation_on_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
        raise ValidationFailed(
            _("Only pending or expired invitations can be re-sent."), field="invitation", code="not_pending"
        )
    token = new_secret()
    invitation.token_hash = hash_secret(token)
    invitation.expires_at = _invitation_expiry()
    invitation.status = Invitation.Status.PENDING
    invitation.sent_count += 1
    invitation.save()
    audit_record(
        actor=actor,
        action="invitation.resent",
        target=invitation,
        workspace=invitation.workspace,
        after={"email": invitation.email, "sent_count": invitation.sent_count},
    )
    _send_invitation_on_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationFailed(
            _("Only pending invitations can be revoked."), field="invitation", code="not_pending"
        )
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        workspace=invitation.workspace,
        before={"status": "pending"},
        after={"status": "revoked"},
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    if not token:
        return None
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_secret(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> WorkspaceMember:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationFailed(_("This invitation link is not valid."), field="token", code="invalid_token")
    invitation = Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationFailed(_("This invitation has already been used."), field="token", code="used")
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationFailed(_("This invitation was revoked."), field="token", code="revoked")
    if invitation.status == Invitation.Status.EXPIRED or invitation.is_expired:
        raise ValidationFailed(
            _("This invitation has expired; ask for a new one."), field="token", code="expired"
        )
    if invitation.email.lower() != user.email.lower():
        raise ValidationFailed(
            _("This invitation was sent to %(email)s; sign in with that address to accept it.")
            % {"email": invitation.email},
            field="token",
            code="wrong_user",
        )
    if WorkspaceMember.objects.filter(workspace=invitation.workspace, user=user).exists():
        raise ValidationFailed(
            _("You are already a member of this workspace."), field="token", code="already_member"
        )
    member = WorkspaceMember.objects.create(workspace=invitation.workspace, user=user, role=invitation.role)
    Membership.objects.get_or_create(
        organization_id=invitation.workspace.organization_id, user=user, defaults={"role": OrgRole.MEMBER}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save()
    audit_record(
        actor=user,
        action="invitation.accepted",
        target=member,
        workspace=invitation.workspace,
        after={"role": member.role, "invitation": invitation.pk},
    )
    return member


def invitations_expire(*, now: datetime | None = None) -> int:
    """Beat task body: mark pending invitations past their expiry as expired."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__lte=now).update(
        status=Invitation.Status.EXPIRED, updated_at=now
    )


# --- agency access ---------------------------------------------------------------------------------


@transaction.atomic
def agency_grant_create(
    *, actor: User, workspace: Workspace, agency: Organization, role_ceiling: str
) -> AgencyGrant:
    _clean_role(role_ceiling, field="role_ceiling")
    if agency.kind != Organization.Kind.AGENCY:
        raise ValidationFailed(
            _("Access can only be granted to an agency organization."), field="agency", code="not_agency"
        )
    if agency.pk == workspace.organization_id:
        raise ValidationFailed(_("An organization cannot grant access to itself."), field="agency")
    if AgencyGrant.objects.filter(workspace=workspace, agency=agency, revoked_at__isnull=True).exists():
        raise ValidationFailed(
            _("This agency already has access; change its ceiling instead."),
            field="agency",
            code="already_granted",
        )
    grant = AgencyGrant.objects.create(
        workspace=workspace, agency=agency, role_ceiling=role_ceiling, granted_by=actor
    )
    audit_record(
        actor=actor,
        action="agency_grant.created",
        target=grant,
        workspace=workspace,
        after={"agency": agency.name, "role_ceiling": role_ceiling},
    )
    return grant


@transaction.atomic
def agency_grant_change_ceiling(*, actor: User, grant: AgencyGrant, role_ceiling: str) -> AgencyGrant:
    _clean_role(role_ceiling, field="role_ceiling")
    grant = AgencyGrant.objects.select_for_update().select_related("workspace").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationFailed(_("This grant was revoked."), field="role_ceiling", code="revoked")
    before = {"role_ceiling": grant.role_ceiling}
    grant.role_ceiling = role_ceiling
    grant.save(update_fields=["role_ceiling", "updated_at"])
    # People assigned above the new ceiling come down to it at once.
    lowered = [m for m in grant.assignments.all() if not role_within_ceiling(m.role, role_ceiling)]
    for assignment in lowered:
        assignment.role = role_ceiling
    WorkspaceMember.objects.bulk_update(lowered, ["role"])
    audit_record(
        actor=actor,
        action="agency_grant.ceiling_changed",
        target=grant,
        workspace=grant.workspace,
        before=before,
        after={"role_ceiling": role_ceiling, "lowered_members": [m.pk for m in lowered]},
    )
    return grant


@transaction.atomic
def agency_grant_revoke(*, actor: User, grant: AgencyGrant) -> AgencyGrant:
    grant = AgencyGrant.objects.select_for_update().select_related("workspace", "agency").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationFailed(_("This grant was already revoked."), field="grant", code="revoked")
    removed = list(grant.assignments.values_list("user__email", flat=True))
    grant.assignments.all().delete()
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        action="agency_grant.revoked",
        target=grant,
        workspace=grant.workspace,
        before={"agency": grant.agency.name, "role_ceiling": grant.role_ceiling, "members": removed},
        after={"revoked": True},
    )
    return grant


@transaction.atomic
def agency_assignment_create(*, actor: User, grant: AgencyGrant, user: User, role: str) -> WorkspaceMember:
    _clean_role(role)
    grant = AgencyGrant.objects.select_for_update().select_related("workspace", "agency").get(pk=grant.pk)
    _require_org_admin(actor=actor, organization=grant.agency)
    if grant.revoked_at is not None:
        raise ValidationFailed(_("This grant was revoked."), field="grant", code="revoked")
    if not Membership.objects.filter(organization=grant.agency, user=user).exists():
        raise ValidationFailed(
            _("Only people of your agency can be assigned."), field="user", code="not_agency_member"
        )
    if not role_within_ceiling(role, grant.role_ceiling):
        raise ValidationFailed(
            _("The client allows at most the %(ceiling)s role.")
            % {"ceiling": Role(grant.role_ceiling).label},
            field="role",
            code="above_ceiling",
        )
    if WorkspaceMember.objects.filter(workspace=grant.workspace, user=user).exists():
        raise ValidationFailed(
            _("This person already has access to the workspace."), field="user", code="already_member"
        )
    member = WorkspaceMember.objects.create(workspace=grant.workspace, user=user, role=role, grant=grant)
    audit_record(
        actor=actor,
        action="agency_assignment.created",
        target=member,
        workspace=grant.workspace,
        after={"user": user.email, "role": role, "agency": grant.agency.name},
    )
    return member


@transaction.atomic
def agency_assignment_remove(*, actor: User, member: WorkspaceMember) -> None:
    member = WorkspaceMember.objects.select_related("grant__agency", "workspace", "user").get(pk=member.pk)
    if member.grant is None:
        raise ValidationFailed(_("This person was not assigned by an agency."), field="member")
    _require_org_admin(actor=actor, organization=member.grant.agency)
    audit_record(
        actor=actor,
        action="agency_assignment.removed",
        target=member,
        workspace=member.workspace,
        before={"user": member.user.email, "role": member.role},
    )
    member.delete()


# --- people and tokens -----------------------------------------------------------------------------


@transaction.atomic
def user_update_profile(*, actor: User, full_name: str | None = None, language: str | None = None) -> User:
    before = snapshot(actor, ["full_name", "language"])
    if language is not None:
        if language not in LANGUAGE_CODES:
            raise ValidationFailed(_("Unsupported language."), field="language")
        actor.language = language
    if full_name is not None:
        actor.full_name = full_name.strip()[:150]
    actor.save(update_fields=["full_name", "language"])
    audit_record(
        actor=actor,
        action="user.updated",
        target=actor,
        before=before,
        after=snapshot(actor, ["full_name", "language"]),
    )
    return actor


@transaction.atomic
def personal_token_create(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry must be in the future."), field="expires_at")
    plain = new_secret("kawo_pat_")
    try:
        token = PersonalAccessToken.objects.create(
            user=actor,
            name=name[:100],
            prefix=plain[:14],
            token_hash=hash_secret(plain),
            expires_at=expires_at,
        )
    except IntegrityError:  # pragma: no cover - 256 bits of randomness
        raise ValidationFailed(_("Please try again."), field="name") from None
    audit_record(actor=actor, action="token.created", target=token, after={"name": token.name})
    return token, plain


@transaction.atomic
def personal_token_revoke(*, actor: User, token: PersonalAccessToken) -> PersonalAccessToken:
    if token.user_id != actor.pk:
        raise PermissionRefused(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="token.revoked", target=token, after={"name": token.name})
    return token

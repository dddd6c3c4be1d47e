"""A tenant leaves: its organization's owner exports a workspace, deletes a workspace or the whole
organization (soft: gone for everyone at once, restorable by the owner for
settings.KAWO_DELETION_GRACE_DAYS), and the beat task `lifecycle.purge_due` hard-deletes it when the
grace ends (lifecycle.purge). Every step is audited. What the audit trail keeps after a purge: the
tenant's own audit events go with it; one event of the purge stays, with the name and the row counts
and no content (at the organization's level for a workspace; with no organization for an organization).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts.models import Membership, Organization, User, Workspace
from accounts.roles import OrgRole
from core.audit import audit_event, audit_record
from core.errors import Conflict, PermissionRefused, ValidationFailed

from . import exports, purge
from .models import WorkspaceExport

logger = logging.getLogger(__name__)
S = WorkspaceExport.Status


def is_owner(*, user, organization: Organization) -> bool:
    return Membership.objects.filter(
        organization=organization, user_id=getattr(user, "pk", None), role=OrgRole.OWNER
    ).exists()


def _require_owner(*, actor: User, organization: Organization) -> None:
    if not is_owner(user=actor, organization=organization):
        raise PermissionRefused(_("Only the organization's owners can export or delete it."))


def _check_name(typed: str, expected: str) -> None:
    if (typed or "").strip() != expected:
        raise ValidationFailed(
            _("Type the name exactly as shown to confirm: %(name)s") % {"name": expected},
            field="confirm_name",
            code="confirm_name",
        )


def grace_end(now: datetime) -> datetime:
    return now + timedelta(days=settings.KAWO_DELETION_GRACE_DAYS)


# --- export ---------------------------------------------------------------------------------------------


@transaction.atomic
def workspace_export_request(*, actor: User, workspace: Workspace) -> WorkspaceExport:
    _require_owner(actor=actor, organization=workspace.organization)
    if WorkspaceExport.objects.filter(workspace=workspace, status__in=(S.PENDING, S.RUNNING)).exists():
        raise Conflict(_("An export of this workspace is already running."), code="export_running")
    job = WorkspaceExport.objects.create(workspace=workspace, requested_by=actor)
    audit_record(actor=actor, action="workspace.export_requested", target=workspace, workspace=workspace)
    job_id, language = job.pk, translation.get_language() or "en"

    def send() -> None:
        from . import tasks

        try:
            tasks.workspace_export_run.delay(job_id)
        except OperationalError as exc:
            logger.warning("could not enqueue workspace export %s: %s", job_id, exc)
            with translation.override(language):
                message = _("The export could not be queued (the task queue is unreachable); try again.")
            WorkspaceExport.objects.filter(pk=job_id, status=S.PENDING).update(
                status=S.FAILED, message=message
            )

    transaction.on_commit(send)
    return job


def workspace_export_run(*, export_id: int) -> str:
    """The task's work; nothing for a job that is not pending (a task delivered twice)."""
    if not WorkspaceExport.objects.filter(pk=export_id, status=S.PENDING).update(
        status=S.RUNNING, progress=1
    ):
        return "skipped"
    job = WorkspaceExport.objects.select_related("workspace__organization").get(pk=export_id)

    def progress(done: int, total: int) -> None:
        WorkspaceExport.objects.filter(pk=export_id).update(progress=max(1, int(done / total * 90)))

    try:
        archive, manifest = exports.build(job.workspace, progress=progress)
    except Exception as exc:  # the job says it failed; the worker goes on
        logger.exception("workspace export %s failed", export_id)
        WorkspaceExport.objects.filter(pk=export_id).update(
            status=S.FAILED, message=str(exc)[:500] or "failed", finished_at=timezone.now()
        )
        return "failed"
    name = exports.export_file_name(job.workspace)
    with archive:
        job.file.save(name, File(archive), save=False)
    WorkspaceExport.objects.filter(pk=export_id, status=S.RUNNING).update(
        status=S.DONE,
        progress=100,
        rows=sum(manifest["models"].values()),
        files=len(manifest["files"]),
        file=job.file.name,
        file_name=name,
        finished_at=timezone.now(),
    )
    return "done"


def workspace_export_files_expire(*, now: datetime | None = None) -> int:
    """Delete the zip of every export finished more than KAWO_EXPORT_FILE_RETENTION_DAYS ago (as the
    analytics exports do); the row stays and says "expired"."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KAWO_EXPORT_FILE_RETENTION_DAYS)
    expired = 0
    old = WorkspaceExport.objects.filter(
        status__in=(S.DONE, S.FAILED), expired_at__isnull=True, finished_at__lt=cutoff
    ).only("pk", "file")
    for job in old.iterator():
        if not WorkspaceExport.objects.filter(pk=job.pk, expired_at__isnull=True).update(
            expired_at=now, file=""
        ):
            continue
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += 1
    return expired


# --- delete and restore ---------------------------------------------------------------------------------


@transaction.atomic
def workspace_delete(*, actor: User, workspace: Workspace, confirm_name: str) -> Workspace:
    _require_owner(actor=actor, organization=workspace.organization)
    _check_name(confirm_name, workspace.name)
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if workspace.deleted_at is None:
        now = timezone.now()
        workspace.deleted_at, workspace.purge_after = now, grace_end(now)
        workspace.save(update_fields=["deleted_at", "purge_after", "updated_at"])
        audit_record(
            actor=actor,
            action="workspace.deleted",
            target=workspace,
            workspace=workspace,
            after={"purge_after": workspace.purge_after.isoformat()},
        )
    return workspace


@transaction.atomic
def workspace_restore(*, actor: User, workspace: Workspace) -> Workspace:
    _require_owner(actor=actor, organization=workspace.organization)
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if workspace.deleted_at is not None:
        before = {"purge_after": workspace.purge_after.isoformat() if workspace.purge_after else None}
        workspace.deleted_at = workspace.purge_after = None
        workspace.save(update_fields=["deleted_at", "purge_after", "updated_at"])
        audit_record(
            actor=actor, action="workspace.restored", target=workspace, workspace=workspace, before=before
        )
    return workspace


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization, confirm_name: str) -> Organization:
    _require_owner(actor=actor, organization=organization)
    _check_name(confirm_name, organization.name)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.deleted_at is None:
        now = timezone.now()
        organization.deleted_at, organization.purge_after = now, grace_end(now)
        organization.save(update_fields=["deleted_at", "purge_after", "updated_at"])
        audit_record(
            actor=actor,
            action="organization.deleted",
            target=organization,
            organization=organization,
            after={"purge_after": organization.purge_after.isoformat()},
        )
    return organization


@transaction.atomic
def organization_restore(*, actor: User, organization: Organization) -> Organization:
    _require_owner(actor=actor, organization=organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.deleted_at is not None:
        before = {"purge_after": organization.purge_after.isoformat() if organization.purge_after else None}
        organization.deleted_at = organization.purge_after = None
        organization.save(update_fields=["deleted_at", "purge_after", "updated_at"])
        audit_record(
            actor=actor,
            action="organization.restored",
            target=organization,
            organization=organization,
            before=before,
        )
    return organization


# --- the hard delete ------------------------------------------------------------------------------------


def workspace_purge(*, workspace: Workspace) -> purge.PurgeResult:
    organization = workspace.organization
    label, pk = workspace.name, workspace.pk
    with transaction.atomic():
        result = purge.purge(workspace)
        event = audit_event(
            actor=None,
            action="workspace.purged",
            organization=organization,
            after={"workspace_id": pk, "rows": result.row_count, "files": len(result.files)},
            actor_label="system",
        )
        # The event names the workspace that no longer exists (no row to point at).
        event.target_type, event.target_id, event.target_repr = "accounts.workspace", str(pk), label[:200]
        event.save()
    return result


def organization_purge(*, organization: Organization) -> purge.PurgeResult:
    label, pk = organization.name, organization.pk
    with transaction.atomic():
        result = purge.purge(organization)
        # Its own audit events went with it; this one stays, with no organization to belong to.
        event = audit_event(
            actor=None,
            action="organization.purged",
            after={"organization_id": pk, "rows": result.row_count, "files": len(result.files)},
            actor_label="system",
        )
        event.target_type, event.target_id, event.target_repr = "accounts.organization", str(pk), label[:200]
        event.save()
    return result


def purge_due(*, now: datetime | None = None) -> dict:
    """The beat task's work: purge every workspace and organization whose grace has ended."""
    now = now or timezone.now()
    done = {"organizations": 0, "workspaces": 0}
    for organization in Organization.objects.filter(deleted_at__isnull=False, purge_after__lte=now):
        organization_purge(organization=organization)
        done["organizations"] += 1
    for workspace in Workspace.objects.select_related("organization").filter(
        deleted_at__isnull=False, purge_after__lte=now
    ):
        workspace_purge(workspace=workspace)
        done["workspaces"] += 1
    if any(done.values()):
        logger.info("purged %(organizations)s organization(s) and %(workspaces)s workspace(s)", done)
    return done

"""A workspace's export: one zip with every row of every model that belongs to it and its media files,
made on a Celery worker (lifecycle.exports), with progress and an expiring download, as the analytics
Downloads page does for its tables."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


def export_upload_path(instance: WorkspaceExport, filename: str) -> str:
    # Under the workspace's folder (the hard delete removes it), in a folder nobody can guess.
    return f"workspaces/{instance.workspace_id}/workspace-exports/{uuid.uuid4().hex}/{filename}"


class WorkspaceExport(TimeStampedModel):
    """pending -> running (progress 0-100) -> done (the zip) or failed (message); `expired_at` once the
    cleanup deleted the file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"workspace export {self.pk} ({self.status})"

"""Writes of the analytics app. `snapshots_ingest` is the only way readings get in."""

from .ingest import IngestRefused, IngestResult, SnapshotRow, UnavailableRow, snapshots_ingest
from .workspace_settings import (
    analytics_settings_update,
    custom_metric_create,
    custom_metric_delete,
    custom_metric_update,
)

__all__ = [
    "IngestRefused",
    "IngestResult",
    "SnapshotRow",
    "UnavailableRow",
    "analytics_settings_update",
    "custom_metric_create",
    "custom_metric_delete",
    "custom_metric_update",
    "snapshots_ingest",
]

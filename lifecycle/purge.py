"""The hard delete: every row and every stored file of a workspace or an organization (lifecycle.graph
finds them from the app registry), in one transaction.

Rows go with raw DELETEs, model by model, under deferred foreign-key checks: Django's PROTECT (approval
requests pin post versions; publish attempts and audit events point at rows) is a Python-level refusal,
and the tenant's rows all go together, so no order between them is needed. The checks are made
IMMEDIATE before commit, so a row of another tenant still pointing at one of these fails the purge
(nothing is deleted) instead of leaving a dangling reference. Nullable references from rows that are
not the tenant's (SET_NULL) are cleared first. Files are deleted after commit, and with them the
workspace's folder under MEDIA_ROOT (`workspaces/<id>/`: media, thumbnails, imports, receipts, exports).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from . import graph

logger = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows deleted
    files: list[str] = field(default_factory=list)  # storage names deleted
    workspace_ids: list[int] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(self.rows.values())


def _clear_outside_references(rows: dict[type[models.Model], set]) -> None:
    """Set to null every nullable key still pointing at one of the tenant's rows (run after the tenant's
    own rows are gone, so what is left is other rows: a SET_NULL reference from outside)."""
    for model in graph.all_models():
        for key in model._meta.concrete_fields:
            if not (key.is_relation and (key.many_to_one or key.one_to_one) and key.null):
                continue
            target = rows.get(key.related_model._meta.concrete_model)
            for chunk in graph._chunks(sorted(target or ())):
                model._base_manager.filter(**{f"{key.attname}__in": chunk}).update(**{key.attname: None})


def _delete_rows(root: type[models.Model], rows: dict[type[models.Model], set]) -> dict[str, int]:
    """Raw DELETEs through the keys that made each row the tenant's (a row is the tenant's exactly when
    one of them points at a row of the tenant), so composite primary keys (the partitioned snapshots)
    are never listed."""
    keys = graph.owned_models(root)
    deleted: dict[str, int] = {}
    for model in rows:
        count = 0
        if model is root:
            count = model._base_manager.filter(pk__in=list(rows[model]))._raw_delete(connection.alias)
        for key in keys[model]:
            parents = rows.get(key.related_model._meta.concrete_model)
            for chunk in graph._chunks(sorted(parents or ())):
                queryset = model._base_manager.filter(**{f"{key.attname}__in": chunk})
                count += queryset._raw_delete(connection.alias)
        deleted[model._meta.label] = count
    return deleted


def _stored_files(rows: dict[type[models.Model], set]) -> list[str]:
    names: list[str] = []
    for model, pks in rows.items():
        fields = graph.file_fields(model)
        if not fields:
            continue
        for chunk in graph._chunks(sorted(pks)):
            for values in model._base_manager.filter(pk__in=chunk).values_list(*[f.attname for f in fields]):
                names.extend(name for name in values if name)
    return names


def purge(instance: models.Model) -> PurgeResult:
    """Delete `instance` (a Workspace or an Organization) and everything that belongs to it."""
    from accounts.models import Workspace

    result = PurgeResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        rows = graph.owned_rows(instance)
        result.workspace_ids = sorted(rows.get(Workspace, set()))
        result.files = _stored_files(rows)
        result.rows = _delete_rows(instance._meta.concrete_model, rows)
        _clear_outside_references(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        files, workspace_ids = list(result.files), list(result.workspace_ids)
        transaction.on_commit(lambda: delete_files(files, workspace_ids))
    return result


def delete_files(names: list[str], workspace_ids: list[int]) -> None:
    """The files named by the deleted rows, then each workspace's folder (files no row named any more)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name, exc_info=True)
    for workspace_id in workspace_ids:
        folder = f"workspaces/{workspace_id}"
        try:
            path = default_storage.path(folder)
        except NotImplementedError:  # a remote store: the named files are all it had
            continue
        shutil.rmtree(path, ignore_errors=True)

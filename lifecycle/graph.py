"""Which rows belong to a workspace or an organization, derived from the app registry (no hand-kept list).

A row belongs to a tenant when one of its foreign keys that would take it along (CASCADE, PROTECT or
RESTRICT: the row cannot outlive its parent) points at a row that belongs to the tenant: the workspace or
organization itself, or any row found so far (a post's versions through the post, a stage's approvers
through the workflow, many-to-many link tables through either side). A foreign key that would be set to
null (SET_NULL, SET_DEFAULT) or left alone does not make a row the tenant's: such references from other
rows are cleared instead (lifecycle.purge).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models

OWNING = (models.CASCADE, models.PROTECT, models.RESTRICT)
IN_CHUNK = 1_000


def all_models() -> list[type[models.Model]]:
    """Every concrete model with a table, many-to-many link tables included."""
    return [model for model in apps.get_models(include_auto_created=True) if not model._meta.proxy]


def owning_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.remote_field.on_delete in OWNING
    ]


def owned_models(root: type[models.Model]) -> dict[type[models.Model], list[models.ForeignKey]]:
    """Every model whose rows can belong to a `root` (Workspace or Organization), with the keys that
    make them so, `root` itself first (with no keys)."""
    found: dict[type[models.Model], list[models.ForeignKey]] = {root: []}
    changed = True
    while changed:
        changed = False
        for model in all_models():
            keys = [
                key
                for key in owning_keys(model)
                if key.related_model._meta.concrete_model in found and key not in found.get(model, [])
            ]
            if keys:
                found.setdefault(model, []).extend(keys)
                changed = True
    return found


def _chunks(values: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def owned_rows(instance: models.Model) -> dict[type[models.Model], set]:
    """The primary keys of every row that belongs to `instance` (a Workspace or an Organization), by
    model, `instance` itself included. Follows the keys until no new row turns up."""
    graph = owned_models(instance._meta.concrete_model)
    rows: dict[type[models.Model], set] = {model: set() for model in graph}
    rows[instance._meta.concrete_model] = {instance.pk}
    new: dict[type[models.Model], set] = {instance._meta.concrete_model: {instance.pk}}
    while new:
        found: dict[type[models.Model], set] = {}
        for model, keys in graph.items():
            for key in keys:
                parents = new.get(key.related_model._meta.concrete_model)
                if not parents:
                    continue
                for chunk in _chunks(sorted(parents)):
                    pks = model._base_manager.filter(**{f"{key.attname}__in": chunk}).values_list(
                        "pk", flat=True
                    )
                    fresh = set(pks) - rows[model]
                    if fresh:
                        rows[model] |= fresh
                        found.setdefault(model, set()).update(fresh)
        new = found
    return {model: pks for model, pks in rows.items() if pks}


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]

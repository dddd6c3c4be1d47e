"""A workspace's export: a zip of every row of every model that belongs to it (lifecycle.graph, from the
app registry) as JSON lines per model, plus every stored file its rows name.

    manifest.json            what is inside: counts per model, the files, the fields left out
    data/<app.model>.jsonl   one row per line, Django's serializer shape {"model", "pk", "fields"}
    media/<storage name>     each file, at the name its row stores

Secrets are not exported in clear: credential ciphertexts (OAuth tokens, webhook and message-server
secrets), token and nonce hashes are replaced by null, and the manifest lists each field so left out
(`redacted`). The workspace's earlier exports are not part of an export.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Callable

from django.core import serializers
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from . import graph
from .models import WorkspaceExport

FORMAT_VERSION = 1
SECRET_NAME = re.compile(r"ciphertext|secret|password|nonce|aes_key|code_hash|(^|_)token($|_hash)")
SECRET_NOTE = (
    "Secrets are not exported in clear: the fields listed under 'redacted' (encrypted credentials such "
    "as OAuth tokens, signing secrets, token hashes) are null in data/. Reconnect the accounts after an "
    "import."
)
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
EXCLUDED = (WorkspaceExport,)


def secret_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.BinaryField))
        and SECRET_NAME.search(field.name)
    ]


def export_file_name(workspace) -> str:
    name = UNSAFE_IN_NAMES.sub("-", workspace.name).strip(" .-") or f"workspace-{workspace.pk}"
    return f"{name}_export_{timezone.now():%Y-%m-%d}.zip"


def build(workspace, *, progress: Callable[[int, int], None] | None = None):
    """The zip as a temporary file (positioned at 0) and the manifest."""
    rows = {
        model: pks for model, pks in graph.owned_rows(workspace).items() if not issubclass(model, EXCLUDED)
    }
    ordered = sorted(rows, key=lambda model: model._meta.label_lower)
    manifest: dict = {
        "format": "kawo-workspace-export",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "workspace": {"id": workspace.pk, "name": workspace.name, "slug": workspace.slug},
        "organization": {"id": workspace.organization_id, "name": workspace.organization.name},
        "models": {},
        "files": [],
        "missing_files": [],
        "redacted": {},
        "secrets": SECRET_NOTE,
    }
    out = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the caller stores and closes it)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, model in enumerate(ordered, start=1):
            label = model._meta.label_lower
            hidden = secret_fields(model)
            if hidden:
                manifest["redacted"][label] = hidden
            count, stored = 0, []
            with archive.open(f"data/{label}.jsonl", "w") as stream:
                for chunk in graph._chunks(sorted(rows[model])):
                    queryset = model._base_manager.filter(pk__in=chunk).order_by("pk")
                    for item in serializers.serialize("python", queryset):
                        for name in hidden:
                            item["fields"][name] = None
                        stream.write(json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
                        stream.write(b"\n")
                        count += 1
                    for field in graph.file_fields(model):
                        stored.extend(name for name in queryset.values_list(field.attname, flat=True) if name)
            for name in stored:
                _add_file(archive, name, manifest)
            manifest["models"][label] = count
            if progress:
                progress(index, len(ordered))
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    out.seek(0)
    return out, manifest


def _add_file(archive: zipfile.ZipFile, name: str, manifest: dict) -> None:
    if name in manifest["files"]:
        return
    try:
        with default_storage.open(name, "rb") as source, archive.open(f"media/{name}", "w") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                target.write(block)
    except (FileNotFoundError, OSError):
        manifest["missing_files"].append(name)
        return
    manifest["files"].append(name)


def read(path_or_file) -> dict:
    """An export parsed back: {"manifest", "rows": {label: [row, ...]}, "files": {name: bytes}}."""
    parsed: dict = {"rows": {}, "files": {}}
    with zipfile.ZipFile(path_or_file) as archive:
        parsed["manifest"] = json.loads(archive.read("manifest.json"))
        for name in archive.namelist():
            if name.startswith("data/") and name.endswith(".jsonl"):
                label = name[len("data/") : -len(".jsonl")]
                lines = archive.read(name).decode().splitlines()
                parsed["rows"][label] = [json.loads(line) for line in lines if line]
            elif name.startswith("media/"):
                parsed["files"][name[len("media/") :]] = archive.read(name)
    return parsed

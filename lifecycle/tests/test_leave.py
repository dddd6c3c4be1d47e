"""Acceptance 6 (issue 17): a workspace exported, deleted (hard), and its export parsed back has every
post, version, approval and media file; after the purge no row or file of it is left."""

from __future__ import annotations

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

from accounts.models import Membership, Organization, Workspace
from accounts.roles import OrgRole
from accounts.selectors import workspace_access_for, workspaces_for_user
from approvals.models import ApprovalDecision, ApprovalRequest
from channels_app.models import AccountCredential, SocialAccount
from channels_app.vault import Credentials, credentials_write
from content.models import MediaAsset, Post, PostTarget, PostVersion
from core.models import AuditEvent
from lifecycle import exports, graph, services
from lifecycle.models import WorkspaceExport

pytestmark = pytest.mark.django_db
NO_SIM = "http://127.0.0.1:9"


@pytest.fixture
def demo(request, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    extra = getattr(request, "param", ())  # the first test keeps the analytics history (partitions)
    call_command("seed_demo", "--sim-url", NO_SIM, *extra, stdout=StringIO(), stderr=StringIO())
    workspace = max(Workspace.objects.all(), key=lambda w: Post.objects.filter(workspace=w).count())
    owner = Membership.objects.get(organization=workspace.organization, role=OrgRole.OWNER).user
    return workspace, owner


def tenant_keyed_models() -> list[tuple[type[models.Model], models.Field]]:
    """Every model with a key to a workspace or an organization, straight from the app registry."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Workspace, Organization):
                found.append((model, field))
    return found


def pks(model, **filters) -> set:
    return set(model.objects.filter(**filters).values_list("pk", flat=True))


def test_export_then_purge_keeps_everything_in_the_zip_and_nothing_in_the_database(
    demo, django_capture_on_commit_callbacks
):
    # given a demo workspace with posts, versions, approvals and media files
    workspace, owner = demo
    posts, versions = pks(Post, workspace=workspace), pks(PostVersion, post__workspace=workspace)
    requests = pks(ApprovalRequest, workspace=workspace)
    decisions = pks(ApprovalDecision, request__workspace=workspace)
    media = list(MediaAsset.objects.filter(workspace=workspace))
    assert posts and versions and requests and decisions and media
    account = SocialAccount.objects.filter(workspace=workspace).first()
    credentials_write(account, Credentials(access_token="access-in-clear-42", refresh_token="refresh-42"))
    others = {
        w.pk: Post.objects.filter(workspace=w).count() for w in Workspace.objects.exclude(pk=workspace.pk)
    }

    # when the owner exports it (the job runs on commit; tasks are eager in tests)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.workspace_export_request(actor=owner, workspace=workspace)
    job.refresh_from_db()

    # then the zip parsed back has every post, version, approval and media file, and no secret in clear
    assert (job.status, job.progress) == (WorkspaceExport.Status.DONE, 100), job.message
    with default_storage.open(job.file.name, "rb") as stream:
        parsed = exports.read(stream)
    ids = {label: {_key(row["pk"]) for row in rows} for label, rows in parsed["rows"].items()}
    assert ids["content.post"] == posts
    assert ids["content.postversion"] == versions
    assert ids["approvals.approvalrequest"] == requests
    assert ids["approvals.approvaldecision"] == decisions
    assert ids["accounts.workspace"] == {workspace.pk}
    for asset in media:
        with default_storage.open(asset.file.name, "rb") as stored:
            assert parsed["files"][asset.file.name] == stored.read()
    credentials = parsed["rows"]["channels_app.accountcredential"]
    assert credentials and all(row["fields"]["ciphertext"] is None for row in credentials)
    with default_storage.open(job.file.name, "rb") as stream, zipfile.ZipFile(stream) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"access-in-clear-42" not in everything
    assert AccountCredential.objects.get(account=account).ciphertext.encode() not in everything
    assert "ciphertext" in parsed["manifest"]["redacted"]["channels_app.accountcredential"]
    assert parsed["manifest"]["models"]["content.post"] == len(posts)

    # when the owner deletes it (soft): it is gone for everyone at once
    services.workspace_delete(actor=owner, workspace=workspace, confirm_name=workspace.name)
    rows_before = graph.owned_rows(workspace)
    files_before = list(exports_files(rows_before))
    assert files_before
    assert workspace.pk not in {w.pk for w in workspaces_for_user(user=owner)}
    assert workspace_access_for(user=owner, workspace_id=workspace.pk) is None
    # and when the grace period ends, the beat task purges it
    workspace.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.purge_due(now=workspace.purge_after)
    assert done["workspaces"] == 1

    # then no row keyed to it is left, in any table with a workspace or organization key
    keyed = tenant_keyed_models()
    assert len(keyed) > 40
    for model, field in keyed:
        if field.related_model is Workspace:
            assert not model._base_manager.filter(**{field.attname: workspace.pk}).exists(), model
    # nor any row that belonged to it through a parent (a post's versions, a request's decisions ...)
    for model, before in rows_before.items():
        assert not remaining(model, before), model
    # nor any file: the rows' files and the workspace's folder are gone
    for name in files_before:
        assert not default_storage.exists(name), name
    assert not Path(default_storage.path(f"workspaces/{workspace.pk}")).exists()
    # the other workspaces keep everything
    assert {w: Post.objects.filter(workspace_id=w).count() for w in others} == others
    # and the organization's audit trail says it was purged, with no content
    event = AuditEvent.objects.get(organization=workspace.organization, action="workspace.purged")
    assert (event.target_id, event.target_repr) == (str(workspace.pk), workspace.name)
    assert event.after["rows"] == sum(len(v) for v in rows_before.values())


def remaining(model, keys) -> bool:
    """Whether any of these rows is still there (in small batches: composite keys make long SQL)."""
    keys = sorted(keys)
    return any(
        model._base_manager.filter(pk__in=keys[start : start + 200]).exists()
        for start in range(0, len(keys), 200)
    )


def _key(pk):
    return tuple(pk) if isinstance(pk, list) else pk  # a composite key (the partitioned snapshots)


def exports_files(rows):
    for model, keys in rows.items():
        for field in graph.file_fields(model):
            yield from (
                name
                for name in model._base_manager.filter(pk__in=list(keys)).values_list(
                    field.attname, flat=True
                )
                if name
            )


@pytest.mark.parametrize("demo", [("--no-analytics",)], indirect=True)
def test_purging_an_organization_leaves_no_row_keyed_to_it_or_its_workspaces(
    demo, django_capture_on_commit_callbacks
):
    workspace, owner = demo
    organization = workspace.organization
    workspace_ids = list(organization.workspaces.values_list("pk", flat=True))
    rows_before = graph.owned_rows(organization)
    services.organization_delete(actor=owner, organization=organization, confirm_name=organization.name)
    assert workspace_access_for(user=owner, workspace_id=workspace.pk) is None

    organization.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_due(now=organization.purge_after)["organizations"] == 1

    for model, field in tenant_keyed_models():
        values = [organization.pk] if field.related_model is Organization else workspace_ids
        assert not model._base_manager.filter(**{f"{field.attname}__in": values}).exists(), model
    for model, before in rows_before.items():
        assert not remaining(model, before), model
    for workspace_id in workspace_ids:
        assert not Path(default_storage.path(f"workspaces/{workspace_id}")).exists()
    assert AuditEvent.objects.filter(action="organization.purged", target_id=str(organization.pk)).exists()
    # the other organizations (the agency) are untouched
    assert Organization.objects.exclude(pk=organization.pk).exists()
    assert PostTarget.objects.exists() or not Workspace.objects.exists()

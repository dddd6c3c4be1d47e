"""Delete and restore: owners only, the name typed to confirm, the workspace gone for everyone (its
scheduled posts wait) until restored; the API answers as the pages do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Workspace
from accounts.roles import OrgRole, Role
from accounts.selectors import workspace_access_for
from accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from content.models import TargetStatus
from content.tests.factories import PostFactory, PostTargetFactory
from core.errors import PermissionRefused, ValidationFailed
from lifecycle import services
from publishing.pipeline.dispatcher import claim_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    workspace = WorkspaceFactory(name="Lotus Tea China")
    owner = MembershipFactory(organization=workspace.organization, role=OrgRole.OWNER).user
    admin = MembershipFactory(organization=workspace.organization, role=OrgRole.ADMIN).user
    editor = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=editor, role=Role.EDITOR)
    return workspace, owner, admin, editor


def test_only_an_owner_deletes_and_only_with_the_exact_name(tenant):
    workspace, owner, admin, _editor = tenant
    with pytest.raises(PermissionRefused):
        services.workspace_delete(actor=admin, workspace=workspace, confirm_name=workspace.name)
    with pytest.raises(ValidationFailed) as refused:
        services.workspace_delete(actor=owner, workspace=workspace, confirm_name="Lotus Tea")
    assert "confirm_name" in refused.value.fields
    assert Workspace.objects.get(pk=workspace.pk).deleted_at is None


def test_a_deleted_workspace_is_gone_for_everyone_publishes_nothing_and_comes_back_restored(tenant):
    workspace, owner, admin, editor = tenant
    post = PostFactory(workspace=workspace, scheduled_at=timezone.now() - timedelta(minutes=1))
    PostTargetFactory(post=post, status=TargetStatus.SCHEDULED)
    # when
    deleted = services.workspace_delete(actor=owner, workspace=workspace, confirm_name=" Lotus Tea China ")
    # then
    assert deleted.purge_after - deleted.deleted_at == timedelta(days=30)
    for user in (owner, admin, editor):
        assert workspace_access_for(user=user, workspace_id=workspace.pk) is None
    assert claim_due() == 0
    # the purge waits for the grace period
    assert services.purge_due(now=deleted.purge_after - timedelta(seconds=1)) == {
        "organizations": 0,
        "workspaces": 0,
    }
    # when restored
    with pytest.raises(PermissionRefused):
        services.workspace_restore(actor=admin, workspace=workspace)
    services.workspace_restore(actor=owner, workspace=workspace)
    # then
    assert workspace_access_for(user=editor, workspace_id=workspace.pk) is not None
    assert claim_due() == 1


def test_the_api_deletes_for_owners_and_refuses_admins(tenant, api_client):
    workspace, owner, admin, _editor = tenant
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    url = f"/api/v1/workspaces/{workspace.pk}/delete/"
    api_client.force_authenticate(admin)
    assert api_client.post(url, {"confirm_name": workspace.name}, format="json").status_code == 403
    api_client.force_authenticate(owner)
    wrong = api_client.post(url, {"confirm_name": "nope"}, format="json")
    assert wrong.status_code == 400 and "confirm_name" in wrong.json()["error"]["fields"]
    assert api_client.post(url, {"confirm_name": workspace.name}, format="json").status_code == 200
    assert api_client.get(f"/api/v1/workspaces/{workspace.pk}/").status_code == 404
    restore = f"/api/v1/organizations/{workspace.organization_id}/workspaces/restore/"
    response = api_client.post(restore, {"workspace": workspace.pk}, format="json")
    assert response.status_code == 200 and response.json()["deleted_at"] is None
    assert api_client.get(f"/api/v1/workspaces/{workspace.pk}/").status_code == 200

import pytest
import time_machine
from django.utils import timezone

from accounts import services
from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from core.audit import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, Role.ADMIN)


def events(client, workspace, **params):
    response = client.get(f"/api/v1/workspaces/{workspace.pk}/audit-events/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_lists_only_this_workspaces_events_newest_first(client_for, workspace, admin, member_factory):
    # given
    editor = member_factory(workspace, Role.EDITOR)
    services.member_change_role(actor=admin.user, member=editor, role=Role.VIEWER)
    services.workspace_update(actor=admin.user, workspace=workspace, name="Renamed")
    audit_record(actor=admin.user, action="workspace.updated", workspace=WorkspaceFactory())
    # when
    rows = events(client_for(admin.user), workspace)
    # then
    assert [row["action"] for row in rows] == ["workspace.updated", "member.role_changed"]
    assert rows[1]["target_type"] == "accounts.workspacemember"
    assert rows[1]["before"] == {"role": "editor"} and rows[1]["after"] == {"role": "viewer"}
    assert rows[1]["actor"] == admin.user.pk and rows[1]["actor_label"] == admin.user.email


def test_filters_by_action_actor_and_target_type(client_for, workspace, admin):
    # given
    colleague = UserFactory(email="Colleague@Example.com")
    audit_record(actor=admin.user, action="member.removed", workspace=workspace, target=workspace)
    audit_record(actor=colleague, action="workspace.updated", workspace=workspace, target=workspace)
    audit_record(actor=colleague, action="member.removed", workspace=workspace, target=admin.user)
    client = client_for(admin.user)
    # then
    assert len(events(client, workspace, action="member.removed")) == 2
    by_id = events(client, workspace, actor=str(colleague.pk))
    by_email = events(client, workspace, actor="colleague@example.com")
    assert [r["id"] for r in by_id] == [r["id"] for r in by_email] and len(by_id) == 2
    assert len(events(client, workspace, target_type="accounts.user")) == 1
    assert len(events(client, workspace, actor=str(colleague.pk), action="member.removed")) == 1


def test_filters_by_time(client_for, workspace, admin):
    # given
    start = timezone.now()
    with time_machine.travel(start - timezone.timedelta(days=3)):
        audit_record(actor=admin.user, action="old", workspace=workspace)
    with time_machine.travel(start - timezone.timedelta(days=1)):
        audit_record(actor=admin.user, action="recent", workspace=workspace)
    client = client_for(admin.user)
    since = (start - timezone.timedelta(days=2)).isoformat()
    # then
    assert [r["action"] for r in events(client, workspace, since=since)] == ["recent"]
    assert [r["action"] for r in events(client, workspace, until=since)] == ["old"]


def test_a_malformed_time_is_a_field_error(client_for, workspace, admin):
    response = client_for(admin.user).get(
        f"/api/v1/workspaces/{workspace.pk}/audit-events/", {"since": "soon"}
    )
    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_pages_follow_the_cursor_without_gaps(client_for, workspace, admin):
    # given
    for n in range(5):
        audit_record(actor=admin.user, action=f"event.{n}", workspace=workspace)
    client = client_for(admin.user)
    # when
    first = client.get(f"/api/v1/workspaces/{workspace.pk}/audit-events/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    # then
    actions = [r["action"] for r in first["results"] + second["results"]]
    assert actions == [f"event.{n}" for n in range(4, -1, -1)]
    assert second["next"] is None


def test_audit_needs_audit_view(client_for, workspace, member_factory):
    manager = member_factory(workspace, Role.MANAGER)
    assert client_for(manager.user).get(f"/api/v1/workspaces/{workspace.pk}/audit-events/").status_code == 403

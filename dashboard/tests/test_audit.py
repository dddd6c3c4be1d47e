from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def make_event(workspace, *, actor, action, at, before=None, after=None, target_repr="target"):
    event = AuditEvent.objects.create(
        workspace=workspace,
        organization=workspace.organization,
        actor=actor,
        actor_label=actor.email,
        action=action,
        target_repr=target_repr,
        before=before,
        after=after,
    )
    AuditEvent.objects.filter(pk=event.pk).update(created_at=at)
    return event


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, role=Role.ADMIN).user


def test_audit_times_are_shown_in_the_workspace_time_zone(client, member_factory):
    # given
    shanghai = WorkspaceFactory(timezone="Asia/Shanghai")
    new_york = WorkspaceFactory(timezone="America/New_York")
    admin = member_factory(shanghai, role=Role.ADMIN).user
    member_factory(new_york, role=Role.ADMIN, user=admin)
    moment = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    make_event(shanghai, actor=admin, action="workspace.updated", at=moment)
    make_event(new_york, actor=admin, action="workspace.updated", at=moment)
    client.force_login(admin)
    # when
    in_shanghai = client.get(reverse("dashboard:audit", args=[shanghai.pk])).content.decode()
    in_new_york = client.get(reverse("dashboard:audit", args=[new_york.pk])).content.decode()
    # then
    assert "2026-03-01 10:30:00" in in_shanghai
    assert "2026-02-28 21:30:00" in in_new_york
    assert "Asia/Shanghai" in in_shanghai


def test_audit_shows_before_and_after_readably(client, workspace, admin):
    # given
    make_event(
        workspace,
        actor=admin,
        action="member.role_changed",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        before={"role": "editor"},
        after={"role": "manager"},
    )
    client.force_login(admin)
    # when
    html = client.get(reverse("dashboard:audit", args=[workspace.pk])).content.decode()
    # then
    assert "Member role changed" in html
    assert '<span class="before">Editor</span>' in html
    assert '<span class="after">Manager</span>' in html


def test_audit_filters_by_action_actor_and_dates(client, workspace, admin):
    # given
    other = UserFactory()
    make_event(
        workspace,
        actor=admin,
        action="member.removed",
        at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        target_repr="removed-early",
    )
    make_event(
        workspace,
        actor=admin,
        action="member.removed",
        at=datetime(2026, 3, 5, 12, tzinfo=UTC),
        target_repr="removed-late",
    )
    make_event(
        workspace,
        actor=other,
        action="invitation.created",
        at=datetime(2026, 3, 5, 12, tzinfo=UTC),
        target_repr="invited-by-other",
    )
    # 2026-03-02 17:00 UTC is 2026-03-03 01:00 in Shanghai: inside a filter for 3 March.
    make_event(
        workspace,
        actor=admin,
        action="workspace.updated",
        at=datetime(2026, 3, 2, 17, tzinfo=UTC),
        target_repr="late-evening-utc",
    )
    client.force_login(admin)
    url = reverse("dashboard:audit", args=[workspace.pk])
    # when
    by_action = client.get(url, {"action": "member.removed"}).content.decode()
    by_actor = client.get(url, {"actor": other.pk}).content.decode()
    by_date = client.get(url, {"date_from": "2026-03-03", "date_to": "2026-03-03"}).content.decode()
    # then
    assert "removed-early" in by_action and "removed-late" in by_action
    assert "invited-by-other" not in by_action
    assert "invited-by-other" in by_actor and "removed-early" not in by_actor
    assert "late-evening-utc" in by_date
    assert "removed-early" not in by_date and "removed-late" not in by_date


def test_audit_rejects_reversed_date_range_with_a_field_error(client, workspace, admin):
    # given
    make_event(
        workspace,
        actor=admin,
        action="member.removed",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        target_repr="any-event",
    )
    client.force_login(admin)
    # when
    html = client.get(
        reverse("dashboard:audit", args=[workspace.pk]), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    ).content.decode()
    # then
    assert "The end date must not be before the start date." in html
    assert "any-event" not in html


def test_audit_shows_only_this_workspaces_events(client, workspace, admin):
    # given
    other = WorkspaceFactory()
    make_event(
        other,
        actor=admin,
        action="member.removed",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        target_repr="secret-of-other-tenant",
    )
    client.force_login(admin)
    # when
    html = client.get(reverse("dashboard:audit", args=[workspace.pk])).content.decode()
    # then
    assert "secret-of-other-tenant" not in html


def test_audit_refused_for_a_manager(client, workspace, member_factory):
    # given
    manager = member_factory(workspace, role=Role.MANAGER).user
    client.force_login(manager)
    # when
    response = client.get(reverse("dashboard:audit", args=[workspace.pk]))
    # then
    assert response.status_code == 403

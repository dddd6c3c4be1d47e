"""The settings pages must not grow their query count with the number of rows (no N+1)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import AgencyGrantFactory, MembershipFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_rows(workspace, admin, n, start=0):
    for i in range(start, start + n):
        grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.EDITOR)
        person = MembershipFactory(organization=grant.agency).user
        WorkspaceMember.objects.create(workspace=workspace, user=person, role=Role.VIEWER, grant=grant)
        services.invitation_create(
            actor=admin, workspace=workspace, email=f"guest{i}@example.com", role=Role.EDITOR
        )
        AuditEvent.objects.create(
            workspace=workspace,
            actor=admin,
            actor_label=admin.email,
            action="member.role_changed",
            before={"role": "editor"},
            after={"role": "viewer"},
        )
    AuditEvent.objects.update(created_at=datetime(2026, 3, 1, tzinfo=UTC))


@pytest.mark.parametrize("page", ["members", "agencies", "audit"])
def test_settings_pages_query_count_does_not_grow(client, workspace, member_factory, page):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    client.force_login(admin)
    url = reverse(f"dashboard:{page}", args=[workspace.pk])
    _add_rows(workspace, admin, 1)
    client.get(url)  # the session now remembers the workspace
    # when
    with_one = _count(client, url)
    _add_rows(workspace, admin, 19, start=1)
    with_twenty = _count(client, url)
    # then
    assert with_twenty == with_one

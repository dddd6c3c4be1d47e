"""Every list endpoint costs the same number of SQL queries for 1 row as for 20.

Each case makes a scope with one row, asks once to warm up, counts the queries of a second ask, adds 19
rows and counts again. A list view added to accounts.api without a case here fails
`test_every_accounts_list_endpoint_has_a_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api import views
from accounts.models import Invitation, PersonalAccessToken
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from core.audit import audit_record
from tests import api_routes

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    """`setup()` returns (user, url kwargs, add_row); `add_row(n)` adds the n-th row to the list."""

    route_name: str
    setup: Callable[[], tuple[object, dict, Callable[[int], None]]]


def _workspace_admin():
    member = WorkspaceMemberFactory(role=Role.ADMIN)
    return member.user, member.workspace


def me_case():
    user = UserFactory()

    def add(n):
        # one more organization (as admin: its workspace is reached through it) and one more workspace
        membership = MembershipFactory(user=user, role=OrgRole.ADMIN if n % 2 else OrgRole.MEMBER)
        WorkspaceFactory(organization=membership.organization)
        grant = AgencyGrantFactory()
        MembershipFactory(organization=grant.agency, user=user)
        WorkspaceMemberFactory(workspace=grant.workspace, user=user, grant=grant, role=Role.VIEWER)
        WorkspaceMemberFactory(user=user, role=Role.EDITOR)

    return user, {}, add


def organizations_case():
    user = UserFactory()
    return user, {}, lambda n: MembershipFactory(user=user)


def organization_members_case():
    owner = MembershipFactory(role=OrgRole.OWNER)
    return (
        owner.user,
        {"organization_id": owner.organization_id},
        lambda n: MembershipFactory(organization=owner.organization),
    )


def received_grants_case():
    agency = AgencyFactory()
    owner = MembershipFactory(organization=agency, role=OrgRole.OWNER).user
    return owner, {"organization_id": agency.pk}, lambda n: AgencyGrantFactory(agency=agency)


def assignments_case():
    grant = AgencyGrantFactory()
    owner = MembershipFactory(organization=grant.agency, role=OrgRole.OWNER).user

    def add(n):
        person = MembershipFactory(organization=grant.agency).user
        WorkspaceMemberFactory(workspace=grant.workspace, user=person, grant=grant, role=Role.VIEWER)

    return owner, {"organization_id": grant.agency_id, "grant_id": grant.pk}, add


def workspaces_case():
    user = UserFactory()

    def add(n):
        if n % 3 == 0:
            MembershipFactory(user=user, role=OrgRole.ADMIN, organization=WorkspaceFactory().organization)
        elif n % 3 == 1:
            WorkspaceMemberFactory(user=user)
        else:
            grant = AgencyGrantFactory()
            MembershipFactory(organization=grant.agency, user=user)
            WorkspaceMemberFactory(workspace=grant.workspace, user=user, grant=grant)

    return user, {}, add


def members_case():
    user, workspace = _workspace_admin()

    def add(n):
        grant = AgencyGrantFactory(workspace=workspace) if n % 2 else None
        WorkspaceMemberFactory(workspace=workspace, grant=grant)

    return user, {"workspace_id": workspace.pk}, add


def invitations_case():
    user, workspace = _workspace_admin()

    def add(n):
        Invitation.objects.create(
            workspace=workspace,
            email=f"invitee{n}@example.com",
            role=Role.VIEWER,
            token_hash=f"{n:064d}",
            invited_by=UserFactory(),
            expires_at="2999-01-01T00:00:00Z",
        )

    return user, {"workspace_id": workspace.pk}, add


def agency_grants_case():
    user, workspace = _workspace_admin()
    return (
        user,
        {"workspace_id": workspace.pk},
        lambda n: AgencyGrantFactory(workspace=workspace, granted_by=UserFactory()),
    )


def audit_events_case():
    user, workspace = _workspace_admin()

    def add(n):
        audit_record(
            actor=UserFactory(), action="test.event", workspace=workspace, target=OrganizationFactory()
        )

    return user, {"workspace_id": workspace.pk}, add


def tokens_case():
    user = UserFactory()

    def add(n):
        PersonalAccessToken.objects.create(user=user, name=f"t{n}", prefix=f"p{n}", token_hash=f"{n:064d}")

    return user, {}, add


CASES = {
    "api-me": me_case,
    "api-organizations": organizations_case,
    "api-organization-members": organization_members_case,
    "api-received-grants": received_grants_case,
    "api-grant-assignments": assignments_case,
    "api-workspaces": workspaces_case,
    "api-members": members_case,
    "api-invitations": invitations_case,
    "api-agency-grants": agency_grants_case,
    "api-audit-events": audit_events_case,
    "api-tokens": tokens_case,
}


def test_every_accounts_list_endpoint_has_a_case():
    list_routes = {
        route.name
        for route in api_routes()
        if route.view_class is not None and issubclass(route.view_class, views._ListMixin)
    }
    assert list_routes, "no list endpoints found"
    missing = list_routes - set(CASES)
    assert not missing, f"add a query-count case to tests/test_query_counts.py for {sorted(missing)}"


def _count(client: APIClient, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if "results" in body else body["workspaces"]
    assert len(rows) >= expected_rows, body
    return len(queries)


@pytest.mark.parametrize("route_name", sorted(CASES))
def test_list_queries_do_not_grow_with_rows(route_name):
    # given
    user, kwargs, add = CASES[route_name]()
    add(0)
    url = reverse(route_name, kwargs=kwargs)
    client = APIClient()
    client.force_authenticate(user)
    client.get(url)  # warm up per-process caches (content types, translations)
    # when
    at_one = _count(client, url, 1)
    for n in range(1, 20):
        add(n)
    at_twenty = _count(client, url, 20)
    # then
    assert at_one == at_twenty, f"{route_name}: {at_one} queries for 1 row, {at_twenty} for 20"

"""The role matrix for agency people on budgets (tests/test_role_matrix.py holds the workspace and
organization matrices and the REQUESTS table this one reuses)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Workspace
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from tests.test_role_matrix import REQUESTS

pytestmark = pytest.mark.django_db


# budgets, agency people: a manager let in through an agency grant (ceiling manager), on budgets whose
# lines are all assigned to that agency, may do what a manager does there except change the plan, which
# is the client's (403). Lines not assigned to the agency are 404 to them: tests/test_isolation.py.
BUDGET_PLAN_WRITES = {
    "POST budget-list",
    "PATCH budget-detail",
    "DELETE budget-detail",
    "POST budget-line-list",
    "PATCH budget-line-detail",
    "DELETE budget-line-detail",
}
AGENCY_BUDGET_CASES = [
    pytest.param(capability, req, id=f"agency-{capability}-{req}")
    for capability in ("budget.view", "budget.edit", "budget.approve")
    for req in REQUESTS[capability]
]


def _agency_manager(workspace: Workspace):
    agency = AgencyFactory()
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.MANAGER)
    person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    WorkspaceMemberFactory(workspace=workspace, user=person, role=Role.MANAGER, grant=grant)
    return agency, person


@pytest.mark.parametrize(("capability", "req"), AGENCY_BUDGET_CASES)
def test_agency_budget_role_matrix(capability, req):
    from budgets.models import BudgetLine

    # given: every line of the workspace assigned to the person's agency
    workspace = WorkspaceFactory()
    WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN)
    agency, person = _agency_manager(workspace)
    kwargs, body = req.build(workspace)
    BudgetLine.objects.filter(workspace=workspace).update(agency=agency)
    path = reverse(req.route_name, kwargs={"workspace_id": workspace.pk, **kwargs})
    client = APIClient()
    client.force_authenticate(person)
    # when
    response = client.generic(req.method, path, data=json.dumps(body or {}), content_type="application/json")
    # then
    if str(req) in BUDGET_PLAN_WRITES:
        assert response.status_code == 403, (str(req), response.status_code)
        assert response.json()["error"]["code"] == "permission_denied"
    else:
        assert 200 <= response.status_code < 300, (str(req), response.status_code, response.content[:300])

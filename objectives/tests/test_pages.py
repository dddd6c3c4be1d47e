"""Objectives pages: the same services as the API; a service's error lands next to its field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from objectives.models import Objective
from objectives.tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

FORM = {"name": "Q1 views", "kpi": "views", "target": "5000", "period": "quarter", "starts_on": "2027-01-01"}


@pytest.fixture
def setup(client):
    workspace = WorkspaceFactory()
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    client.force_login(manager)
    return workspace, client


def test_set_an_objective_from_the_list(setup):
    workspace, client = setup
    response = client.post(
        reverse("dashboard:objectives", args=[workspace.pk]), FORM | {"scope": "workspace"}
    )
    assert response.status_code == 302
    objective = Objective.objects.get(workspace=workspace)
    assert objective.ends_on.isoformat() == "2027-03-31"
    page = client.get(reverse("dashboard:objectives", args=[workspace.pk])).content.decode()
    assert "Q1 views" in page and 'data-testid="objective-pace"' in page


def test_the_error_lands_next_to_its_field(setup):
    workspace, client = setup
    response = client.post(
        reverse("dashboard:objectives", args=[workspace.pk]),
        FORM | {"scope": "workspace", "starts_on": "2027-02-01"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["starts_on"] == [
        "A quarterly objective starts on 1 January, April, July or October."
    ]
    assert not Objective.objects.exists()


def test_edit_and_delete(setup):
    workspace, client = setup
    objective = ObjectiveFactory(workspace=workspace)
    url = reverse("objectives:edit", args=[workspace.pk, objective.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, FORM | {"scope": "workspace", "action": "save", "target": "777"})
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.target == 777
    client.post(url, {"action": "delete"})
    assert not Objective.objects.exists()


def test_an_analyst_sees_the_list_without_the_form(client):
    workspace = WorkspaceFactory()
    client.force_login(WorkspaceMemberFactory(workspace=workspace, role=Role.ANALYST).user)
    ObjectiveFactory(workspace=workspace)
    response = client.get(reverse("dashboard:objectives", args=[workspace.pk]))
    assert response.status_code == 200 and "form" not in response.context


def test_share_of_voice_with_rivals_chosen_in_the_form(setup):
    from competitors.tests.factories import benchmarked_brand

    workspace, client = setup
    brand, _account = benchmarked_brand(workspace, name="Rival Tea")
    url = reverse("dashboard:objectives", args=[workspace.pk])
    assert "Rival Tea" in client.get(url).content.decode()
    form = FORM | {"scope": "workspace", "kpi": "share_of_voice", "target": "0.25", "period": "month"}
    response = client.post(url, form)
    assert response.status_code == 400
    assert response.context["form"].errors["rivals"] == ["Choose the competitor brands to compare with."]
    response = client.post(url, form | {"rivals": [brand.pk]})
    assert response.status_code == 302
    objective = Objective.objects.get(workspace=workspace)
    assert list(objective.rivals.all()) == [brand]
    edit = client.get(reverse("objectives:edit", args=[workspace.pk, objective.pk]))
    assert edit.context["form"].initial["rivals"] == [brand.pk]

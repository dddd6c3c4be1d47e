import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from objectives.models import Objective
from objectives.tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def _client(role="manager"):
    membership = WorkspaceMemberFactory(role=role)
    client = APIClient()
    client.force_authenticate(membership.user)
    return client, membership.workspace


def test_create_list_and_patch():
    client, ws = _client()
    url = reverse("objective-list", args=[ws.pk])
    body = {"name": "Q1", "period": "quarter", "starts_on": "2027-01-01", "kpi": "views", "target": "5000"}
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["ends_on"] == "2027-03-31"
    assert response.json()["progress"]["pace"] in {"not_started", "no_data", "behind", "on_track", "at_risk"}
    listed = client.get(url).json()
    assert [o["name"] for o in listed] == ["Q1"]
    detail = reverse("objective-detail", args=[ws.pk, listed[0]["id"]])
    assert client.patch(detail, {"target": "7000"}, format="json").json()["target"] == "7000"


def test_a_field_error_is_a_400_naming_the_field():
    client, ws = _client()
    body = {"name": "Q1", "period": "quarter", "starts_on": "2027-02-01", "kpi": "views", "target": "5000"}
    response = client.post(reverse("objective-list", args=[ws.pk]), body, format="json")
    assert response.status_code == 400
    assert "starts_on" in response.json()["error"]["fields"]
    assert not Objective.objects.exists()


def test_another_workspaces_objective_is_a_404():
    client, ws = _client()
    other = ObjectiveFactory(workspace=WorkspaceFactory())
    assert client.get(reverse("objective-detail", args=[ws.pk, other.pk])).status_code == 404


def test_an_analyst_reads_but_does_not_change():
    client, ws = _client("analyst")
    objective = ObjectiveFactory(workspace=ws)
    detail = reverse("objective-detail", args=[ws.pk, objective.pk])
    assert client.get(detail).status_code == 200
    assert client.patch(detail, {"target": "1"}, format="json").status_code == 403


def test_share_of_voice_names_benchmarked_rivals_only():
    from competitors.tests.factories import benchmarked_brand

    client, ws = _client()
    brand, _account = benchmarked_brand(ws, name="Rival")
    foreign, _other = benchmarked_brand(WorkspaceFactory(), name="Elsewhere")
    url = reverse("objective-list", args=[ws.pk])
    body = {"name": "SOV", "period": "month", "starts_on": "2027-01-01", "kpi": "share_of_voice"}
    missing = client.post(url, body | {"target": "0.3"}, format="json")
    assert missing.status_code == 400 and "rivals" in missing.json()["error"]["fields"]
    stranger = client.post(url, body | {"target": "0.3", "rivals": [foreign.pk]}, format="json")
    assert stranger.status_code == 400 and "rivals" in stranger.json()["error"]["fields"]
    too_big = client.post(url, body | {"target": "30", "rivals": [brand.pk]}, format="json")
    assert too_big.status_code == 400 and "target" in too_big.json()["error"]["fields"]
    response = client.post(url, body | {"target": "0.3", "rivals": [brand.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["rivals"] == [brand.pk]
    detail = reverse("objective-detail", args=[ws.pk, response.json()["id"]])
    # Another KPI drops the rivals.
    changed = client.patch(detail, {"kpi": "views", "target": "100"}, format="json").json()
    assert changed["rivals"] == []


def test_first_response_time_is_per_account_not_per_campaign():
    client, ws = _client()
    url = reverse("objective-list", args=[ws.pk])
    body = {
        "name": "Fast answers",
        "period": "month",
        "starts_on": "2026-12-01",
        "kpi": "first_response_time",
        "target": "60",
    }
    refused = client.post(url, body | {"scope": "campaign", "campaign": 1}, format="json")
    assert refused.status_code == 400 and "kpi" in refused.json()["error"]["fields"]
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["progress"]["pace"] == "no_data"  # this month, nothing answered yet

from datetime import date

import pytest

from accounts.tests.factories import WorkspaceFactory
from content.tests.factories import CampaignFactory
from core.errors import ValidationFailed
from core.models import AuditEvent
from objectives import services
from objectives.models import Kpi, Scope

pytestmark = pytest.mark.django_db


def _create(ws, **changes):
    data = {
        "name": "Q1 views",
        "period": "quarter",
        "starts_on": date(2027, 1, 1),
        "kpi": Kpi.VIEWS,
        "target": "50000",
    } | changes
    return services.objective_create(workspace=ws, actor=None, **data)


def test_a_quarter_takes_its_end_from_its_start_and_is_audited():
    ws = WorkspaceFactory()
    objective = _create(ws, ends_on=date(2027, 1, 5))
    assert objective.ends_on == date(2027, 3, 31)
    event = AuditEvent.objects.get(action="objective.create")
    assert event.after["kpi_target"] == "50000" and event.after["kpi"] == "views"
    assert event.after["objective_period"] == "quarter"


def test_a_month_ends_on_its_last_day():
    assert _create(WorkspaceFactory(), period="month", starts_on=date(2028, 2, 1)).ends_on == date(
        2028, 2, 29
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"starts_on": date(2027, 2, 1)}, "starts_on"),  # a quarter starts in Jan, Apr, Jul or Oct
        ({"period": "custom", "ends_on": date(2026, 12, 1)}, "ends_on"),
        ({"target": "0"}, "target"),
        ({"target": "abc"}, "target"),
        ({"target": 0.5}, "target"),  # never a float
        ({"kpi": Kpi.ENGAGEMENT_RATE}, "rate_basis"),
        ({"kpi": Kpi.ENGAGEMENT_RATE, "rate_basis": "by_reach", "target": "5"}, "target"),
        ({"scope": Scope.PLATFORM, "platform": "myspace"}, "platform"),
        ({"scope": Scope.ACCOUNT}, "account"),
        ({"scope": Scope.TAG, "kpi": Kpi.FOLLOWER_GROWTH, "tag": None}, "kpi"),
        ({"scope": Scope.TAG, "kpi": Kpi.COST_PER_ENGAGEMENT}, "kpi"),
    ],
)
def test_wrong_input_names_the_field(changes, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(WorkspaceFactory(), **changes)
    assert field in caught.value.fields


def test_another_workspaces_campaign_is_refused():
    other = CampaignFactory()
    with pytest.raises(ValidationFailed) as caught:
        _create(WorkspaceFactory(), scope=Scope.CAMPAIGN, campaign=other.pk)
    assert "campaign" in caught.value.fields


def test_update_and_delete_are_audited():
    ws = WorkspaceFactory()
    objective = _create(ws)
    services.objective_update(workspace=ws, actor=None, objective=objective, target="60000")
    event = AuditEvent.objects.get(action="objective.update")
    assert event.before == {"kpi_target": "50000.0000"} or event.before == {"kpi_target": "50000"}
    assert event.after["kpi_target"].startswith("60000")
    services.objective_delete(workspace=ws, actor=None, objective=objective)
    assert AuditEvent.objects.filter(action="objective.delete").count() == 1

"""Run-rate alerts (issue 15): spend so far / days elapsed × days in the period > planned tells the
budget's people once per budget or line, by hand-computed figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import BudgetNotificationKind, Notification
from budgets import services
from budgets.models import AlertKind, BudgetAlert
from budgets.services.alerts import budget_alerts_check, projection

pytestmark = pytest.mark.django_db

JAN_10 = datetime.date(2026, 1, 10)  # day 10 of a 90-day period (2026-01-01 .. 2026-03-31)


@pytest.fixture
def setup():
    workspace = WorkspaceFactory(currency="CNY", timezone="Asia/Shanghai")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    budget = services.budget_create(
        workspace=workspace,
        actor=manager,
        name="Q1",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    ads = services.budget_line_create(
        workspace=workspace, actor=manager, budget=budget, category="paid_promotion", planned="9000"
    )
    kol = services.budget_line_create(
        workspace=workspace, actor=manager, budget=budget, category="kol_fees", planned="27000"
    )
    return workspace, manager, budget, ads, kol


def spend(setup, line, amount, on):
    workspace, manager, budget, _ads, _kol = setup
    return services.spend_entry_create(
        workspace=workspace, actor=manager, budget=budget, line=line, spent_on=on, amount=amount
    )


def test_projection_by_hand():
    budget = type("B", (), {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 3, 31)})
    # 1000 in 10 days of 90: 100 a day, 9000 by the end
    assert projection(Decimal("1000"), budget, JAN_10) == Decimal("9000")
    # the first day counts as a day elapsed: 50 on day 1 comes to 4500
    assert projection(Decimal("50"), budget, datetime.date(2026, 1, 1)) == Decimal("4500")
    assert projection(Decimal("50"), budget, datetime.date(2025, 12, 31)) is None  # not started
    assert projection(Decimal("50"), budget, datetime.date(2026, 4, 1)) is None  # over


def test_a_line_on_course_to_overrun_alerts_once(setup):
    # given: the period ended by the machine's clock, so the services themselves see no pace
    workspace, manager, budget, ads, kol = setup
    spend(setup, ads, "1000", datetime.date(2026, 1, 3))
    # when: on day 10, 1000 spent of 9000 → 9000 by the end: not above the plan
    assert budget_alerts_check(budget=budget, today=JAN_10) == []
    # and 0.10 more → 9000.90 > 9000
    spend(setup, ads, "0.10", datetime.date(2026, 1, 9))
    spend(setup, kol, "50", datetime.date(2026, 3, 1))  # dated after "today": not spend so far
    found = budget_alerts_check(budget=budget, today=JAN_10)
    # then: the ads line only (the budget: 1000.10 / 10 × 90 = 9000.90 of 36000; kol: 0 so far)
    assert [(a.line_id, a.kind, a.projected, a.threshold) for a in found] == [
        (ads.pk, AlertKind.RUN_RATE, Decimal("9000.9"), 100)
    ]
    notices = Notification.objects.filter(kind=BudgetNotificationKind.BUDGET_RUN_RATE, recipient=manager)
    assert notices.count() == 1
    assert "9,000.90" in notices.get().message and "2026-03-31" in notices.get().message
    assert notices.get().link == f"/w/{workspace.pk}/budgets/{budget.pk}/"
    # when: more spend, checked again: once per line per period
    spend(setup, ads, "500", JAN_10)
    assert budget_alerts_check(budget=budget, today=JAN_10) == []
    assert notices.count() == 1


def test_the_whole_budget_on_course_to_overrun(setup):
    # given: 36000 planned; on day 30 (2026-01-30), 12000.50 spent → 12000.50 / 30 × 90 = 36001.50
    _workspace, manager, budget, ads, kol = setup
    spend(setup, kol, "8000", datetime.date(2026, 1, 20))
    spend(setup, ads, "4000.50", datetime.date(2026, 1, 25))
    # when
    found = budget_alerts_check(budget=budget, today=datetime.date(2026, 1, 30))
    # then: the budget (36001.50 > 36000) and the ads line (4000.50 × 3 = 12001.50 > 9000); kol's
    # 24000 is within its 27000
    by_subject = {a.line_id: a for a in found}
    assert set(by_subject) == {None, ads.pk}
    assert by_subject[None].projected == Decimal("36001.5")
    assert by_subject[ads.pk].projected == Decimal("12001.5")
    assert BudgetAlert.objects.filter(budget=budget, kind=AlertKind.RUN_RATE).count() == 2
    assert (
        Notification.objects.filter(kind=BudgetNotificationKind.BUDGET_RUN_RATE, recipient=manager).count()
        == 2
    )


def test_the_daily_recheck_counts_future_spend_once_its_day_comes(setup):
    # given: 100 spent on the ads line (9000 planned) on 01-02 and 2000 dated 01-20, both saved early
    from budgets.tasks import alerts_recheck

    _workspace, manager, budget, ads, _kol = setup
    spend(setup, ads, "100", datetime.date(2026, 1, 2))
    spend(setup, ads, "2000", datetime.date(2026, 1, 20))
    notices = Notification.objects.filter(kind=BudgetNotificationKind.BUDGET_RUN_RATE, recipient=manager)
    at = datetime.datetime(2026, 1, 19, 15, 30, tzinfo=datetime.UTC)  # 23:30 on 01-19 in Shanghai
    # when: checked on 01-19 (Shanghai): 100 so far / 19 days × 90 = 473.68, within the plan
    assert services.budgets_alerts_recheck(now=at) == 0
    # when: an hour later it is 01-20 in Shanghai (still 01-19 in UTC): the 2000 now counts,
    # 2100 / 20 × 90 = 9450 > 9000
    assert services.budgets_alerts_recheck(now=at + datetime.timedelta(hours=1)) == 1
    alert = BudgetAlert.objects.get(budget=budget, kind=AlertKind.RUN_RATE)
    assert (alert.line_id, alert.projected, alert.spent) == (ads.pk, Decimal("9450"), Decimal("2100"))
    assert notices.count() == 1
    # then: the next day's run (the beat task itself) tells nobody twice
    assert alerts_recheck() == 0  # the machine's clock: the period is over, nothing running
    assert services.budgets_alerts_recheck(now=at + datetime.timedelta(days=1)) == 0
    assert notices.count() == 1


def test_the_daily_recheck_skips_a_budget_not_running_on_its_own_day(setup):
    # given: 5000 dated 01-01 on a budget starting 01-01 in Shanghai
    _workspace, _manager, budget, ads, _kol = setup
    spend(setup, ads, "5000", datetime.date(2026, 1, 1))
    # when: 2025-12-31 15:59 UTC is still 12-31 in Shanghai: not running yet
    assert (
        services.budgets_alerts_recheck(now=datetime.datetime(2025, 12, 31, 15, 59, tzinfo=datetime.UTC)) == 0
    )
    # when: a minute later it is 01-01 there: 5000 × 90 is over the line's 9000 and the budget's 36000
    assert (
        services.budgets_alerts_recheck(now=datetime.datetime(2025, 12, 31, 16, 0, tzinfo=datetime.UTC)) == 2
    )
    assert BudgetAlert.objects.filter(budget=budget, kind=AlertKind.RUN_RATE, line=ads).exists()

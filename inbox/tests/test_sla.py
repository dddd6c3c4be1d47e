"""Response targets and their alerts, on a fixed clock in Asia/Shanghai business hours (Mon-Fri
09:00-18:00, first response 60 min, resolution 120 min, warning 15 min): a comment at 17:30 on Friday is
first-response due 09:30 on Monday and resolution-due 10:30 on Monday; nothing is sent over the weekend;
the warning and the breach go out once each, to the assignee or (unassigned) to the inbox managers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals.models import InboxNotificationKind, Notification
from channels_app.tests.factories import SocialAccountFactory
from core.errors import ValidationFailed
from inbox import services
from inbox.models import InboxSlaNotice
from inbox.services.sla import inbox_sla_alerts, item_targets

from .factories import InboxItemFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=SH)  # 2026-12-04 is a Friday


@pytest.fixture
def setup():
    account = SocialAccountFactory(platform="weibo", workspace__timezone="Asia/Shanghai")
    workspace = account.workspace
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    editor = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    services.inbox_settings_update(
        workspace=workspace,
        actor=admin,
        first_response_minutes=60,
        resolution_minutes=120,
        warning_minutes=15,
    )
    item = InboxItemFactory(conversation__account=account, sent_at=at(4, 17, 30), text="还没发货")
    return {"workspace": workspace, "admin": admin, "manager": manager, "editor": editor, "item": item}


def test_targets_count_business_hours_across_the_weekend(setup):
    item = setup["item"]
    targets = item_targets(item, services.inbox_settings_get(setup["workspace"]))
    assert targets.first_response == at(7, 9, 30)
    assert targets.resolution == at(7, 10, 30)


def test_warnings_and_breaches_go_out_once_to_the_managers_when_nobody_has_the_item(setup):
    item = setup["item"]
    # Friday evening and all weekend: nothing is due yet
    for now in (at(4, 18, 30), at(5, 12), at(6, 23, 59), at(7, 9, 14)):
        assert inbox_sla_alerts(now=now) == []
    # Monday 09:15: the first-response warning
    assert inbox_sla_alerts(now=at(7, 9, 16)) == [(item.pk, "first_response", "soon")]
    assert inbox_sla_alerts(now=at(7, 9, 20)) == []  # once
    # 09:30: missed
    assert inbox_sla_alerts(now=at(7, 9, 30)) == [(item.pk, "first_response", "breached")]
    # 10:20: the resolution warning, 10:31: missed; then nothing more, ever
    assert inbox_sla_alerts(now=at(7, 10, 20)) == [(item.pk, "resolution", "soon")]
    assert inbox_sla_alerts(now=at(7, 10, 31)) == [(item.pk, "resolution", "breached")]
    assert inbox_sla_alerts(now=at(8, 10)) == []
    # the managers (inbox.assign: the manager and the admin), not the editor, got each notice
    notices = Notification.objects.filter(workspace=setup["workspace"])
    assert set(notices.values_list("recipient", flat=True)) == {setup["manager"].pk, setup["admin"].pk}
    kinds = [n.kind for n in notices.filter(recipient=setup["manager"]).order_by("pk")]
    assert kinds == [
        InboxNotificationKind.INBOX_SLA_SOON,
        InboxNotificationKind.INBOX_SLA_BREACHED,
        InboxNotificationKind.INBOX_SLA_SOON,
        InboxNotificationKind.INBOX_SLA_BREACHED,
    ]
    first = notices.filter(recipient=setup["manager"]).order_by("pk").first()
    assert first.link == f"/w/{setup['workspace'].pk}/inbox/items/{item.pk}/"
    assert "2026-12-07 09:30" in first.message  # in the workspace's time


def test_the_assignee_is_told_and_an_item_first_seen_late_gets_only_the_breach(setup):
    item = setup["item"]
    services.inbox_item_assign(
        workspace=setup["workspace"], actor=setup["manager"], item=item, assignee=setup["editor"]
    )
    Notification.objects.all().delete()  # (the assignment's own notice)
    # when: the task first runs on Monday at 11:00
    sent = inbox_sla_alerts(now=at(7, 11))
    # then
    assert sorted(sent) == [(item.pk, "first_response", "breached"), (item.pk, "resolution", "breached")]
    assert (
        list(Notification.objects.values_list("recipient", "kind"))
        == [(setup["editor"].pk, InboxNotificationKind.INBOX_SLA_BREACHED)] * 2
    )
    assert InboxSlaNotice.objects.filter(stage="soon").count() == 0


def test_answered_and_closed_items_stop_their_timers(setup):
    item = setup["item"]
    item.answered_at = at(7, 9)
    item.save()
    # answered: only the resolution target is left
    assert inbox_sla_alerts(now=at(7, 9, 45)) == []
    assert inbox_sla_alerts(now=at(7, 10, 20)) == [(item.pk, "resolution", "soon")]
    services.inbox_item_update(
        workspace=setup["workspace"], actor=setup["editor"], item=item, status="closed"
    )
    assert inbox_sla_alerts(now=at(7, 12)) == []


def test_a_resolution_target_shorter_than_the_first_response_is_refused(setup):
    with pytest.raises(ValidationFailed) as caught:
        services.inbox_settings_update(
            workspace=setup["workspace"],
            actor=setup["admin"],
            first_response_minutes=60,
            resolution_minutes=30,
        )
    assert list(caught.value.fields) == ["resolution_minutes"]


def test_assigning_tells_the_new_assignee_but_not_someone_taking_it_themselves(setup):
    item = setup["item"]
    services.inbox_item_assign(
        workspace=setup["workspace"], actor=setup["manager"], item=item, assignee=setup["editor"]
    )
    services.inbox_item_assign(
        workspace=setup["workspace"], actor=setup["manager"], item=item, assignee=setup["manager"], version=2
    )
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (setup["editor"].pk, InboxNotificationKind.INBOX_ASSIGNED)
    ]

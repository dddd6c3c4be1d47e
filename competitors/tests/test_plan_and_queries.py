"""The planner queues each due rival once; the list and benchmark endpoints read in a fixed number of
queries whatever the number of competitors."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import RivalAccount
from competitors.services import rivals_plan
from competitors.tests.factories import benchmarked_brand

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_planner_queues_each_due_rival_once():
    workspace = WorkspaceFactory()
    _brand, due = benchmarked_brand(workspace)
    _brand, fresh = benchmarked_brand(workspace)
    RivalAccount.objects.filter(pk=fresh.pk).update(
        last_pulled_at=timezone.now(), first_pulled_at=timezone.now()
    )
    _brand, limited = benchmarked_brand(workspace)
    RivalAccount.objects.filter(pk=limited.pk).update(not_before=timezone.now() + timedelta(minutes=5))
    with mock.patch("competitors.tasks.pull_rival.delay") as send:
        # when: two beats
        first = rivals_plan()
        second = rivals_plan()
    # then
    assert first == [due.pk] and second == []
    send.assert_called_once_with(due.pk)
    # a claim older than the lease is planned again (a lost message)
    with mock.patch("competitors.tasks.pull_rival.delay") as send:
        assert rivals_plan(now=timezone.now() + timedelta(minutes=16)) == [due.pk, limited.pk]


def test_a_deleted_organization_s_rivals_are_not_read_until_it_is_restored():
    # given a rival due for a read, its organization deleted (restorable) since
    workspace = WorkspaceFactory()
    _brand, due = benchmarked_brand(workspace)
    organization = workspace.organization
    organization.deleted_at = timezone.now()
    organization.save(update_fields=["deleted_at"])
    with mock.patch("competitors.tasks.pull_rival.delay") as send:
        # when / then: nothing is queued; once restored, it is
        assert rivals_plan() == []
        organization.deleted_at = None
        organization.save(update_fields=["deleted_at"])
        assert rivals_plan() == [due.pk]
    send.assert_called_once_with(due.pk)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["", "benchmark/?start=2026-11-01&end=2026-11-30"])
def test_reads_take_a_fixed_number_of_queries(path):
    workspace = WorkspaceFactory()
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=Role.ANALYST)
    client = APIClient()
    client.force_authenticate(user)
    url = f"/api/v1/workspaces/{workspace.pk}/competitors/{path}"
    benchmarked_brand(workspace)
    one = _queries(client, url)
    for _ in range(19):
        benchmarked_brand(workspace)
    assert _queries(client, url) == one

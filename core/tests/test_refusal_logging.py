"""An expected refusal is one warning line in the log, never a traceback (issue 17, first run)."""

import logging

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_records():
    """What `django.request` logs, through its configured filters (pytest's caplog sits past them)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_a_403_from_a_page_is_logged_at_warning_without_a_traceback(client, request_records):
    # given a viewer, who may not open the workspace's settings
    workspace = WorkspaceFactory()
    viewer = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    # when
    response = client.get(f"/w/{workspace.pk}/settings/workspace/")
    # then
    assert response.status_code == 403
    refused = [r for r in request_records if getattr(r, "status_code", None) == 403]
    assert refused, "the 403 is still logged"
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in refused)
    assert "Traceback" not in logging.Formatter().format(refused[0])


def test_a_500_keeps_its_traceback():
    from core.logging import ExpectedRefusalFilter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, sys.exc_info())
    record.status_code = 500
    assert ExpectedRefusalFilter().filter(record) and record.exc_info is not None

"""Hide, unhide, delete and like a fan's comment on Meta against the simulator: the state lands there (a
hidden comment is hidden, a deleted one is gone), refusals come before any call (an action the platform
does not offer, a stale view, a DM, a running rate limit), a 4xx is the platform's reason on `action`, a
429 blocks the account with Retry-After, a timeout answers "try again" and trying again is safe; the API
and the item page's buttons; a rule's "hide" hides on the platform too."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceMemberFactory
from core.errors import Conflict, ValidationFailed
from core.models import AuditEvent
from inbox.models import InboxItem, InboxRule
from inbox.services import inbox_item_platform_action, inbox_message_ingest
from inbox.services.item_actions import PlatformRateLimited, PlatformUnavailable
from inbox.tests.factories import open_gate  # noqa: E402, F401  (the fixture, used by name below)
from publishing import ratelimit
from publishing.tests.pipeline_kit import sim_account

from .factories import message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_gate")]


def _fan_comment(platform_sim, workspace, platform="facebook", *, kind="comment"):
    account, _sim = sim_account(platform_sim, workspace, platform)
    fan = platform_sim.fan_writes(
        platform, account.external_id, kind=kind, text="Terrible spam", author_id="9001", post_id="p1"
    )
    item = inbox_message_ingest(
        account=account, message=message(fan["id"], author="9001", kind=kind, thread="p1")
    ).item
    return account, item, fan


def _on_sim(platform_sim, platform, account, fan_id):
    return next(m for m in platform_sim.fan_messages(platform, account.external_id) if m["id"] == fan_id)


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_hide_then_unhide_lands_on_the_platform_audited_with_the_version(platform_sim, workspace, platform):
    account, item, fan = _fan_comment(platform_sim, workspace, platform)
    actor = UserFactory()
    # when
    item = inbox_item_platform_action(workspace=workspace, actor=actor, item=item, action="hide", version=1)
    # then
    assert _on_sim(platform_sim, platform, account, fan["id"])["hidden"] is True
    assert item.platform_hidden_at is not None and item.hidden_at is not None and item.version == 2
    assert AuditEvent.objects.filter(action="inbox.item_hide", actor=actor).count() == 1
    # when shown again
    item = inbox_item_platform_action(workspace=workspace, actor=actor, item=item, action="unhide", version=2)
    assert _on_sim(platform_sim, platform, account, fan["id"])["hidden"] is False
    assert item.platform_hidden_at is None and item.hidden_at is None
    assert platform_sim.requests(platform, "hide", account.external_id) == 2


def test_facebook_delete_removes_the_comment_and_like_likes_it(platform_sim, workspace):
    account, item, fan = _fan_comment(platform_sim, workspace)
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="like", version=1
    )
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["liked"] is True and item.liked_at
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="delete", version=2
    )
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["deleted"] is True
    assert item.deleted_by_us_at is not None
    # a comment already deleted is refused before any call
    with pytest.raises(ValidationFailed):
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="delete", version=3
        )
    assert platform_sim.requests("facebook", "comment_delete", account.external_id) == 1


def test_deleting_a_comment_the_fan_already_deleted_counts_as_deleted(platform_sim, workspace):
    account, item, fan = _fan_comment(platform_sim, workspace)
    platform_sim.fan_deletes("facebook", fan["id"])  # the webhook has not told us yet
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="delete", version=1
    )
    assert item.deleted_by_us_at is not None


def test_refusals_come_before_any_call(platform_sim, workspace):
    account, item, _fan = _fan_comment(platform_sim, workspace, "instagram")
    actor = UserFactory()
    with pytest.raises(ValidationFailed) as error:  # Instagram's API cannot like a comment
        inbox_item_platform_action(workspace=workspace, actor=actor, item=item, action="like", version=1)
    assert error.value.code == "action_not_supported" and "Instagram" in error.value.fields["action"][0]
    with pytest.raises(Conflict):  # a stale view
        inbox_item_platform_action(workspace=workspace, actor=actor, item=item, action="hide", version=7)
    dm_account, dm, _ = _fan_comment(platform_sim, workspace, "facebook", kind="direct_message")
    with pytest.raises(ValidationFailed):  # a DM is not a comment
        inbox_item_platform_action(workspace=workspace, actor=actor, item=dm, action="hide", version=1)
    assert platform_sim.requests("instagram", "", account.external_id) == 0
    assert platform_sim.requests("facebook", "", dm_account.external_id) == 0


def test_a_platform_refusal_is_its_reason_on_action(platform_sim, workspace):
    account, item, _fan = _fan_comment(platform_sim, workspace)
    platform_sim.add_fault("rejected", platform="facebook", operation="hide", count=1)
    with pytest.raises(ValidationFailed) as error:
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
        )
    assert error.value.code == "platform_refused" and "action" in error.value.fields
    item.refresh_from_db()
    assert item.platform_hidden_at is None and item.version == 1


def test_a_429_blocks_the_account_and_the_next_try_waits_without_a_call(platform_sim, workspace):
    account, item, _fan = _fan_comment(platform_sim, workspace)
    platform_sim.add_fault("rate_limit", platform="facebook", operation="hide", retry_after=180, count=1)
    with pytest.raises(PlatformRateLimited) as error:
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
        )
    assert error.value.status_code == 429 and "180" in error.value.message
    assert 150 < ratelimit.account_wait(account) <= 185
    with pytest.raises(PlatformRateLimited):
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
        )
    assert platform_sim.requests("facebook", "hide", account.external_id) == 1


def test_a_timeout_on_hide_says_try_again_and_trying_again_is_safe(platform_sim, workspace):
    account, item, fan = _fan_comment(platform_sim, workspace)
    platform_sim.add_fault("timeout_after", platform="facebook", operation="hide", seconds=5, count=1)
    with override_settings(PLATFORM_HTTP_TIMEOUT=1.0), pytest.raises(PlatformUnavailable) as error:
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
        )
    assert error.value.status_code == 502
    # the platform hid it before stalling; hiding again is idempotent
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
    )
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["hidden"] is True and item.platform_hidden_at


def test_the_api_hides_and_a_viewer_cannot(platform_sim, workspace, client):
    account, item, fan = _fan_comment(platform_sim, workspace)
    url = reverse("inbox-item-action", args=[workspace.pk, item.pk])
    viewer = WorkspaceMemberFactory(workspace=workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    assert (
        client.post(url, {"action": "hide", "version": 1}, content_type="application/json").status_code == 403
    )
    client.force_login(WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user)
    bad = client.post(url, {"action": "shout", "version": 1}, content_type="application/json")
    assert bad.status_code == 400 and "action" in bad.json()["error"]["fields"]
    response = client.post(url, {"action": "hide", "version": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["platform_hidden_at"]
    detail = client.get(reverse("inbox-item-detail", args=[workspace.pk, item.pk])).json()
    assert detail["platform_actions"] == ["unhide", "delete", "like"]
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["hidden"] is True


def test_the_item_page_shows_the_buttons_and_hides(platform_sim, workspace, client):
    account, item, fan = _fan_comment(platform_sim, workspace)
    client.force_login(WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user)
    url = reverse("inbox:item", args=[workspace.pk, item.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="inbox-platform-hide"' in page and 'data-testid="inbox-platform-like"' in page
    response = client.post(url, {"action": "platform", "platform_action": "hide", "version": 1})
    assert response.status_code == 302
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["hidden"] is True
    page = client.get(url).content.decode()
    assert 'data-testid="inbox-platform-unhide"' in page and 'data-testid="inbox-platform-state"' in page


def test_a_rules_hide_hides_on_the_platform_too(platform_sim, workspace, django_capture_on_commit_callbacks):
    account, _sim = sim_account(platform_sim, workspace, "facebook")
    InboxRule.objects.create(workspace=workspace, name="spam", keywords=["spam"], hide=True, position=1)
    fan = platform_sim.fan_writes(
        "facebook", account.external_id, kind="comment", text="buy spam now", author_id="9001", post_id="p1"
    )
    # when the comment arrives (the webhook), the rule hides it, and after the commit on the platform too
    with django_capture_on_commit_callbacks(execute=True):
        inbox_message_ingest(
            account=account, message=message(fan["id"], text="buy spam now", author="9001", thread="p1")
        )
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    assert item.hidden_at is not None and item.platform_hidden_at is not None
    assert _on_sim(platform_sim, "facebook", account, fan["id"])["hidden"] is True

"""X and Weibo item actions against the simulator: hide a reply in our conversation (PUT /2/tweets/:id/hidden)
and like a fan's post (POST /2/users/:id/likes); hiding a mention outside our conversations is X's refusal,
on `action`; delete is not offered there (refused before any call). Weibo deletes with comments/destroy."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from core.errors import ValidationFailed
from inbox.services import inbox_item_platform_action, inbox_message_ingest
from inbox.tests.factories import open_gate  # noqa: E402, F401  (the fixture, used by name below)
from publishing.tests.pipeline_kit import sim_account

from .factories import message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_gate")]


def _x_item(platform_sim, workspace, *, kind):
    account, _sim = sim_account(platform_sim, workspace, "x")
    fields = {"post_id": "1700"} if kind == "comment" else {}
    fan = platform_sim.fan_writes(
        "x", account.external_id, kind=kind, text="@brand hi", author_id="42", **fields
    )
    item = inbox_message_ingest(
        account=account,
        message=message(fan["id"], author="42", kind=kind, thread=fields.get("post_id", fan["id"])),
    ).item
    return account, item, fan


def _on_sim(platform_sim, account, fan_id):
    return next(m for m in platform_sim.fan_messages("x", account.external_id) if m["id"] == fan_id)


def test_an_x_reply_is_hidden_and_liked(platform_sim, workspace):
    account, item, fan = _x_item(platform_sim, workspace, kind="comment")
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
    )
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="like", version=2
    )
    landed = _on_sim(platform_sim, account, fan["id"])
    assert landed["hidden"] is True and landed["liked"] is True
    assert item.platform_hidden_at is not None and item.liked_at is not None


def test_x_refuses_hiding_a_mention_and_delete_is_not_offered(platform_sim, workspace):
    account, item, _fan = _x_item(platform_sim, workspace, kind="mention")
    with pytest.raises(ValidationFailed) as error:
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
        )
    assert error.value.code == "platform_refused" and "action" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        inbox_item_platform_action(
            workspace=workspace, actor=UserFactory(), item=item, action="delete", version=1
        )
    assert error.value.code == "action_not_supported"
    assert platform_sim.requests("x", "hide", account.external_id) == 1


def test_a_weibo_comment_is_deleted_with_comments_destroy_and_again_counts_as_deleted(
    platform_sim, workspace
):
    account, _sim = sim_account(platform_sim, workspace, "weibo")
    fan = platform_sim.fan_writes(
        "weibo", account.external_id, kind="comment", text="广告", author_id="7001", post_id="5001"
    )
    item = inbox_message_ingest(
        account=account, message=message(fan["id"], author="7001", thread="5001")
    ).item
    # when
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="delete", version=1
    )
    # then
    assert next(m for m in platform_sim.fan_messages("weibo", account.external_id) if m["id"] == fan["id"])[
        "deleted"
    ]
    assert item.deleted_by_us_at is not None
    # the connector's call is idempotent: a comment already gone (20101) is no error
    from channels_app import vault
    from channels_app.connectors.inbound import ReplyTarget
    from channels_app.connectors.registry import connector_for

    connector_for("weibo").item_action(
        vault.credentials_read(account),
        target=ReplyTarget(kind="comment", external_id=fan["id"], thread_id="5001"),
        action="delete",
    )
    assert platform_sim.requests("weibo", "comment_delete", account.external_id) == 2


def test_a_youtube_comment_is_held_for_review_and_the_next_poll_does_not_take_it_for_a_deletion(
    platform_sim, workspace
):
    from inbox.models import InboxItem
    from inbox.services.polling import inbox_poll_account

    account, _sim = sim_account(platform_sim, workspace, "youtube")
    fan = platform_sim.fan_writes(
        "youtube", account.external_id, kind="comment", text="spam link", author_id="UCfan", post_id="vid1"
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    # when
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="hide", version=item.version
    )
    # then: held on YouTube (out of the public listing), and not marked as deleted by the fan
    assert next(m for m in platform_sim.fan_messages("youtube", account.external_id) if m["id"] == fan["id"])[
        "hidden"
    ]
    inbox_poll_account(account.pk)
    item.refresh_from_db()
    assert item.platform_hidden_at is not None and item.removed_at is None
    # and published again
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="unhide", version=item.version
    )
    assert not next(
        m for m in platform_sim.fan_messages("youtube", account.external_id) if m["id"] == fan["id"]
    )["hidden"]

"""Mastodon through the inbox against platform_sim's stateful Mastodon API (no Mastodon server can be
installed here, tests/peers/README.md): a fan's status mentioning us shows in /api/v1/notifications, the
inbox ingests it, our answer is a stored status visible in the fan's /api/v1/statuses/:id/context, and the
fan's answer to it comes back through notifications into the same thread."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from channels_app import vault
from channels_app.connectors.registry import connector_for
from inbox.models import InboxItem
from inbox.services import inbox_reply_send
from inbox.services.polling import inbox_poll_account
from publishing.tests.pipeline_kit import sim_account

pytestmark = pytest.mark.django_db


def _get(account, path: str):
    connector = connector_for("mastodon")
    try:
        return connector._send(
            "GET", path, operation="inbox", token=vault.credentials_read(account).access_token
        ).json()
    finally:
        connector.close()


def test_a_mention_our_answer_and_the_fans_answer_round_trip(
    platform_sim, workspace, django_capture_on_commit_callbacks
):
    # given: a fan's public status mentioning us
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    fan = platform_sim.fan_writes(
        "mastodon",
        account.external_id,
        kind="mention",
        text="@brand is the shop open on Sunday?",
        author_id="77001",
        author_handle="ann@social.example",
    )
    listed = _get(account, "/api/v1/notifications")
    assert [(n["type"], n["status"]["id"]) for n in listed] == [("mention", fan["id"])]

    # when: polled, then answered through the inbox
    assert inbox_poll_account(account.pk).created == 1
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbox_reply_send(workspace=workspace, actor=agent, item=item, text="Yes, 10-16!", version=1)
    reply.refresh_from_db()

    # then: our status is stored, answers the fan's and shows in its thread
    assert reply.status == "sent"
    context = _get(account, f"/api/v1/statuses/{fan['id']}/context")
    assert [s["id"] for s in context["descendants"]] == [reply.external_id]
    ours = context["descendants"][0]
    assert ours["in_reply_to_id"] == fan["id"] and "Yes, 10-16!" in ours["content"]
    assert ours["account"]["id"] == account.external_id
    assert _get(account, f"/api/v1/statuses/{reply.external_id}/context")["ancestors"][0]["id"] == fan["id"]

    # when: the fan answers our answer
    again = platform_sim.fan_writes(
        "mastodon",
        account.external_id,
        kind="reply",
        text="Great, see you then",
        author_id="77001",
        author_handle="ann@social.example",
        post_id=fan["id"],
        parent_id=reply.external_id,
    )
    polled = inbox_poll_account(account.pk)

    # then: one new item, answering ours, in the thread of the fan's status; ours is from_us, once
    assert (polled.created, polled.duplicates) == (1, 0)
    answer = InboxItem.objects.get(account=account, external_id=again["id"])
    assert answer.kind == "comment" and answer.parent_external_id == reply.external_id
    assert InboxItem.objects.filter(account=account, from_us=True).count() == 1
    descendants = _get(account, f"/api/v1/statuses/{fan['id']}/context")["descendants"]
    assert [s["id"] for s in descendants] == [reply.external_id, again["id"]]
    # and a deleted status has no thread
    platform_sim.fan_deletes("mastodon", again["id"])
    assert [s["id"] for s in _get(account, f"/api/v1/statuses/{fan['id']}/context")["descendants"]] == [
        reply.external_id
    ]

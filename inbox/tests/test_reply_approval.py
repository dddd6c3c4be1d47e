"""Reply approval against the simulator: a reply on an account (or with a word) the workspace chose waits
for a person who may approve; it is not sent before, it is sent once after approval, a rejected one is
never sent; the approvers are told; an approver's own reply does not wait."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals.models import InboxNotificationKind, Notification
from core.errors import Conflict
from core.models import AuditEvent
from inbox.models import InboxReply
from inbox.services import (
    inbox_reply_approve,
    inbox_reply_reject,
    inbox_reply_send,
    inbox_settings_update,
)
from inbox.services.replies import inbox_replies_dispatch, inbox_reply_deliver

from .test_replies import _weibo_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _ours(platform_sim, account):
    return [
        m
        for m in platform_sim.fan_messages("weibo", account.external_id)
        if m["author_id"] == account.external_id
    ]


@pytest.fixture
def setup(platform_sim, workspace):
    account, item, fan = _weibo_comment(platform_sim, workspace)
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    inbox_settings_update(workspace=workspace, actor=admin, approval_accounts=[account.pk])
    return {"account": account, "item": item, "admin": admin, "manager": manager, "agent": agent}


def test_a_reply_waits_for_approval_is_not_sent_before_and_is_sent_once_after(
    platform_sim, workspace, setup, run_on_commit
):
    account, item = setup["account"], setup["item"]
    # when: the agent answers on an account whose replies need approval
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=setup["agent"], item=item, text="明天发货", version=1
        )
    # then: it waits, nothing reached Weibo, even when the sender runs
    assert reply.status == InboxReply.Status.AWAITING_APPROVAL
    assert inbox_reply_deliver(reply.pk) == "not due"
    inbox_replies_dispatch()
    assert _ours(platform_sim, account) == []
    assert reply.attempts.count() == 0
    notices = Notification.objects.filter(kind=InboxNotificationKind.INBOX_REPLY_APPROVAL)
    assert set(notices.values_list("recipient", flat=True)) == {setup["admin"].pk, setup["manager"].pk}
    assert notices.first().link == f"/w/{workspace.pk}/inbox/items/{item.pk}/"
    # when: a manager approves
    with run_on_commit():
        inbox_reply_approve(workspace=workspace, actor=setup["manager"], reply=reply)
    # then: sent, once
    reply.refresh_from_db()
    assert reply.status == InboxReply.Status.SENT and reply.decided_by == setup["manager"]
    assert [m["text"] for m in _ours(platform_sim, account)] == ["明天发货"]
    assert inbox_reply_deliver(reply.pk) == "not due"
    with pytest.raises(Conflict):
        inbox_reply_approve(workspace=workspace, actor=setup["manager"], reply=reply)
    assert len(_ours(platform_sim, account)) == 1
    assert AuditEvent.objects.filter(action="inbox.reply_approve").count() == 1


def test_a_rejected_reply_is_never_sent(platform_sim, workspace, setup, run_on_commit):
    account, item = setup["account"], setup["item"]
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=setup["agent"], item=item, text="明天发货", version=1
        )
        inbox_reply_reject(workspace=workspace, actor=setup["admin"], reply=reply, note="先确认库存")
    # when: the sender runs
    assert inbox_reply_deliver(reply.pk) == "not due"
    inbox_replies_dispatch()
    # then
    reply.refresh_from_db()
    assert reply.status == InboxReply.Status.REJECTED and reply.decision_note == "先确认库存"
    assert _ours(platform_sim, account) == []
    with pytest.raises(Conflict):
        inbox_reply_approve(workspace=workspace, actor=setup["admin"], reply=reply)
    assert AuditEvent.objects.filter(action="inbox.reply_reject").count() == 1


def test_a_keyword_needs_approval_and_an_approver_does_not_wait(
    platform_sim, workspace, setup, run_on_commit
):
    account, item = setup["account"], setup["item"]
    inbox_settings_update(
        workspace=workspace, actor=setup["admin"], approval_accounts=[], approval_keywords=["退款"]
    )
    # an ordinary reply goes straight out
    with run_on_commit():
        plain = inbox_reply_send(
            workspace=workspace, actor=setup["agent"], item=item, text="明天发货", version=1
        )
    plain.refresh_from_db()
    assert plain.status == InboxReply.Status.SENT
    # one with the word waits
    item.refresh_from_db()
    with run_on_commit():
        worded = inbox_reply_send(
            workspace=workspace, actor=setup["agent"], item=item, text="可以退款", version=item.version
        )
    assert worded.status == InboxReply.Status.AWAITING_APPROVAL
    # the manager's own reply with the word does not
    item.refresh_from_db()
    with run_on_commit():
        own = inbox_reply_send(
            workspace=workspace, actor=setup["manager"], item=item, text="已安排退款", version=item.version
        )
    own.refresh_from_db()
    assert own.status == InboxReply.Status.SENT
    assert sorted(m["text"] for m in _ours(platform_sim, account)) == sorted(["明天发货", "已安排退款"])


def test_the_item_page_approves_and_an_editor_cannot(
    platform_sim, workspace, setup, django_capture_on_commit_callbacks
):
    item = setup["item"]
    reply = InboxReply.objects.create(
        workspace=workspace, item=item, author=setup["agent"], text="明天发货", status="awaiting"
    )
    url = f"/w/{workspace.pk}/inbox/items/{item.pk}/"
    editor, manager = Client(), Client()
    editor.force_login(setup["agent"])
    manager.force_login(setup["manager"])
    # the manager sees the buttons, the editor does not and may not
    assert 'data-testid="inbox-reply-approve"' in manager.get(url).content.decode()
    assert 'data-testid="inbox-reply-approve"' not in editor.get(url).content.decode()
    assert editor.post(url, {"action": "approve", "reply": reply.pk}).status_code == 403
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {"action": "approve", "reply": reply.pk})
    # then
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == InboxReply.Status.SENT

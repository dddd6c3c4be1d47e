from datetime import UTC, datetime

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from core.errors import Conflict, ValidationFailed
from core.models import AuditEvent
from inbox import selectors, services
from inbox.models import Conversation, Fan, InboxItem, ItemStatus
from inbox.services.ingest import CREATED, DUPLICATE, EDITED, REMOVED

from .factories import InboxItemFactory, message

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return SocialAccountFactory(platform="weibo", external_id="brand-1")


# --- ingest ---


def test_a_new_comment_becomes_an_open_item_in_its_post_thread_with_fan_and_sentiment(account):
    # when
    result = services.inbox_message_ingest(account=account, message=message("c1"))
    # then
    item = result.item
    assert result.outcome == CREATED
    assert item.status == ItemStatus.OPEN and not item.from_us
    assert item.conversation.kind == Conversation.Kind.THREAD and item.conversation.external_id == "post-1"
    assert item.fan.external_id == "fan-1" and item.fan.followers == 120
    assert item.sentiment == "positive" and item.sentiment_score > 0.6


def test_the_same_message_delivered_twice_is_one_item(account):
    services.inbox_message_ingest(account=account, message=message("c1"))
    # when
    again = services.inbox_message_ingest(account=account, message=message("c1"))
    # then
    assert again.outcome == DUPLICATE
    assert InboxItem.objects.filter(account=account).count() == 1
    assert again.item.version == 1


def test_an_edit_keeps_the_item_and_the_earlier_text(account):
    services.inbox_message_ingest(account=account, message=message("c1", text="还不错"))
    # when
    edited = services.inbox_message_ingest(account=account, message=message("c1", text="太差了，退货"))
    # then
    assert edited.outcome == EDITED
    assert edited.item.text == "太差了，退货" and edited.item.edited_at is not None
    assert edited.item.raw["_previous_texts"] == ["还不错"]
    assert edited.item.sentiment == "negative"
    assert edited.item.version == 2


def test_a_deletion_marks_the_item_removed_and_keeps_it(account):
    services.inbox_message_ingest(account=account, message=message("c1"))
    # when
    removed = services.inbox_message_ingest(account=account, message=message("c1", removed=True))
    twice = services.inbox_message_ingest(account=account, message=message("c1", removed=True))
    # then
    assert removed.outcome == REMOVED and twice.outcome == DUPLICATE
    assert InboxItem.objects.get(pk=removed.item.pk).removed_at is not None


def test_our_own_reply_is_recognised_and_answers_the_fans_comment(account):
    services.inbox_message_ingest(account=account, message=message("c1"))
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    # when
    ours = services.inbox_message_ingest(
        account=account, message=message("r1", author="brand-1", kind="reply", parent="c1", at=at)
    ).item
    # then
    assert ours.from_us and ours.fan is None and ours.status == ItemStatus.CLOSED
    assert InboxItem.objects.get(external_id="c1").answered_at == at
    assert not Fan.objects.filter(external_id="brand-1").exists()


def test_direct_messages_group_into_one_conversation_per_thread(account):
    services.inbox_message_ingest(
        account=account, message=message("d1", kind="direct_message", thread="dm-9")
    )
    services.inbox_message_ingest(
        account=account, message=message("d2", kind="direct_message", thread="dm-9")
    )
    # then
    conversation = Conversation.objects.get(account=account, kind=Conversation.Kind.DIRECT)
    assert conversation.items.count() == 2 and conversation.fan.external_id == "fan-1"


def test_the_fans_history_spans_the_workspaces_accounts(account):
    other = SocialAccountFactory(workspace=account.workspace, platform="weibo", external_id="brand-2")
    services.inbox_message_ingest(account=account, message=message("c1"))
    services.inbox_message_ingest(account=other, message=message("c2", thread="post-2"))
    fan = Fan.objects.get(external_id="fan-1")
    # when
    profile = selectors.fan_profile(account.workspace, fan=fan)
    # then
    assert profile.items == 2
    assert {row["id"] for row in profile.accounts} == {account.pk, other.pk}


# --- triage ---


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("open", "pending", True),
        ("open", "closed", True),
        ("pending", "open", True),
        ("pending", "closed", True),
        ("closed", "open", True),
        ("closed", "pending", False),
    ],
)
def test_status_transitions_as_a_table(start, target, allowed):
    item = InboxItemFactory(status=start)
    actor = UserFactory()
    if allowed:
        updated = services.inbox_item_update(workspace=item.workspace, actor=actor, item=item, status=target)
        assert updated.status == target
    else:
        with pytest.raises(ValidationFailed) as error:
            services.inbox_item_update(workspace=item.workspace, actor=actor, item=item, status=target)
        assert "status" in error.value.fields


def test_a_change_on_a_stale_view_is_refused():
    item = InboxItemFactory()
    actor = UserFactory()
    services.inbox_item_update(workspace=item.workspace, actor=actor, item=item, version=1, priority="high")
    # when / then
    with pytest.raises(Conflict) as error:
        services.inbox_item_update(
            workspace=item.workspace, actor=actor, item=item, version=1, status="closed"
        )
    assert error.value.code == "stale_view"
    assert InboxItem.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_triage_is_audited_with_what_changed():
    item = InboxItemFactory()
    actor = UserFactory()
    services.inbox_item_update(
        workspace=item.workspace, actor=actor, item=item, tags=["物流", "物流", " VIP "]
    )
    event = AuditEvent.objects.get(action="inbox.item_update")
    assert event.after == {"tags": ["物流", "VIP"]} and event.before == {"tags": []}


def test_assignment_needs_a_person_who_can_work_the_inbox():
    item = InboxItemFactory()
    agent = WorkspaceMemberFactory(workspace=item.workspace, role=Role.EDITOR).user
    analyst = WorkspaceMemberFactory(workspace=item.workspace, role=Role.ANALYST).user
    stranger = WorkspaceMemberFactory(workspace=WorkspaceFactory(), role=Role.ADMIN).user
    actor = UserFactory()
    # then
    for refused in (analyst, stranger):
        with pytest.raises(ValidationFailed):
            services.inbox_item_assign(workspace=item.workspace, actor=actor, item=item, assignee=refused)
    assigned = services.inbox_item_assign(workspace=item.workspace, actor=actor, item=item, assignee=agent)
    assert assigned.assignee == agent
    assert AuditEvent.objects.filter(action="inbox.item_assign", target_id=str(item.pk)).count() == 1


def test_notes_and_bulk_close():
    item = InboxItemFactory()
    other = InboxItemFactory(conversation__account__workspace=item.workspace)
    foreign = InboxItemFactory()
    actor = UserFactory()
    with pytest.raises(ValidationFailed):
        services.inbox_note_add(workspace=item.workspace, actor=actor, item=item, body="  ")
    services.inbox_note_add(workspace=item.workspace, actor=actor, item=item, body="VIP 客户，优先处理")
    # when
    closed = services.inbox_items_close(workspace=item.workspace, actor=actor, items=[item, other, foreign])
    # then
    assert closed == 2
    assert InboxItem.objects.get(pk=foreign.pk).status == ItemStatus.OPEN
    assert item.notes.get().body == "VIP 客户，优先处理"

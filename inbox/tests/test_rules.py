"""Inbox rules: matching (Chinese substring, Latin whole word, account, kind, followers, VIP, sentiment),
their actions at ingest (tag, assign, round-robin, close, hide, priority, stop), the assignment notice,
and managing them (validation next to the field, audit, reorder, dry run)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals.models import InboxNotificationKind, Notification
from channels_app.tests.factories import SocialAccountFactory
from core.errors import ValidationFailed
from core.models import AuditEvent
from inbox import selectors, services
from inbox.models import InboxItem, InboxRule, ItemStatus
from inbox.rule_match import Sample, keyword_in, rule_matches

from .factories import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return SocialAccountFactory(platform="weibo", external_id="brand-1")


@pytest.fixture
def manager(account):
    return WorkspaceMemberFactory(workspace=account.workspace, role=Role.MANAGER).user


def _agent(workspace, name):
    return WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name=name).user


def _rule(on, manager, **changes):
    return services.inbox_rule_create(
        workspace=on.workspace, actor=manager, **{"name": "r", "add_tags": ["t"], **changes}
    )


# --- matching ---


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("发货", "请问什么时候发货？", True),  # Chinese: a substring
        ("退款", "我要退货", False),
        ("refund", "Refund please!", True),  # Latin: a whole word, any case
        ("refund", "我要refund", True),
        ("refund", "it was refunded", False),
        ("late", "chocolate", False),
        ("c++", "I love C++ books", True),
        ("  ", "anything", False),
    ],
)
def test_keywords_match_chinese_as_substrings_and_latin_as_whole_words(keyword, text, expected):
    assert keyword_in(keyword, text) is expected


def test_every_condition_set_must_hold():
    rule = InboxRule(
        keywords=["发货"],
        account_id=3,
        kind="comment",
        min_followers=1000,
        vip=["@Alice"],
        sentiment="negative",
    )
    sample = Sample(
        text="还不发货？太差了",
        account_id=3,
        kind="comment",
        followers=5000,
        fan_handle="alice",
        sentiment="negative",
    )
    assert rule_matches(rule, sample)
    for change in (
        {"text": "你好"},
        {"account_id": 4},
        {"kind": "mention"},
        {"followers": 999},
        {"followers": None},
        {"fan_handle": "bob"},
        {"sentiment": "positive"},
    ):
        assert not rule_matches(rule, Sample(**{**sample.__dict__, **change})), change
    # a VIP may be named by the platform's id too
    assert rule_matches(
        InboxRule(vip=["7001"]), Sample(text="hi", fan_handle="someone", fan_external_id="7001")
    )


# --- at ingest ---


def test_a_matching_rule_tags_prioritises_and_assigns_a_new_message_and_tells_the_assignee(account, manager):
    agent = _agent(account.workspace, "Lin Yi")
    _rule(account, manager, keywords=["发货"], add_tags=["物流"], set_priority="high", assign_to=agent.pk)
    # when
    item = services.inbox_message_ingest(account=account, message=message("c1", text="什么时候发货？")).item
    other = services.inbox_message_ingest(account=account, message=message("c2", text="很好看")).item
    # then
    item.refresh_from_db()
    assert item.tags == ["物流"] and item.priority == "high" and item.assignee == agent
    assert other.tags == [] and other.assignee is None and other.priority == "normal"
    notice = Notification.objects.get(recipient=agent)
    assert notice.kind == InboxNotificationKind.INBOX_ASSIGNED
    assert notice.link == f"/w/{account.workspace_id}/inbox/items/{item.pk}/"
    assert "什么时候发货" in notice.message


def test_rules_run_in_order_tags_add_up_and_a_stop_rule_ends_the_run(account, manager):
    _rule(account, manager, name="first", keywords=["refund"], add_tags=["money"], set_priority="high")
    _rule(
        account,
        manager,
        name="second",
        keywords=["refund"],
        add_tags=["vip"],
        set_priority="urgent",
        stop=True,
    )
    _rule(account, manager, name="third", keywords=["refund"], close=True)
    # when
    item = services.inbox_message_ingest(account=account, message=message("c1", text="Refund now")).item
    # then
    assert item.tags == ["money", "vip"] and item.priority == "urgent"
    assert item.status == ItemStatus.OPEN  # the third never ran
    assert len(item.raw["_rules"]) == 2


def test_auto_close_and_hide_keep_the_message_out_of_the_queue(account, manager):
    _rule(account, manager, keywords=["广告"], close=True, hide=True, add_tags=[])
    # when
    spam = services.inbox_message_ingest(account=account, message=message("c1", text="加微信看广告")).item
    # then
    assert spam.status == ItemStatus.CLOSED and spam.hidden_at is not None
    assert list(selectors.inbox_items(account.workspace)) == []
    assert list(selectors.inbox_items(account.workspace, filters=selectors.ItemFilters(hidden=True))) == [
        spam
    ]


def test_round_robin_takes_turns_skips_people_who_cannot_answer_and_keeps_its_place(account, manager):
    a, b, c = (_agent(account.workspace, name) for name in ("A", "B", "C"))
    rule = _rule(account, manager, assign_team=[a.pk, b.pk, c.pk])
    # when: four messages
    got = [
        services.inbox_message_ingest(account=account, message=message(f"c{n}", author=f"f{n}")).item.assignee
        for n in range(4)
    ]
    # then
    assert got == [a, b, c, a]
    rule.refresh_from_db()
    assert rule.round_robin_last == a.pk
    # when: B becomes a viewer (cannot answer fans any more)
    member = b.workspace_memberships.get(workspace=account.workspace)
    member.role = Role.VIEWER
    member.save()
    got = [
        services.inbox_message_ingest(account=account, message=message(f"d{n}", author=f"g{n}")).item.assignee
        for n in range(3)
    ]
    # then
    assert got == [c, a, c]


def test_an_item_assigned_to_a_person_who_left_stays_unassigned(account, manager):
    agent = _agent(account.workspace, "A")
    _rule(account, manager, assign_to=agent.pk)
    agent.workspace_memberships.all().delete()
    # when
    item = services.inbox_message_ingest(account=account, message=message("c1")).item
    # then
    assert item.assignee is None and item.tags == ["t"]


def test_our_own_messages_and_deleted_ones_are_not_run_through_the_rules(account, manager):
    _rule(account, manager, close=True)
    ours = services.inbox_message_ingest(account=account, message=message("o1", author="brand-1")).item
    gone = services.inbox_message_ingest(account=account, message=message("g1", removed=True)).item
    assert ours.tags == [] and gone.tags == []


def test_a_failing_rule_never_loses_the_message(account, manager, monkeypatch):
    _rule(account, manager, add_tags=["x"])

    def broken(rule, sample):
        raise RuntimeError("boom")

    monkeypatch.setattr("inbox.services.rule_apply.rule_matches", broken)
    # when
    result = services.inbox_message_ingest(account=account, message=message("c1"))
    # then
    assert result.outcome == "created"
    assert InboxItem.objects.get(pk=result.item.pk).tags == []


def test_a_disabled_rule_does_nothing(account, manager):
    rule = _rule(account, manager, add_tags=["x"])
    services.inbox_rule_update(workspace=account.workspace, actor=manager, rule=rule, enabled=False)
    item = services.inbox_message_ingest(account=account, message=message("c1")).item
    assert item.tags == []


@pytest.mark.django_db(transaction=True)
def test_round_robin_is_fair_across_workers_ingesting_at_once():
    account = SocialAccountFactory(platform="weibo", external_id="brand-1")
    manager = WorkspaceMemberFactory(workspace=account.workspace, role=Role.MANAGER).user
    a, b = _agent(account.workspace, "A"), _agent(account.workspace, "B")
    _rule(account, manager, assign_team=[a.pk, b.pk])
    barrier = threading.Barrier(4)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            for k in range(5):
                services.inbox_message_ingest(
                    account=account, message=message(f"w{n}-{k}", author=f"f{n}{k}")
                )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: 20 items, 10 each
    assert errors == []
    counts = {user: InboxItem.objects.filter(account=account, assignee=user).count() for user in (a, b)}
    assert counts == {a: 10, b: 10}


# --- managing rules ---


def test_rules_are_validated_with_the_field_named(account, manager):
    viewer = WorkspaceMemberFactory(workspace=account.workspace, role=Role.VIEWER).user
    other_account = SocialAccountFactory()
    cases = [
        ({"name": " "}, "name"),
        ({"add_tags": []}, "add_tags"),  # does nothing
        ({"assign_to": viewer.pk}, "assign_to"),
        ({"assign_team": [viewer.pk]}, "assign_team"),
        ({"assign_to": manager.pk, "assign_team": [manager.pk]}, "assign_team"),
        ({"account": other_account.pk}, "account"),
        ({"kind": "letter"}, "kind"),
        ({"keywords": ["x" * 61]}, "keywords"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            _rule(account, manager, **changes)
        assert list(caught.value.fields) == [field], changes
    assert InboxRule.objects.count() == 0


def test_creating_changing_reordering_and_deleting_rules_is_audited(account, manager):
    one = _rule(account, manager, name="one")
    two = _rule(account, manager, name="two")
    three = _rule(account, manager, name="three")
    assert [one.position, two.position, three.position] == [0, 1, 2]
    # when
    services.inbox_rule_update(workspace=account.workspace, actor=manager, rule=one, add_tags=["a", "b"])
    services.inbox_rule_move(workspace=account.workspace, actor=manager, rule=three, direction="up")
    services.inbox_rule_delete(workspace=account.workspace, actor=manager, rule=one)
    # then
    assert [r.name for r in selectors.inbox_rules(account.workspace)] == ["three", "two"]
    actions = list(AuditEvent.objects.filter(workspace=account.workspace).values_list("action", flat=True))
    assert actions.count("inbox.rule_create") == 3
    assert {"inbox.rule_update", "inbox.rules_reorder", "inbox.rule_delete"} <= set(actions)
    update = AuditEvent.objects.get(action="inbox.rule_update")
    assert update.before == {"add_tags": ["t"]} and update.after == {"add_tags": ["a", "b"]}
    with pytest.raises(ValidationFailed):
        services.inbox_rules_reorder(workspace=account.workspace, actor=manager, rule_ids=[two.pk])


def test_a_sample_text_shows_which_rules_would_act(account, manager):
    _rule(account, manager, name="物流", keywords=["发货"])
    _rule(account, manager, name="差评", sentiment="negative")
    _rule(account, manager, name="大V", min_followers=10000)
    # when
    tested = services.inbox_rules_test(account.workspace, sample=Sample(text="还不发货，太差了，垃圾"))
    # then: the sentiment is computed from the text, as at ingest
    assert [rule.name for rule in tested] == ["物流", "差评"]
    assert InboxItem.objects.count() == 0

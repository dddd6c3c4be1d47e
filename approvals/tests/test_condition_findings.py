"""Compliance joins approvals: a stage's condition can ask for findings of a kind (advertising law,
banned words, missing disclosure, blocked links, platform limits), alone or with `"match": "any"` beside
keywords, so legal sees every post with an ad-law finding whatever words it uses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.conditions import FINDING_KINDS, PostFacts, condition_matches, finding_kind, validate_condition
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def facts(**kw):
    base = dict(
        account_ids=frozenset(),
        platforms=frozenset(),
        campaign_id=None,
        tag_ids=frozenset(),
        has_findings=False,
        texts=(),
        finding_kinds=frozenset(),
    )
    return PostFacts(**{**base, **kw})


@pytest.mark.parametrize(
    ("rule", "kind"),
    [
        ("adlaw.absolute_claim", "adlaw"),
        ("banned_word", "banned_word"),
        ("disclosure.missing", "disclosure"),
        ("link.blocked_in_mainland", "blocked_link"),
        ("weibo.text_length", "platform_limits"),
    ],
)
def test_each_rule_has_its_kind(rule, kind):
    assert finding_kind(rule) == kind and kind in FINDING_KINDS


def test_all_keys_must_match_unless_match_is_any():
    condition = {"keywords": ["临床"], "finding_kinds": ["adlaw"]}
    ad_law_only = facts(finding_kinds=frozenset({"adlaw"}), texts=("最好的茶",))
    assert not condition_matches(condition, ad_law_only)
    assert condition_matches({**condition, "match": "any"}, ad_law_only)
    assert not condition_matches({**condition, "match": "any"}, facts(texts=("新品",)))


def test_unknown_kinds_and_match_values_are_refused_by_field():
    with pytest.raises(ValidationFailed) as error:
        validate_condition({"finding_kinds": ["adlaw", "rumours"]})
    assert "condition" in error.value.fields and "rumours" in error.value.message
    with pytest.raises(ValidationFailed):
        validate_condition({"match": "some"})


def test_a_post_with_an_adlaw_finding_goes_to_legal_without_any_keyword():
    # given: legal's stage asks for its keywords or an ad-law finding
    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    legal = WorkspaceMemberFactory(workspace=ws, role=Role.REVIEWER).user
    manager = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    workflow_with(
        admin,
        ws,
        [
            {"name": "Manager", "approver_users": [manager.pk]},
            {
                "name": "Legal",
                "approver_users": [legal.pk],
                "condition": {"match": "any", "keywords": ["临床"], "finding_kinds": ["adlaw"]},
            },
        ],
    )
    account = SocialAccountFactory(workspace=ws, platform="weibo")

    def submitted(text):
        post = content_services.post_create(
            actor=editor,
            workspace=ws,
            targets=[{"account": account.pk, "text": text}],
            scheduled_at=timezone.now() + timedelta(days=2),
        )
        return services.approval_request_submit(actor=editor, post=post)

    # when
    claim = submitted("全网最好的乌龙茶")  # "最" is an absolute claim; no keyword of legal's
    plain = submitted("新品乌龙茶上市")
    # then
    assert [s.stage_name for s in claim.stage_states.exclude(status="skipped")] == ["Manager", "Legal"]
    assert [s.stage_name for s in plain.stage_states.exclude(status="skipped")] == ["Manager"]

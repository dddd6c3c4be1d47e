"""content.hooks: the apps above content answer what content asks (approvals: the gate before
scheduling, the reset after an edit, the post page's request; publishing: missed posts, publish jobs),
registered when Django starts; without the approval gate, scheduling fails closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import gate
from approvals.selectors import latest_request_for
from channels_app.tests.factories import SocialAccountFactory
from content import hooks, services
from content.models import Post, PostVersion, TargetStatus
from publishing.selectors import missed_post_ids, targets_publishing

S = TargetStatus


@pytest.fixture
def scheduled_and_draft(db):
    ws = WorkspaceFactory()
    manager = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    account = SocialAccountFactory(workspace=ws, platform="mastodon")

    def make(text):
        return services.post_create(
            actor=manager,
            workspace=ws,
            targets=[{"account": account.pk, "text": text}],
            scheduled_at=timezone.now() + timedelta(days=2),
        )

    scheduled = services.post_schedule(actor=manager, post=make("Spring menu is here"))
    return manager, scheduled, make("Summer menu is here")


def test_approvals_and_publishing_register_every_hook_when_django_starts():
    # given: django.setup() has run every AppConfig.ready()
    # then
    assert hooks.registered("assert_schedulable") is gate.assert_schedulable
    assert hooks.registered("on_post_edited") is gate.on_post_edited
    assert hooks.registered("latest_approval") is latest_request_for
    assert hooks.registered("missed_post_ids") is missed_post_ids
    assert hooks.registered("targets_publishing") is targets_publishing
    assert {name for name in hooks.HOOKS if hooks.registered(name) is None} == set()


def test_a_hook_content_does_not_ask_cannot_be_registered():
    with pytest.raises(ValueError, match="publish_gate"):
        hooks.register("publish_gate", gate.publish_gate)
    assert hooks.registered("publish_gate") is None


def test_without_the_approval_gate_nothing_is_scheduled_or_moved(scheduled_and_draft, monkeypatch):
    # given
    manager, scheduled, draft = scheduled_and_draft
    before = Post.objects.get(pk=scheduled.pk).scheduled_at
    monkeypatch.delitem(hooks._registered, "assert_schedulable")
    # when / then: scheduling a draft fails closed
    with pytest.raises(ImproperlyConfigured, match="assert_schedulable"):
        services.post_schedule(actor=manager, post=draft)
    assert Post.objects.get(pk=draft.pk).status == S.DRAFT
    # when / then: so does moving a scheduled post
    with pytest.raises(ImproperlyConfigured, match="assert_schedulable"):
        services.post_reschedule(actor=manager, post=scheduled, scheduled_at=before + timedelta(days=1))
    assert Post.objects.get(pk=scheduled.pk).scheduled_at == before


def test_an_edit_that_changes_what_gets_published_calls_the_registered_reset(
    scheduled_and_draft, monkeypatch
):
    # given
    manager, _scheduled, draft = scheduled_and_draft
    calls = []

    def reset(post, *, actor, content_changed):
        calls.append((post, actor, content_changed))

    monkeypatch.setitem(hooks._registered, "on_post_edited", reset)
    target = draft.targets.get()
    # when
    services.post_update(
        actor=manager,
        post=draft,
        version=draft.version,
        targets=[{"account": target.account_id, "text": "Autumn menu"}],
    )
    # then
    assert [(post.pk, actor, changed) for post, actor, changed in calls] == [(draft.pk, manager, True)]
    assert PostVersion.objects.filter(post=draft).count() == 2


def test_with_nothing_registered_the_pages_reads_show_nothing(monkeypatch):
    # given
    monkeypatch.setattr(hooks, "_registered", {})
    # then
    assert hooks.missed_post_ids([1, 2]) == set()
    assert hooks.targets_publishing(None, [1, 2]) == {1: {}, 2: {}}
    assert hooks.latest_approval(None, None) is None
    assert hooks.on_post_edited(None, actor=None) is None

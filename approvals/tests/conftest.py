from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services


@pytest.fixture
def ws(db):
    return WorkspaceFactory()


@pytest.fixture
def admin(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user


@pytest.fixture
def editor(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user


@pytest.fixture
def reviewer_factory(ws):
    def make(role=Role.REVIEWER, workspace=None):
        return WorkspaceMemberFactory(workspace=workspace or ws, role=role).user

    return make


@pytest.fixture
def account(ws):
    return SocialAccountFactory(workspace=ws, platform="mastodon")


@pytest.fixture
def make_post(editor, ws, account):
    def make(text="Spring menu is here", *, actor=None, workspace=None, accounts=None, **kwargs):
        return content_services.post_create(
            actor=actor or editor,
            workspace=workspace or ws,
            targets=[{"account": a.pk, "text": text} for a in (accounts or [account])],
            scheduled_at=timezone.now() + timedelta(days=2),
            **kwargs,
        )

    return make


def edit(post, actor, text):
    """Change every variant's text (a new version with a new content hash)."""
    post.refresh_from_db()
    return content_services.post_update(
        actor=actor,
        post=post,
        version=post.version,
        targets=[{"account": t.account_id, "text": text} for t in post.targets.all()],
    )

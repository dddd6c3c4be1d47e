"""Test helpers for the publish pipeline: accounts connected to the simulator and due targets."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels_app.connectors.base import Credentials
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from content.tests.factories import PostFactory, PostTargetFactory
from publishing.models import PublishJob


def sim_account(platform_sim, workspace, platform: str = "x", **fields):
    """A SocialAccount connected to a fresh simulator account (its real tokens in the vault)."""
    sim = platform_sim.create_account(platform)
    account = SocialAccountFactory(
        workspace=workspace,
        platform=platform,
        external_id=sim.external_id,
        handle=sim.handle,
        token_expires_at=sim.expires_at,
        credentials=Credentials(
            access_token=sim.access_token,
            refresh_token=sim.refresh_token,
            expires_at=sim.expires_at,
            refresh_expires_at=sim.refresh_expires_at,
            extra={"handle": sim.handle},
        ),
        **fields,
    )
    return account, sim


def due_target(account, *, text: str, due=None, status: str = S.SCHEDULED, author=None) -> PostTarget:
    """A post on `account` scheduled for `due` (a second ago by default), its target in `status`."""
    extra = {"author": author} if author is not None else {}
    post = PostFactory(
        workspace=account.workspace, scheduled_at=due or timezone.now() - timedelta(seconds=1), **extra
    )
    target = PostTargetFactory(
        post=post, workspace=account.workspace, account=account, text=text, status=status
    )
    Post.objects.filter(pk=post.pk).update(status=status)
    return target


def bulk_due_targets(accounts, per_account: int, *, due=None, prefix: str = "Post") -> list[int]:
    """Many scheduled targets at once (bulk inserts), `per_account` on each account."""
    due = due or timezone.now()
    posts, targets = [], []
    for account in accounts:
        for n in range(per_account):
            posts.append(
                Post(
                    workspace_id=account.workspace_id,
                    title=f"{prefix} {account.pk}-{n}",
                    scheduled_at=due,
                    status=S.SCHEDULED,
                )
            )
    Post.objects.bulk_create(posts)
    index = 0
    for account in accounts:
        for n in range(per_account):
            post = posts[index]
            index += 1
            targets.append(
                PostTarget(
                    workspace_id=account.workspace_id,
                    post=post,
                    account=account,
                    text=f"{prefix} {account.pk}-{n} https://kawo.example/{post.pk}",
                    status=S.SCHEDULED,
                )
            )
    PostTarget.objects.bulk_create(targets)
    return [t.pk for t in targets]


def job_of(target) -> PublishJob:
    return PublishJob.objects.get(target_id=target.pk)

"""Deleting: a workspace goes with all its content; an account or media a post uses cannot go alone."""

import pytest
from django.db.models import RestrictedError

from accounts.models import Workspace
from content.models import Post, PostTarget, PostTargetMedia
from content.tests.factories import MediaAssetFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


def test_a_workspace_is_deleted_with_its_posts_accounts_and_media():
    # given
    target = PostTargetFactory()
    PostTargetMedia.objects.create(target=target, media=MediaAssetFactory(workspace=target.workspace))
    workspace = target.workspace
    # when
    workspace.delete()
    # then
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert Post.objects.count() == 0 and PostTarget.objects.count() == 0


def test_an_account_used_by_a_post_cannot_be_deleted_alone():
    target = PostTargetFactory()
    with pytest.raises(RestrictedError):
        target.account.delete()
    media = MediaAssetFactory(workspace=target.workspace)
    PostTargetMedia.objects.create(target=target, media=media)
    with pytest.raises(RestrictedError):
        media.delete()
    assert PostTarget.objects.filter(pk=target.pk).exists()

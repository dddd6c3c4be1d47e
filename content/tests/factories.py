"""Factories for content. Posts made here skip the services (no version, no audit): tests of behaviour
call content.services; these are for data a test needs around it (calendars, isolation, benchmarks)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory, WorkspaceFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import (
    BannedWord,
    Campaign,
    MediaAsset,
    Post,
    PostingSlot,
    PostTarget,
    Tag,
    TagGroup,
)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


class TagGroupFactory(DjangoModelFactory):
    class Meta:
        model = TagGroup

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Pillar {n}")


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    workspace = factory.SelfAttribute("group.workspace")
    group = factory.SubFactory(TagGroupFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class BannedWordFactory(DjangoModelFactory):
    class Meta:
        model = BannedWord

    workspace = factory.SubFactory(WorkspaceFactory)
    word = factory.Sequence(lambda n: f"banned{n}")
    severity = BannedWord.Severity.BLOCKING


class MediaAssetFactory(DjangoModelFactory):
    """A row only (no file): enough for references; uploads go through content.services.media_upload."""

    class Meta:
        model = MediaAsset

    workspace = factory.SubFactory(WorkspaceFactory)
    file = factory.Sequence(lambda n: f"workspaces/0/media/factory-{n}.jpg")
    original_name = factory.Sequence(lambda n: f"photo-{n}.jpg")
    kind = MediaAsset.Kind.IMAGE
    mime = "image/jpeg"
    size = 1024
    width = 800
    height = 600
    frames = 1
    checksum = factory.Sequence(lambda n: f"{n:064x}")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    author = factory.SubFactory(UserFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class PostTargetFactory(DjangoModelFactory):
    class Meta:
        model = PostTarget

    post = factory.SubFactory(PostFactory)
    workspace = factory.SelfAttribute("post.workspace")
    account = factory.SubFactory(SocialAccountFactory, workspace=factory.SelfAttribute("..workspace"))
    text = factory.Sequence(lambda n: f"Hello world {n}")


class PostingSlotFactory(DjangoModelFactory):
    class Meta:
        model = PostingSlot

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(SocialAccountFactory, workspace=factory.SelfAttribute("..workspace"))
    weekday = 0
    time = "09:00"

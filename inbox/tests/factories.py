from datetime import UTC, datetime

import factory
import pytest
from factory.django import DjangoModelFactory

from channels_app.connectors.inbound import InboundAuthor, InboundMessage
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import Conversation, Fan, InboxItem


class FanFactory(DjangoModelFactory):
    class Meta:
        model = Fan

    workspace = factory.SubFactory("accounts.tests.factories.WorkspaceFactory")
    platform = "weibo"
    external_id = factory.Sequence(lambda n: f"fan-{n}")
    handle = factory.Sequence(lambda n: f"fan_{n}")
    display_name = factory.Sequence(lambda n: f"Fan {n}")


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = Conversation

    account = factory.SubFactory(SocialAccountFactory)
    workspace = factory.SelfAttribute("account.workspace")
    kind = Conversation.Kind.THREAD
    external_id = factory.Sequence(lambda n: f"post-{n}")


class InboxItemFactory(DjangoModelFactory):
    class Meta:
        model = InboxItem

    conversation = factory.SubFactory(ConversationFactory)
    account = factory.SelfAttribute("conversation.account")
    workspace = factory.SelfAttribute("conversation.workspace")
    fan = factory.SubFactory(
        FanFactory,
        workspace=factory.SelfAttribute("..workspace"),
        platform=factory.SelfAttribute("..account.platform"),
    )
    kind = "comment"
    external_id = factory.Sequence(lambda n: f"c-{n}")
    text = "什么时候发货？"
    sent_at = factory.LazyFunction(lambda: datetime(2026, 12, 1, 8, 0, tzinfo=UTC))


def message(
    external_id: str = "c1",
    *,
    text: str = "很喜欢这个新品！",
    author: str = "fan-1",
    kind: str = "comment",
    thread: str = "post-1",
    parent: str = "",
    removed: bool = False,
    at: datetime | None = None,
    followers: int | None = 120,
) -> InboundMessage:
    return InboundMessage(
        kind=kind,
        external_id=external_id,
        author=InboundAuthor(
            external_id=author, handle=f"h_{author}", display_name=f"Name {author}", followers=followers
        ),
        text=text,
        sent_at=at or datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        thread_id=thread,
        parent_id=parent,
        thread_title="新品上市",
        removed=removed,
    )


def library_image(workspace, name: str = "reply.jpg"):
    """A media library image with a real file (a small JPEG) in the workspace."""
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from content.tests.factories import MediaAssetFactory

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    stored = default_storage.save(f"workspaces/{workspace.pk}/media/{name}", ContentFile(buffer.getvalue()))
    return MediaAssetFactory(
        workspace=workspace, file=stored, size=len(buffer.getvalue()), width=64, height=48
    )


@pytest.fixture(autouse=False)
def open_gate():
    """An open rate-limit gate for the test: blocks left in Redis by an earlier run (whose account ids a
    fresh test database hands out again) must not hold this one's calls."""
    from publishing import ratelimit

    client = ratelimit.gate().client
    for key in client.scan_iter(f"{ratelimit.key_prefix()}*"):
        client.delete(key)

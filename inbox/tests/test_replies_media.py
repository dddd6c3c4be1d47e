"""A reply with a media library image on Mastodon: the image is uploaded (POST /api/v2/media) and the
answering status carries it (media_ids[]), sent once."""

from __future__ import annotations

import hashlib

import pytest

from accounts.tests.factories import UserFactory
from inbox.models import InboxItem
from inbox.services import inbox_reply_send
from inbox.services.polling import inbox_poll_account
from inbox.tests.factories import (
    library_image,
    open_gate,  # noqa: E402, F401  (the fixture, used by name below)
)
from publishing.tests.pipeline_kit import sim_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_gate")]


def test_a_mastodon_reply_carries_the_uploaded_image(
    platform_sim, workspace, django_capture_on_commit_callbacks
):
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    fan = platform_sim.fan_writes(
        "mastodon",
        account.external_id,
        kind="mention",
        text="@brand photo?",
        author_id="555",
        author_handle="ann",
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    image = library_image(workspace)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="Here it is", version=1, media=image
        )
    # then
    reply.refresh_from_db()
    assert reply.status == "sent", reply.error
    posts = platform_sim.posts("mastodon", account.external_id)
    answering = [p for p in posts if p["id"] == reply.external_id]
    assert len(answering) == 1 and len(answering[0]["media"]) == 1
    with image.file.open("rb") as handle:
        assert answering[0]["media"][0]["sha256"] == hashlib.sha256(handle.read()).hexdigest()
    assert platform_sim.requests("mastodon", "upload", account.external_id) >= 1
    assert platform_sim.requests("mastodon", "publish", account.external_id) == 1

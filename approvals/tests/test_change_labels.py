"""A reviewer never reads a payload path: every field an approval covers has a label (read from the
payload's dataclasses, so a new field without one fails here), and paths read as words."""

import dataclasses

from django.utils import translation

from approvals.change_labels import MEDIA_FIELD_LABELS, PAYLOAD_FIELD_LABELS, change_label
from channels_app.connectors.base import MediaItem, PostPayload
from content.payload import MEDIA_NOT_HASHED, NOT_HASHED


def test_every_covered_field_has_a_label():
    payload = {f.name for f in dataclasses.fields(PostPayload)} - set(NOT_HASHED)
    media = {f.name for f in dataclasses.fields(MediaItem)} - set(MEDIA_NOT_HASHED)
    assert payload - set(PAYLOAD_FIELD_LABELS) == set()
    assert media - set(MEDIA_FIELD_LABELS) == set()


def test_paths_read_as_words_in_the_readers_language():
    handles = {12: "@lumiere_cn"}
    with translation.override("en"):
        assert change_label("targets[account=12].text", handles) == "@lumiere_cn · Text"
        assert (
            change_label("targets[account=12].media.1.alt_text", handles)
            == "@lumiere_cn · Media 2 · Alt text"
        )
        assert change_label("targets[account=12]", handles) == "@lumiere_cn · The whole variant"
    with translation.override("zh-hans"):
        label = change_label("targets[account=12].media.0.alt_text", handles)
        assert "alt_text" not in label and "Media" not in label

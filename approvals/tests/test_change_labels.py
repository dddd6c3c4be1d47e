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


def test_every_field_of_every_article_has_a_label():
    # Read from the dataclasses: a field added to Article or BodyImage fails here until it has a label.
    from approvals.change_labels import ARTICLE_FIELD_LABELS, BODY_IMAGE_FIELD_LABELS
    from channels_app.connectors.base import Article, BodyImage

    assert {f.name for f in dataclasses.fields(Article)} - set(ARTICLE_FIELD_LABELS) == set()
    assert {f.name for f in dataclasses.fields(BodyImage)} - set(BODY_IMAGE_FIELD_LABELS) == set()


def test_every_hashed_article_path_reads_as_words_in_both_languages():
    from content.payload import hashed_paths

    handles = {12: "@lumiere_cn"}
    for path in sorted(p for p in hashed_paths() if p.startswith("articles.")):
        # "articles.images.media.alt_text" -> "targets[account=12].articles.1.images.0.media.alt_text"
        steps = path.split(".")
        concrete = ["articles", "1", *steps[1:]]
        if "images" in concrete:
            concrete.insert(concrete.index("images") + 1, "0")
        full = "targets[account=12]." + ".".join(concrete)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                label = change_label(full, handles)
            assert all(step not in label for step in steps[1:]), (path, language, label)
            assert label.startswith("@lumiere_cn · ")


def test_article_paths_read_as_article_numbers():
    handles = {12: "@lumiere_cn"}
    with translation.override("en"):
        assert (
            change_label("targets[account=12].articles.1.title", handles) == "@lumiere_cn · Article 3 · Title"
        )
        assert (
            change_label("targets[account=12].articles.0.images.1.media.alt_text", handles)
            == "@lumiere_cn · Article 2 · Body image 2 · Alt text"
        )
        assert (
            change_label("targets[account=12].articles.2.cover.checksum", handles)
            == "@lumiere_cn · Article 4 · Cover · File contents"
        )
        assert change_label("targets[account=12].options.author", handles) == "@lumiere_cn · Options · Author"

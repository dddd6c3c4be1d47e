"""Words for the parts of a WeChat push's articles 2-8 (`Article`, `BodyImage`): the review page's change
labels ("Article 3 · Title", approvals.change_labels) and compliance findings ("Article 3 · Title: ...")
read them from here. approvals/tests/test_change_labels.py reads the dataclasses, so a field without a
label fails there."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A WeChat push's articles 2-8 (`Article`) and their body images (`BodyImage`).
ARTICLE_FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "body": gettext_lazy("Body"),
    "author": gettext_lazy("Author"),
    "digest": gettext_lazy("Digest"),
    "cover": gettext_lazy("Cover"),
    "cover_crop": gettext_lazy("Cover crop"),
    "images": gettext_lazy("Body images"),
    "original": gettext_lazy("Original declaration"),
    "source_url": gettext_lazy("Source URL"),
    "open_comment": gettext_lazy("Comments"),
    "fans_only_comment": gettext_lazy("Only followers may comment"),
}
BODY_IMAGE_FIELD_LABELS = {
    "media": gettext_lazy("Image"),
    "after": gettext_lazy("Position"),
}
# Media fields a path can end with (the same words as approvals.change_labels.MEDIA_FIELD_LABELS).
MEDIA_LABELS = {
    "kind": gettext_lazy("Kind"),
    "filename": gettext_lazy("File name"),
    "content_type": gettext_lazy("File type"),
    "size": gettext_lazy("Size"),
    "alt_text": gettext_lazy("Alt text"),
    "checksum": gettext_lazy("File contents"),
}

_ARTICLE = re.compile(r"^\.?articles\.(?P<index>\d+)(?P<rest>(?:\.\w+)*)$")


def article_label(rest: str) -> list[str]:
    """ "articles.1.images.0.media.alt_text" -> ["Article 3", "Body image 1", "Alt text"] (articles 2-8 are at
    index 0-6: article 1 is the variant itself)."""
    match = _ARTICLE.match(rest)
    if match is None:
        return []
    parts = [_("Article %(number)s") % {"number": int(match["index"]) + 2}]
    steps = [p for p in match["rest"].split(".") if p]
    if not steps:
        return parts
    field, steps = steps[0], steps[1:]
    if field == "images" and steps and steps[0].isdigit():
        parts.append(_("Body image %(number)s") % {"number": int(steps[0]) + 1})
        steps = steps[1:]
        if steps and steps[0] == "media":
            steps = steps[1:]
        elif steps:
            parts.append(str(BODY_IMAGE_FIELD_LABELS.get(steps[0], steps[0])))
            steps = steps[1:]
    else:
        parts.append(str(ARTICLE_FIELD_LABELS.get(field, field)))
    if steps:
        parts.append(str(MEDIA_LABELS.get(steps[0], steps[0])))
    return parts

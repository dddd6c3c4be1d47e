"""Where a post changed, in words: a payload diff's path ("targets[account=12].media.0.alt_text") read as
"@lumiere_cn · Media 1 · Alt text", "targets[account=12].articles.1.title" as "@lumiere_cn · Article 3 ·
Title". Every field of the payload (`PostPayload`) and of its files
(`MediaItem`) that an approval covers has a label; approvals/tests/test_change_labels.py reads the
dataclasses, so a new field without one fails there instead of showing a code to a reviewer."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.article_labels import ARTICLE_FIELD_LABELS, BODY_IMAGE_FIELD_LABELS, article_label  # noqa: F401

PAYLOAD_FIELD_LABELS = {
    "text": gettext_lazy("Text"),
    "media": gettext_lazy("Media"),
    "first_comment": gettext_lazy("First comment"),
    "link": gettext_lazy("Link"),
    "title": gettext_lazy("Title"),
    "options": gettext_lazy("Options"),
    "account": gettext_lazy("Account"),
    "paid_or_kol": gettext_lazy("Paid or KOL"),
    "articles": gettext_lazy("Articles"),
}
# Per-platform options with a name of their own (WeChat's first article and the push's delivery).
OPTION_LABELS = {
    "author": gettext_lazy("Author"),
    "digest": gettext_lazy("Digest"),
    "cover_crop": gettext_lazy("Cover crop"),
    "image_after": gettext_lazy("Body image positions"),
    "original": gettext_lazy("Original declaration"),
    "open_comment": gettext_lazy("Comments"),
    "fans_only_comment": gettext_lazy("Only followers may comment"),
    "delivery": gettext_lazy("Delivery"),
}

MEDIA_FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "filename": gettext_lazy("File name"),
    "content_type": gettext_lazy("File type"),
    "size": gettext_lazy("Size"),
    "alt_text": gettext_lazy("Alt text"),
    "checksum": gettext_lazy("File contents"),
}

_PATH = re.compile(
    r"^targets\[account=(?P<account>\d+|None)\](?:\.(?P<field>\w+))?(?:\.(?P<index>\d+))?(?:\.(?P<sub>\w+))?"
)


def _option_label(rest: str) -> str:
    """A platform setting's own label ("topics" -> "Topics", as the composer names it), from the
    connectors' declared options; an undeclared key as it is."""
    from channels_app.connectors.registry import CONNECTORS

    name, _dot, more = rest.partition(".")
    for cls in CONNECTORS.values():
        for spec in cls.post_options:
            if spec.name == name:
                return f"{spec.label} {int(more) + 1}" if more.isdigit() else str(spec.label)
    return rest


def change_label(path: str, handles: dict[int, str]) -> str:
    """`handles`: account id -> "@handle" for the post's accounts."""
    match = _PATH.match(path)
    if match is None:
        return str(PAYLOAD_FIELD_LABELS.get(path, path))
    parts = []
    account = match["account"]
    if account and account.isdigit():
        parts.append(handles.get(int(account), _("an account no longer on the post")))
    field = match["field"]
    rest = path[match.start("field") - 1 :] if field == "articles" else ""
    if field == "articles" and article_label(rest):
        return " · ".join([*parts, *article_label(rest)])
    if field:
        label = str(PAYLOAD_FIELD_LABELS.get(field, field))
        if field == "media" and match["index"] is not None:
            label = _("Media %(number)s") % {"number": int(match["index"]) + 1}
        elif field == "options" and match["index"] is None and match["sub"] is None:
            rest = path[match.end() :].lstrip(".")
            # the WeChat push's own settings, else the connector's declared setting's label
            rest = str(OPTION_LABELS[rest]) if rest in OPTION_LABELS else _option_label(rest)
            label = f"{label} · {rest}" if rest else label
        parts.append(label)
    if match["sub"]:
        labels = OPTION_LABELS if field == "options" else MEDIA_FIELD_LABELS
        parts.append(str(labels.get(match["sub"], match["sub"])))
    if not field:
        parts.append(_("The whole variant"))
    return " · ".join(parts)


def labelled(changes: list[dict], handles: dict[int, str]) -> list[dict]:
    return [{**change, "label": change_label(change["path"], handles)} for change in changes]

"""Where a post changed, in words: a payload diff's path ("targets[account=12].media.0.alt_text") read as
"@lumiere_cn · Media 1 · Alt text". Every field of the payload (`PostPayload`) and of its files
(`MediaItem`) that an approval covers has a label; approvals/tests/test_change_labels.py reads the
dataclasses, so a new field without one fails there instead of showing a code to a reviewer."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAYLOAD_FIELD_LABELS = {
    "text": gettext_lazy("Text"),
    "media": gettext_lazy("Media"),
    "first_comment": gettext_lazy("First comment"),
    "link": gettext_lazy("Link"),
    "title": gettext_lazy("Title"),
    "options": gettext_lazy("Options"),
    "account": gettext_lazy("Account"),
    "paid_or_kol": gettext_lazy("Paid or KOL"),
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
    if field:
        label = str(PAYLOAD_FIELD_LABELS.get(field, field))
        if field == "media" and match["index"] is not None:
            label = _("Media %(number)s") % {"number": int(match["index"]) + 1}
        elif field == "options" and match["index"] is None and match["sub"] is None:
            rest = path[match.end() :].lstrip(".")
            label = f"{label} · {_option_label(rest)}" if rest else label
        parts.append(label)
    if match["sub"]:
        parts.append(str(MEDIA_FIELD_LABELS.get(match["sub"], match["sub"])))
    if not field:
        parts.append(_("The whole variant"))
    return " · ".join(parts)


def labelled(changes: list[dict], handles: dict[int, str]) -> list[dict]:
    return [{**change, "label": change_label(change["path"], handles)} for change in changes]

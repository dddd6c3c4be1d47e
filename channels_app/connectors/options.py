"""What a connector takes as per-variant platform settings (`PostTarget.options`), declared on its class.

    class DouyinConnector(Connector):
        post_options = (
            OptionSpec("title", TEXT, _("Video title"), max_length=30),
            OptionSpec("cover_tsp", SECONDS, _("Cover frame")),
        )

One declaration serves three places: the content service validates a variant's options against it
(`clean_options`: unknown keys and values out of bounds are refused, on `targets.N.options.<name>`), the
composer draws its "Platform settings" section from it, and the API documents it. The connector reads the
same names from `payload.options`. Labels are translated (gettext_lazy), so both languages come from the
catalogue.

Kinds: text, url (a text that must be an http(s) address), bool, choice, int, list (of short texts, e.g.
topics or tags), media (the id of an image in the workspace's library: the content service resolves it
and the payload carries its bytes in `PostPayload.option_media`) and seconds (a point in the video, e.g.
the cover frame).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT, URL, BOOL, CHOICE, INT, LIST, MEDIA, SECONDS = (
    "text",
    "url",
    "bool",
    "choice",
    "int",
    "list",
    "media",
    "seconds",
)
KINDS = (TEXT, URL, BOOL, CHOICE, INT, LIST, MEDIA, SECONDS)
MAX_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class OptionSpec:
    name: str
    kind: str
    label: Any  # a lazy translation
    help: Any = ""
    max_length: int | None = None  # text, url; each item of a list
    min_value: int | float | None = None  # int, seconds
    max_value: int | float | None = None  # int, seconds
    choices: tuple[tuple[str, Any], ...] = ()  # choice: (value, lazy label)
    max_items: int | None = None  # list
    strip_prefix: str = ""  # list: a leading character people type and the platform adds itself ("#")
    placeholder: Any = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown option kind {self.kind!r}")
        if self.kind == CHOICE and not self.choices:
            raise ValueError(f"choice option {self.name!r} needs choices")

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    def clean(self, value: Any) -> Any:
        """The value as stored, or ValueError with the message to show next to the field. A blank value
        (None, "", []) is None: the option is left out and the platform's default applies."""
        if value is None or value == "" or value == []:
            return None
        return getattr(self, f"_clean_{self.kind}")(value)

    def _clean_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(_("Enter text."))
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(
                _("At most %(limit)s characters (this has %(used)s).")
                % {"limit": self.max_length, "used": len(value)}
            )
        return value

    def _clean_url(self, value: Any) -> str:
        value = self._clean_text(value).strip()
        if (
            not value.startswith(("https://", "http://"))
            or len(value) < 11
            or any(c.isspace() for c in value)
        ):
            raise ValueError(_("Enter a web address starting with https://."))
        return value

    def _clean_bool(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(_("Enter true or false."))
        return value

    def _clean_choice(self, value: Any) -> str:
        if value not in self.choice_values:
            raise ValueError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(str(c) for c in self.choice_values)}
            )
        return value

    def _bounded(self, number):
        if self.min_value is not None and number < self.min_value:
            raise ValueError(_("At least %(limit)s.") % {"limit": self.min_value})
        if self.max_value is not None and number > self.max_value:
            raise ValueError(_("At most %(limit)s.") % {"limit": self.max_value})
        return number

    def _clean_int(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(_("Enter a whole number."))
        return self._bounded(value)

    def _clean_seconds(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(_("Enter a number of seconds."))
        if value < 0:
            raise ValueError(_("At least %(limit)s.") % {"limit": 0})
        limit = self.max_value if self.max_value is not None else MAX_SECONDS
        if value > limit:
            raise ValueError(_("At most %(limit)s.") % {"limit": limit})
        return round(float(value), 3)

    def _clean_list(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(_("Enter a list of texts."))
        items = []
        for raw in value:
            item = raw.strip()
            if self.strip_prefix:
                item = item.lstrip(self.strip_prefix).strip()
            if not item:
                continue
            if self.max_length is not None and len(item) > self.max_length:
                raise ValueError(
                    _("“%(item)s” is longer than %(limit)s characters.")
                    % {"item": item, "limit": self.max_length}
                )
            if item not in items:
                items.append(item)
        if self.max_items is not None and len(items) > self.max_items:
            raise ValueError(_("At most %(limit)s items.") % {"limit": self.max_items})
        return items or None

    def _clean_media(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(_("Enter the id of a file in the media library."))
        return value


def clean_options(specs: tuple[OptionSpec, ...], raw: dict, *, platform_label: str) -> tuple[dict, dict]:
    """(cleaned options, {name: [message]}) for one variant. Unknown keys are refused by name; blank values
    are left out."""
    by_name = {spec.name: spec for spec in specs}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in raw.items():
        spec = by_name.get(name)
        if spec is None:
            known = ", ".join(by_name) or _("none")
            errors[str(name)] = [
                _("%(platform)s has no setting “%(name)s” (its settings: %(known)s).")
                % {"platform": platform_label, "name": name, "known": known}
            ]
            continue
        try:
            value = spec.clean(value)
        except ValueError as problem:
            errors[name] = [str(problem)]
            continue
        if value is not None:
            cleaned[name] = value
    return cleaned, errors


def example_value(spec: OptionSpec) -> Any:
    """A valid value of `spec` (tests derive their round trips from the registry with it)."""
    if spec.kind == TEXT:
        return "示例"[: spec.max_length or 2]
    if spec.kind == URL:
        return "https://example.com/page"
    if spec.kind == BOOL:
        return True
    if spec.kind == CHOICE:
        return spec.choices[-1][0]
    if spec.kind == INT:
        return spec.max_value if spec.max_value is not None else (spec.min_value or 0) + 1
    if spec.kind == LIST:
        return ["春茶", "tea"][: spec.max_items or 2]
    if spec.kind == SECONDS:
        return 0.2
    raise ValueError(f"no example for {spec.kind}")  # media: a file of the workspace, made by the test


# --- shapes several platforms share ----------------------------------------------------------------


def link_option(help_text=None) -> OptionSpec:
    """`payload.link` comes from `options["link"]` (content.payload)."""
    return OptionSpec(
        "link",
        URL,
        gettext_lazy("Link"),
        help=gettext_lazy("A web page to link to.") if help_text is None else help_text,
        max_length=2000,
        placeholder="https://",
    )


def title_option(limit: int, label=None, help_text=None) -> OptionSpec:
    """The variant's own title: the payload's title instead of the post's (content.payload)."""
    return OptionSpec(
        "title",
        TEXT,
        gettext_lazy("Title on this platform") if label is None else label,
        help=gettext_lazy("Leave it empty to use the post's title.") if help_text is None else help_text,
        max_length=limit,
    )


def cover_frame_option(help_text=None) -> OptionSpec:
    return OptionSpec(
        "cover_tsp",
        SECONDS,
        gettext_lazy("Cover frame"),
        help=gettext_lazy("The moment of the video shown as its cover, in seconds.")
        if help_text is None
        else help_text,
    )


def cover_image_option(help_text=None) -> OptionSpec:
    return OptionSpec(
        "cover",
        MEDIA,
        gettext_lazy("Cover image"),
        help=gettext_lazy("The chosen frame as a picture (or an image of your own).")
        if help_text is None
        else help_text,
    )


def tags_option(name: str, label, *, max_items: int, max_length: int, help_text="") -> OptionSpec:
    return OptionSpec(
        name,
        LIST,
        label,
        help=help_text,
        max_items=max_items,
        max_length=max_length,
        strip_prefix="#",
    )


def titled_text(payload) -> str:
    """The text of a platform whose API has one text field that starts with the title (Douyin's
    create_video `text`, Kuaishou's `caption`): the variant's own title on a line of its own, then the
    text. Without a variant title the text goes as it is (the post's title is for other platforms)."""
    title = str(payload.options.get("title") or "").strip()
    if not title:
        return payload.text
    return f"{title}\n{payload.text}" if payload.text.strip() else title

"""What the compliance check returns, and the workspace inputs it takes."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

# The parts of a post a finding can be about.
TEXT = "text"
FIRST_COMMENT = "first_comment"
TITLE = "title"
# Media alt text: "media.<index>.alt_text" (the media's position in the variant), see alt_text_field().
ALT_TEXT = "alt_text"


def alt_text_field(index: int) -> str:
    return f"media.{index}.{ALT_TEXT}"


class Severity(StrEnum):
    BLOCKING = "blocking"  # stops scheduling
    WARNING = "warning"  # shown; a person decides
    INFO = "info"  # for the record

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ComplianceFinding:
    """One finding.

    `rule` is a stable code ("adlaw.absolute_claim", "banned_word", "disclosure.missing",
    "link.blocked_in_mainland", "<platform>.<rule>" from a connector). `message` is already translated into
    the language active when `check` ran; `params` holds the values it names so a caller can re-render it
    later in another language. `start`/`end` are offsets into the checked text in Python characters (code
    points), `start_utf16`/`end_utf16` the same span in UTF-16 code units (what JavaScript string indices
    use, for highlighting in the composer). `platform` is the platform key the finding concerns, or None
    when it concerns the text wherever it is posted. `field` is the part of the post the finding (and its
    span) is about: TEXT ("text", the post itself), FIRST_COMMENT ("first_comment"), TITLE ("title") or a
    media item's alt text ("media.<index>.alt_text").
    """

    rule: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None
    platform: str | None = None
    params: dict[str, Any] = dataclass_field(default_factory=dict, hash=False, compare=False)
    start_utf16: int | None = None
    end_utf16: int | None = None
    field: str = TEXT

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.BLOCKING

    @property
    def span(self) -> tuple[int, int] | None:
        if self.start is None or self.end is None:
            return None
        return (self.start, self.end)

    def sort_key(self) -> tuple:
        return (
            self.start is None,
            self.start if self.start is not None else 0,
            self.end if self.end is not None else 0,
            self.severity.rank,
            self.rule,
            self.platform or "",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": str(self.message),
            "start": self.start,
            "end": self.end,
            "start_utf16": self.start_utf16,
            "end_utf16": self.end_utf16,
            "platform": self.platform,
            "field": self.field,
            "params": {key: _plain(value) for key, value in self.params.items()},
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class BannedWord:
    """One entry of a workspace's banned-word list. Any object with these three attributes works too."""

    word: str
    severity: str = Severity.BLOCKING
    note: str = ""

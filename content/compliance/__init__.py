"""Compliance checks for post text, first comments, titles, alt text and media: see engine.check,
engine.check_first_comment, engine.check_words and README.md."""

from .engine import check, check_first_comment, check_words, has_blocking
from .findings import (
    ALT_TEXT,
    FIRST_COMMENT,
    TEXT,
    TITLE,
    BannedWord,
    ComplianceFinding,
    Severity,
    alt_text_field,
)
from .platforms import PLATFORM_LIMITS_UNCHECKED
from .rules import (
    ADLAW_ABSOLUTE_CLAIM,
    BANNED_WORD,
    DEFAULT_DISCLOSURE_MARKERS,
    DISCLOSURE_MISSING,
    LINK_BLOCKED_IN_MAINLAND,
)

__all__ = [
    "ALT_TEXT",
    "TITLE",
    "alt_text_field",
    "check_words",
    "ADLAW_ABSOLUTE_CLAIM",
    "BANNED_WORD",
    "DEFAULT_DISCLOSURE_MARKERS",
    "DISCLOSURE_MISSING",
    "FIRST_COMMENT",
    "LINK_BLOCKED_IN_MAINLAND",
    "PLATFORM_LIMITS_UNCHECKED",
    "BannedWord",
    "ComplianceFinding",
    "TEXT",
    "Severity",
    "check",
    "check_first_comment",
    "has_blocking",
]

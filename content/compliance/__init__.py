"""Compliance checks for post text, first comments and media: see engine.check, engine.check_first_comment
and README.md."""

from .engine import check, check_first_comment, has_blocking
from .findings import FIRST_COMMENT, TEXT, BannedWord, ComplianceFinding, Severity
from .platforms import PLATFORM_LIMITS_UNCHECKED
from .rules import (
    ADLAW_ABSOLUTE_CLAIM,
    BANNED_WORD,
    DEFAULT_DISCLOSURE_MARKERS,
    DISCLOSURE_MISSING,
    LINK_BLOCKED_IN_MAINLAND,
)

__all__ = [
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

"""Compliance checks for post text and media: see engine.check and README.md."""

from .engine import check, has_blocking
from .findings import BannedWord, ComplianceFinding, Severity
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
    "LINK_BLOCKED_IN_MAINLAND",
    "PLATFORM_LIMITS_UNCHECKED",
    "BannedWord",
    "ComplianceFinding",
    "Severity",
    "check",
    "has_blocking",
]

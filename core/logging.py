import logging
import re

# Bearer tokens, our personal access tokens, Fernet tokens, and key=value secrets in URLs or bodies.
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"kawo_pat_[A-Za-z0-9_-]+"),
    re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|app_secret|secret|password|appsecret|token|code)"
        r"[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"
    ),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[REDACTED]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Scrubs secrets from every log record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class ExpectedRefusalFilter(logging.Filter):
    """A 403 or 404 is an answer, not a fault: `django.request` still logs it (at WARNING, one line) but
    without the traceback Django attaches when a view raised PermissionDenied or Http404."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404) and record.exc_info:
            record.exc_info, record.exc_text = None, None
        return True

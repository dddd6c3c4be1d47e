"""The small error hierarchy every connector maps platform failures into (DESIGN.md)."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class. `platform_code` / `platform_message` keep what the platform said (never tokens).
    `unreadable`: raised because the platform's answer could not be read (connectors.base)."""

    unreadable: bool = False

    def __init__(
        self,
        message: str = "",
        *,
        platform_code: str | int | None = None,
        platform_message: str = "",
        status_code: int | None = None,
    ):
        super().__init__(message or platform_message or self.__class__.__name__)
        self.platform_code = platform_code
        self.platform_message = platform_message
        self.status_code = status_code


class RateLimited(ConnectorError):
    """Try again after `retry_after` seconds (the longest of Retry-After, the reset headers, or the
    platform's rule). `scope` says whose limit it is: "account" (this account's or token's) or "app" (our
    app's limit on the platform, shared by every account: X's 24-hour app cap, Meta's #4, Weibo's IP
    limit, YouTube's project quota); the pipeline then holds off every account on that platform."""

    ACCOUNT = "account"
    APP = "app"

    def __init__(self, message: str = "", *, retry_after: float, scope: str = ACCOUNT, **kwargs):
        if scope not in (self.ACCOUNT, self.APP):
            raise ValueError(f"rate-limit scope must be 'account' or 'app', not {scope!r}")
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.scope = scope


class AuthExpired(ConnectorError):
    """The access token is expired or revoked: refresh once, else the account needs reconnecting."""

    def __init__(self, message: str = "", *, revoked: bool = False, **kwargs):
        super().__init__(message, **kwargs)
        self.revoked = revoked


class Rejected(ConnectorError):
    """Permanent: the platform refused this content or request; retrying cannot help."""


class OverLimits(Rejected):
    """Refused by the connector itself, before any request: the content is over the platform's hard
    limits (connectors.limits). The message is the composer's, each finding's message joined by a space;
    `findings` keeps them (rule and message); `platform_code` is the first rule."""

    def __init__(self, findings, **kwargs):
        findings = tuple(findings)
        kwargs.setdefault("platform_code", findings[0].rule if findings else None)
        super().__init__(" ".join(str(f.message) for f in findings), **kwargs)
        self.findings = findings

    def __reduce__(self):
        # Pickled by Celery and copied by tests: rebuilt from the findings, not from the joined message.
        return (self.__class__, (self.findings,), dict(self.__dict__))


class Transient(ConnectorError):
    """Temporary (5xx, connection refused before sending): safe to retry with backoff."""


class Unknown(ConnectorError):
    """The request may have been accepted (timeout after sending): settle by reading the platform."""

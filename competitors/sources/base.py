"""The one interface every competitor data source implements, and what it answers.

A source reads a rival's PUBLIC data (or a licensed provider's data about it) without any credentials of
the rival's: an app-level key at most. It never touches the database: services hand it ids and persist
what it returns, each value tagged with `source.key`. Errors are channels_app's connector errors
(RateLimited with Retry-After, Transient, Rejected ...) plus the two below, which change what we store
about the rival rather than fail a pull.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import httpx
from django.conf import settings

from channels_app.connectors.errors import ConnectorError, Rejected
from channels_app.connectors.http import send, status_error


class RivalNotFound(Rejected):
    """No such account on the platform (never existed, deleted, or the handle is no longer anyone's)."""


class RivalPrivate(Rejected):
    """The account exists but its posts are no longer public (protected, locked, private)."""


@dataclass(frozen=True)
class RivalProfile:
    external_id: str
    handle: str
    display_name: str = ""
    avatar_url: str = ""
    profile_url: str = ""
    followers: int | None = None
    private: bool = False


@dataclass(frozen=True)
class RivalPostData:
    external_id: str
    published_at: datetime
    text: str = ""
    url: str = ""
    media_kind: str = "text"
    # The platform's (or provider's) own field names and values, as read.
    raw: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PostPage:
    posts: list[RivalPostData]
    next_cursor: str = ""  # "" when this was the last page


@dataclass(frozen=True)
class PostFigures:
    found: dict[str, dict[str, float]]  # post id -> raw figures now
    deleted: list[str] = field(default_factory=list)  # ids the platform no longer serves


class RivalSource:
    """Subclasses set the class attributes and implement the four reads."""

    key: ClassVar[str]  # stored with every value: "x.public_metrics", "provider" ...
    platform: ClassVar[str]
    official: ClassVar[bool] = True  # the platform's own public API (False: a licensed provider)
    # Raw field -> common figure (likes, comments, shares, views, saves); engagements are their sum
    # (views excepted). A field not listed is stored raw only.
    common: ClassVar[dict[str, str]] = {}
    # What differs from our own analytics' definition of the same figure (shown beside the benchmark).
    definition_note: ClassVar[str] = ""
    billed: ClassVar[bool] = False  # each read costs money (X): the pull budget applies
    page_size: ClassVar[int] = 20

    def __init__(
        self, *, base_url: str = "", app: dict[str, str] | None = None, timeout: float | None = None
    ):
        conf = dict(settings.PLATFORMS.get(self.platform, {})) if not base_url else {}
        self.base_url = (
            base_url or conf.get("base_url") or f"{settings.PLATFORM_SIM_URL}/{self.platform}"
        ).rstrip("/")
        self.app = app if app is not None else {k: str(v) for k, v in conf.items()}
        self.timeout = timeout if timeout is not None else settings.PLATFORM_HTTP_TIMEOUT
        self._client: httpx.Client | None = None
        self.calls = 0  # requests sent (billed sources count them against the budget)

    # --- HTTP ---
    @property
    def http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def headers(self) -> dict[str, str]:
        return {}

    def get(
        self, path: str, *, operation: str, params: Any = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any] | list:
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        self.calls += 1
        response = send(
            self.http,
            "GET",
            url,
            platform=self.platform,
            operation=operation,
            params=params,
            headers={**self.headers(), **(headers or {})},
        )
        error = self.error_for(response, operation=operation) or status_error(
            response, platform=self.platform, operation=operation
        )
        if error is not None:
            raise error
        return response.json()

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        return None

    # --- the four reads ---
    def resolve(self, handle: str) -> RivalProfile:
        """The account a handle (or id) names now. RivalNotFound when there is none."""
        raise NotImplementedError

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        """The account now, by its stable id (a renamed account keeps it). RivalNotFound when gone.
        `handle` is the last one we know, for platforms that look accounts up by name only (Instagram)."""
        raise NotImplementedError

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        """One page of the account's posts published since `since`, newest first. RivalPrivate when its
        posts are no longer public."""
        raise NotImplementedError

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        """The current figures of these posts; ids the platform no longer serves are `deleted`."""
        raise NotImplementedError

    # --- helpers ---
    @classmethod
    def common_figures(cls, raw: dict[str, float]) -> dict[str, float | None]:
        """likes, comments, shares, saves, views and engagements (the sum of the first four that the
        source reports) from a post's raw figures; None where the source has no such figure."""
        figures: dict[str, float | None] = dict.fromkeys(("likes", "comments", "shares", "saves", "views"))
        for key, value in raw.items():
            name = cls.common.get(key)
            if name is not None:
                figures[name] = (figures[name] or 0) + float(value)
        parts = [figures[k] for k in ("likes", "comments", "shares", "saves") if figures[k] is not None]
        figures["engagements"] = sum(parts) if parts else None
        return figures


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))

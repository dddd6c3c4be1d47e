"""What every connector is: a declarative class (capabilities, limits) plus a per-account client.

A connector never touches the database. Services in channels_app (and later the publishing pipeline)
hand it decrypted `Credentials`, get back plain dataclasses, and persist what they need. All HTTP goes
through httpx with timeouts, to a base URL taken from settings (`settings.PLATFORM_BASE_URLS[platform]`),
so that `platform_sim` can stand in for any platform. Errors are mapped to connectors.errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class MediaLimits:
    kinds: frozenset[str] = frozenset({"image"})  # "image", "video", "gif"
    max_images: int = 9
    max_videos: int = 1
    max_image_bytes: int = 5 * 1024 * 1024
    max_video_bytes: int = 512 * 1024 * 1024
    mixed: bool = False  # images and video in one post


@dataclass(frozen=True)
class Capabilities:
    text_limit: int | None  # in the platform's own unit (see `count_text`)
    text_unit: str = "characters"  # human name of the unit: "characters", "weighted characters", "graphemes"
    byte_limit: int | None = None  # Bluesky: 3000 bytes as well
    requires_media: bool = False  # video-first platforms (Douyin, Kuaishou, TikTok, YouTube)
    media: MediaLimits = field(default_factory=MediaLimits)
    first_comment: bool = False
    native_scheduling: bool = False
    async_publish: bool = False  # WeChat publish_id, Instagram containers
    idempotency_key: bool = False  # Mastodon
    server_side_publish: bool = True  # False: assisted publishing (Xiaohongshu, WeChat Channels)
    auth: str = "oauth2"  # "oauth2", "oauth2_pkce", "app_credentials", "app_password", "assisted"


@dataclass(frozen=True)
class Credentials:
    access_token: str = ""
    refresh_token: str = ""
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. Bluesky did, WeChat appid


@dataclass(frozen=True)
class TokenSet:
    """What an exchange or refresh returned. An empty refresh_token means "keep the stored one"."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountProfile:
    external_id: str
    handle: str
    display_name: str = ""
    avatar_url: str = ""
    followers: int | None = None


@dataclass(frozen=True)
class MediaItem:
    kind: str  # "image" or "video"
    filename: str
    content_type: str
    size: int
    data: bytes | None = None  # bytes to upload; or `url` where the platform pulls (Instagram)
    url: str = ""
    alt_text: str = ""


@dataclass(frozen=True)
class PostPayload:
    text: str
    media: tuple[MediaItem, ...] = ()
    first_comment: str = ""
    link: str = ""
    title: str = ""  # WeChat articles, Bilibili/YouTube videos
    options: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""  # stable per publish target; sent where the platform supports it


@dataclass(frozen=True)
class Finding:
    """A validation result. `rule` names the rule, e.g. "weibo.text_length"."""

    rule: str
    message: str
    severity: str = "error"  # "error" blocks; "warning" needs an override
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class PublishResult:
    status: str  # "published" or "pending" (async: poll with `publish_status`)
    external_id: str = ""
    url: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemotePost:
    external_id: str
    text: str
    url: str = ""
    created_at: datetime | None = None


class Connector:
    """Subclasses set the class attributes and implement the calls that apply to their platform."""

    platform: ClassVar[str]
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def __init__(self, *, base_url: str, app: dict[str, str] | None = None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.app = app or {}  # client id/secret, app key, from settings
        self.timeout = timeout

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        raise NotImplementedError

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        raise NotImplementedError

    def connect_with_credentials(self, **fields: str) -> TokenSet:
        """App credentials (WeChat appid/secret) or handle + app password (Bluesky)."""
        raise NotImplementedError

    def refresh(self, credentials: Credentials) -> TokenSet:
        raise NotImplementedError

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        raise NotImplementedError

    # --- content ---
    def count_text(self, text: str) -> int:
        return len(text)

    def validate(self, payload: PostPayload) -> list[Finding]:
        raise NotImplementedError

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        raise NotImplementedError

    def publish_status(self, credentials: Credentials, pending: PublishResult) -> PublishResult:
        raise NotImplementedError

    def delete(self, credentials: Credentials, external_id: str) -> None:
        raise NotImplementedError

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        raise NotImplementedError

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        raise NotImplementedError

"""What every connector is: a declarative class (capabilities, limits) plus a per-account client.

A connector never touches the database. Services in channels_app (and later the publishing pipeline)
hand it decrypted `Credentials`, get back plain dataclasses, and persist what they need. All HTTP goes
through httpx with timeouts, to a base URL taken from settings (`settings.PLATFORM_BASE_URLS[platform]`),
so that `platform_sim` can stand in for any platform. Errors are mapped to connectors.errors.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

import httpx

from .errors import ConnectorError, OverLimits, Rejected, Transient, Unknown
from .http import UnreadableAnswer, send, status_error
from .options import OptionSpec


@dataclass(frozen=True)
class MediaLimits:
    kinds: frozenset[str] = frozenset({"image"})  # "image", "video", "gif"
    max_images: int = 9
    max_videos: int = 1
    max_image_bytes: int = 5 * 1024 * 1024
    max_video_bytes: int = 512 * 1024 * 1024
    mixed: bool = False  # images and video in one post
    # An attached file's alt text (description), in characters, where the platform limits it: X's media
    # metadata 1,000, Mastodon's MediaAttachment description 1,500. None: no limit we know of.
    max_alt_text: int | None = None


@dataclass(frozen=True)
class Capabilities:
    text_limit: int | None  # in the platform's own unit (see `count_text`)
    text_unit: str = "characters"  # human name of the unit: "characters", "weighted characters", "graphemes"
    byte_limit: int | None = None  # Bluesky: 3000 bytes as well
    requires_media: bool = False  # video-first platforms (Douyin, Kuaishou, TikTok, YouTube)
    media: MediaLimits = field(default_factory=MediaLimits)
    first_comment: bool = False
    # The first comment's own limit, in `text_unit`, where the platform limits comments apart from posts
    # (Facebook); None: the text limit (X and Mastodon post the first comment as a reply, a post).
    first_comment_limit: int | None = None
    native_scheduling: bool = False
    async_publish: bool = False  # WeChat publish_id, Instagram containers
    idempotency_key: bool = False  # Mastodon
    server_side_publish: bool = True  # False: assisted publishing (Xiaohongshu, WeChat Channels)
    auth: str = "oauth2"  # "oauth2", "oauth2_pkce", "app_credentials", "app_password", "assisted"
    metrics: bool = False  # fetch_account_metrics / fetch_post_metrics are implemented
    inbound_poll: bool = False  # fetch_inbound is implemented: the inbox polls this platform
    inbound_reply: bool = False  # reply is implemented: the inbox answers fans here
    # A reply may carry one image (reply's `media`): Facebook comment attachment_url, Messenger, Mastodon.
    reply_media: bool = False
    # What the account may do to a fan's comment there (`item_action`): "hide", "unhide", "delete", "like".
    item_actions: frozenset[str] = frozenset()

    @property
    def comment_limit(self) -> int | None:
        """The limit a first comment is held to: its own where the platform has one, else the text's."""
        return self.first_comment_limit if self.first_comment_limit is not None else self.text_limit


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
    # What the platform says about the account that changes what it may do (stored on the account as
    # `platform_details`): WeChat's {"service_type": "subscription"|"service", "verified": bool}.
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaItem:
    """One media file as a connector sends it. Every field but `data` and `url` is part of the approval
    hash (content.payload.fingerprint): `checksum` stands for the bytes wherever they are read from."""

    kind: str  # "image" or "video"
    filename: str
    content_type: str
    size: int
    data: bytes | None = None  # bytes to upload; or `url` where the platform pulls (Instagram)
    url: str = ""
    alt_text: str = ""
    checksum: str = ""  # sha256 of the bytes


@dataclass(frozen=True)
class BodyImage:
    """An image inside an article's body, placed after paragraph `after` (0: before the first)."""

    media: MediaItem
    after: int = 0


@dataclass(frozen=True)
class Article:
    """One article of a multi-article WeChat push beyond the first (the first is the payload itself:
    the post's title, the variant's text, its first image as cover and its options). Every field is
    part of the approval hash (content.payload walks nested dataclasses), and every text a reader sees
    is checked by compliance (content.payload.reader_text_paths derives which from this class)."""

    title: str
    body: str = ""  # paragraphs, one per line
    author: str = ""
    digest: str = ""
    cover: MediaItem | None = None
    cover_crop: str = ""  # "x1_y1_x2_y2", fractions of the cover (a 1:1 card for articles 2-8)
    images: tuple[BodyImage, ...] = ()
    original: bool = False  # the "original" declaration
    source_url: str = ""  # content_source_url ("Read more")
    open_comment: bool = False
    fans_only_comment: bool = False


@dataclass(frozen=True)
class PostPayload:
    """Everything a connector receives for one post on one account, built by one function
    (content.payload.target_payload); the approval hash is computed from it field by field, so a field
    added here is covered by approvals without anyone remembering to."""

    text: str
    media: tuple[MediaItem, ...] = ()
    first_comment: str = ""
    link: str = ""
    title: str = ""  # WeChat articles, Bilibili/YouTube videos, link cards
    options: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""  # stable per publish target; sent where the platform supports it
    account: int = 0  # the social account it goes to (our id): the same words elsewhere are other content
    paid_or_kol: bool = False  # a paid or KOL post: platforms with a branded-content flag get it set
    articles: tuple[Article, ...] = ()  # WeChat: articles 2-8 of the push (options["articles"] resolved)
    # The library files that media options name by id ({"cover": MediaItem}, e.g. Kuaishou's cover image):
    # the id is hashed in `options`, the file itself rides here (content.payload.NOT_HASHED says why).
    option_media: dict[str, MediaItem] = field(default_factory=dict)


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


@dataclass(frozen=True)
class MetricValue:
    """One figure as the platform reports it. `key` is the platform's own metric name, exactly as its API
    names it (analytics.metrics.registry maps it to a common metric)."""

    key: str
    value: float
    entity: str  # "account" or "post"
    external_id: str  # the account's or the post's id on the platform
    period_end: datetime | None = None  # daily/period figures: the end of what they cover (UTC)
    late: bool = False  # the platform says the figure is not final yet


@dataclass(frozen=True)
class MetricUnavailable:
    """A metric (or a group of them) the platform did not give, and why: one missing metric never empties
    the rest, and the reports say what is missing."""

    key: str
    entity: str
    external_id: str
    reason: str  # removed, renamed, not_offered, too_old, too_new, threshold, late, error
    detail: str = ""  # the platform's code or message (never a token)
    replaced_by: str = ""  # renamed: the new name


@dataclass(frozen=True)
class MetricsResult:
    values: list[MetricValue] = field(default_factory=list)
    unavailable: list[MetricUnavailable] = field(default_factory=list)


# What a platform answer the connector could not read (not JSON, an HTML page behind a 200, a field
# missing, the wrong shape, a truncated body) raised while the connector read it.
UNREADABLE_ANSWER = (ValueError, KeyError, TypeError, IndexError, AttributeError)
# Which of the five errors that becomes, by what the call was: after a publish (or a reply to a fan) was
# sent, it may have been accepted (Unknown: settle by reading); a connect or token exchange cannot go on
# (Rejected, with a message for the person connecting); anything else is a read, safe to try again
# (Transient). A refresh is a read here: a person is not waiting on it, and marking the account as
# needing a person (Rejected) for one garbled answer from a gateway would be wrong; the next try either
# works or meets the platform's own refusal (AuthExpired).
# Every platform call of the Connector base class is in this table (test_body_faults checks it), so a
# new call is classified when it is added.
ON_UNREADABLE_ANSWER: dict[str, type[ConnectorError]] = {
    "publish": Unknown,
    "reply": Unknown,  # sent: our answer may be on the platform
    "item_action": Transient,  # idempotent: doing it again is safe
    "exchange_code": Rejected,
    "connect_with_credentials": Rejected,
    "refresh": Transient,
    "fetch_profile": Transient,
    "publish_status": Transient,
    "delete": Transient,
    "get_post": Transient,
    "fetch_account_metrics": Transient,
    "fetch_post_metrics": Transient,
    "recent_posts": Transient,
    "fetch_inbound": Transient,
}
# The base class's methods that never talk to the platform.
OFFLINE_CALLS = frozenset({"authorization_url", "count_text", "validate", "close", "request", "error_for"})


def _names_what_it_read(name: str, result) -> bool:
    """Whether a call's result names the thing it read: an answer missing the id is unreadable too
    (an account connected with no id, a post "published" with none)."""
    if name == "fetch_profile":
        return bool(result.external_id)
    if name == "get_post":
        return result is None or bool(result.external_id)
    if name == "publish":
        return result.status != "published" or bool(result.external_id)
    if name in ("exchange_code", "connect_with_credentials", "refresh"):
        return bool(result.access_token)
    return True


# The platform call in progress in this thread: a call made inside another (Instagram's publish polls
# publish_status) is not mapped on its own, so the outer call's kind decides (a publish stays Unknown).
_OUTER_CALL: ContextVar[str] = ContextVar("connector_call", default="")


def _reads_answers_safely(method, error: type[ConnectorError]):
    name = method.__name__

    def call(self, *args, **kwargs):
        if _OUTER_CALL.get():  # inside another call (publish polling publish_status): its kind decides
            result = method(self, *args, **kwargs)
            if not _names_what_it_read(name, result):
                raise UnreadableAnswer(f"{self.platform} {name}: the platform's answer named no id")
            return result
        token = _OUTER_CALL.set(name)
        try:
            result = method(self, *args, **kwargs)
        except ConnectorError:
            raise
        except UNREADABLE_ANSWER as exc:
            raise _unreadable(
                error,
                f"{self.platform} {name}: the platform's answer could not be read ({type(exc).__name__})",
            ) from exc
        finally:
            _OUTER_CALL.reset(token)
        if not _names_what_it_read(name, result):
            raise _unreadable(error, f"{self.platform} {name}: the platform's answer named no id")
        return result

    call.__name__, call.__qualname__, call.__doc__ = method.__name__, method.__qualname__, method.__doc__
    call.__wrapped__ = method
    return call


def _checks_limits_first(method):
    """`publish` / `reply` that first refuse, with no request made, content over the platform's hard
    limits (connectors.limits: the composer's own findings), raising OverLimits."""
    name = method.__name__

    def call(self, credentials, *args, **kwargs):
        from .limits import hard_limit_violations, reply_violations

        if name == "publish":
            payload = args[0] if args else kwargs["payload"]
            violations = hard_limit_violations(self, payload)
        else:
            violations = reply_violations(self, kwargs.get("text", ""))
        if violations:
            raise OverLimits(violations)
        return method(self, credentials, *args, **kwargs)

    call.__name__, call.__qualname__, call.__doc__ = method.__name__, method.__qualname__, method.__doc__
    call.__wrapped__ = method  # tests that check the platform's own refusal send through this
    call.checks_limits = True
    return call


# The calls that send content a person wrote: each is checked against the platform's limits first.
SENDS_CONTENT = ("publish", "reply")


def _unreadable(error: type[ConnectorError], message: str) -> ConnectorError:
    exc = error(message)
    exc.unreadable = True  # the connect flow says so in words a person can act on
    return exc


class Connector:
    """Subclasses set the class attributes and implement the calls that apply to their platform.

    Each call in ON_UNREADABLE_ANSWER that a subclass defines is wrapped so that an answer it cannot
    read becomes one of the five errors (never a JSONDecodeError or KeyError escaping into a worker or a
    connect page's 500). `publish` and `reply`, wherever a subclass gets them from (the inbox's are in
    mixins), are wrapped so that content over the platform's limits is refused before any request."""

    platform: ClassVar[str]
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    # The per-variant settings the platform takes (`payload.options`), declared once: the content service
    # validates against them and the composer draws its "Platform settings" from them (connectors.options).
    post_options: ClassVar[tuple[OptionSpec, ...]] = ()

    # Platform calls a connector adds beyond the base class's (WeChat's send_preview), with the error an
    # answer it cannot read becomes, as in ON_UNREADABLE_ANSWER; wrapped the same way.
    extra_calls: ClassVar[dict[str, type[ConnectorError]]] = {}
    # Base-class calls this connector overrides with an answer of its own, never asking the platform.
    offline_calls: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, error in {**ON_UNREADABLE_ANSWER, **cls.extra_calls}.items():
            # Resolved through the MRO: calls a mixin brings (XInbound's fetch_inbound, WeChat's customer
            # service reply) are wrapped on the connector class that uses them.
            method = getattr(cls, name, None)
            if method is None or method is getattr(Connector, name, None) or hasattr(method, "__wrapped__"):
                continue
            setattr(cls, name, _reads_answers_safely(method, error))
        for name in SENDS_CONTENT:
            method = getattr(cls, name)
            if method is not getattr(Connector, name) and not getattr(method, "checks_limits", False):
                setattr(cls, name, _checks_limits_first(method))

    # Seconds to wait after a rate-limit answer that names no time (no Retry-After / x-rate-limit-reset).
    default_retry_after: ClassVar[float] = 60.0

    def __init__(self, *, base_url: str, app: dict[str, str] | None = None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.app = app or {}  # client id/secret, app key, from settings
        self.timeout = timeout
        self._client: httpx.Client | None = None

    # --- HTTP (every call goes through `request`) ---
    @property
    def auth_base(self) -> str:
        """Where the OAuth pages and token endpoints live (settings.PLATFORMS[key]["auth_url"])."""
        return (self.app.get("auth_url") or self.base_url).rstrip("/")

    @property
    def http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(
        self, method: str, url: str, *, operation: str, unsafe: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send a request to `url` (absolute, or a path joined to base_url) and raise the mapped error.

        `unsafe=True` marks a call that creates something (a publish): a timeout after sending it is
        Unknown, never Transient. Platform body errors come first (`error_for`), then the HTTP status.
        """
        if not url.startswith(("http://", "https://")):
            url = f"{self.base_url}/{url.lstrip('/')}"
        response = send(
            self.http, method, url, platform=self.platform, operation=operation, unsafe=unsafe, **kwargs
        )
        error = self.error_for(response, operation=operation)
        if error is None:
            error = status_error(
                response,
                platform=self.platform,
                operation=operation,
                default_retry_after=self.default_retry_after,
            )
        if error is not None:
            raise error
        if response.content and not _reads_as_json(response):
            raise UnreadableAnswer(f"{self.platform} {operation}: HTTP {response.status_code}, not JSON")
        return response

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        """Platform hook: map an error the platform puts in the body (any status). None: use the status."""
        return None

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

    # --- metrics (capabilities.metrics) ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """The account's figures for the days `since`..`until` (inclusive, the platform's days), asked per
        metric group; what a group could not give is in `unavailable`."""
        raise NotImplementedError

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """The current lifetime figures of these posts, asked per metric group."""
        raise NotImplementedError

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        raise NotImplementedError

    # --- the inbox (capabilities.inbound_poll; channels_app.connectors.inbound) ---
    def fetch_inbound(self, credentials: Credentials, *, cursor: str = ""):
        """Fans' comments, replies, mentions and messages since `cursor`: an InboundPage."""
        raise NotImplementedError

    def reply(self, credentials: Credentials, *, to, text: str, idempotency_key: str = ""):
        """Answer a fan (`to`: a ReplyTarget) with `text`: a ReplyResult (capabilities.inbound_reply).
        Sent with unsafe=True: a timeout after sending is Unknown, never retried blindly. Connectors with
        capabilities.reply_media also take `media=` (a MediaItem with its bytes and public URL: Meta fetches
        the URL, Mastodon uploads the bytes)."""
        raise NotImplementedError

    def item_action(self, credentials: Credentials, *, target, action: str) -> None:
        """Do `action` (one of capabilities.item_actions) to the fan's message `target` (a ReplyTarget).
        Every action is idempotent on the platform (hiding twice, deleting what is gone, liking twice)."""
        raise NotImplementedError


def _reads_as_json(response: httpx.Response) -> bool:
    try:
        json.loads(response.content)
    except ValueError:  # UnicodeDecodeError included
        return False
    return True


def standard_findings(connector: Connector, payload: PostPayload) -> list[Finding]:
    """The checks every platform shares, from its Capabilities: text length in the platform's own unit,
    required media, media kinds, counts, sizes and mixing. Rules are named "<platform>.<rule>" and the
    message states the limit. Connectors add their platform-specific rules on top."""
    from django.utils.translation import gettext as _

    caps = connector.capabilities
    p = connector.platform
    limits = caps.media
    findings: list[Finding] = []
    if caps.text_limit is not None:
        used = connector.count_text(payload.text)
        if used > caps.text_limit:
            findings.append(
                Finding(
                    f"{p}.text_length",
                    _("Text is %(used)s %(unit)s; %(platform)s allows at most %(limit)s.")
                    % {
                        "used": used,
                        "unit": caps.text_unit,
                        "platform": connector.display_name,
                        "limit": caps.text_limit,
                    },
                )
            )
    if caps.byte_limit is not None:
        size = len(payload.text.encode("utf-8"))
        if size > caps.byte_limit:
            findings.append(
                Finding(
                    f"{p}.text_bytes",
                    _("Text is %(used)s bytes; %(platform)s allows at most %(limit)s bytes.")
                    % {"used": size, "platform": connector.display_name, "limit": caps.byte_limit},
                )
            )
    images = [m for m in payload.media if m.kind in ("image", "gif")]
    videos = [m for m in payload.media if m.kind == "video"]
    if caps.requires_media and not payload.media:
        findings.append(
            Finding(
                f"{p}.media_required",
                _("%(platform)s posts need media (%(kinds)s).")
                % {"platform": connector.display_name, "kinds": ", ".join(sorted(limits.kinds))},
            )
        )
    for item in payload.media:
        if item.kind not in limits.kinds:
            findings.append(
                Finding(
                    f"{p}.media_kind",
                    _("%(platform)s does not accept %(kind)s here (allowed: %(kinds)s).")
                    % {
                        "platform": connector.display_name,
                        "kind": item.kind,
                        "kinds": ", ".join(sorted(limits.kinds)),
                    },
                )
            )
    if images and len(images) > limits.max_images:
        findings.append(
            Finding(
                f"{p}.image_count",
                _("%(count)s images; %(platform)s allows at most %(limit)s.")
                % {"count": len(images), "platform": connector.display_name, "limit": limits.max_images},
            )
        )
    if videos and len(videos) > limits.max_videos:
        findings.append(
            Finding(
                f"{p}.video_count",
                _("%(count)s videos; %(platform)s allows at most %(limit)s.")
                % {"count": len(videos), "platform": connector.display_name, "limit": limits.max_videos},
            )
        )
    if images and videos and not limits.mixed:
        findings.append(
            Finding(
                f"{p}.media_mixed",
                _("%(platform)s does not mix images and video in one post.")
                % {"platform": connector.display_name},
            )
        )
    for item in images:
        if item.size > limits.max_image_bytes:
            findings.append(
                Finding(
                    f"{p}.image_size",
                    _("Image %(name)s is %(size)s bytes; %(platform)s allows at most %(limit)s bytes.")
                    % {
                        "name": item.filename,
                        "size": item.size,
                        "platform": connector.display_name,
                        "limit": limits.max_image_bytes,
                    },
                )
            )
    for item in videos:
        if item.size > limits.max_video_bytes:
            findings.append(
                Finding(
                    f"{p}.video_size",
                    _("Video %(name)s is %(size)s bytes; %(platform)s allows at most %(limit)s bytes.")
                    % {
                        "name": item.filename,
                        "size": item.size,
                        "platform": connector.display_name,
                        "limit": limits.max_video_bytes,
                    },
                )
            )
    return findings + alt_text_findings(connector, payload)


def alt_text_findings(connector: Connector, payload: PostPayload) -> list[Finding]:
    """`<platform>.alt_text_length` for each file whose alt text is over `capabilities.media.max_alt_text`
    (a platform that cut it short would send other words than the ones approved)."""
    from django.utils.translation import gettext as _

    limit = connector.capabilities.media.max_alt_text
    if limit is None:
        return []
    return [
        Finding(
            f"{connector.platform}.alt_text_length",
            _("%(name)s: the alt text is %(used)s characters; %(platform)s allows at most %(limit)s.")
            % {
                "name": item.filename,
                "used": len(item.alt_text),
                "platform": connector.display_name,
                "limit": limit,
            },
        )
        for item in payload.media
        if len(item.alt_text) > limit
    ]


class MetricsNotOffered:
    """For platforms with no server-side metrics API a brand can use (assisted platforms): every ask is
    answered "not_offered" with the reason (`NO_METRICS_API`), so reports say why nothing is there.
    `capabilities.metrics` stays False, so nothing plans pulls for them."""

    # Calls answered here without asking the platform (the body-fault contract test skips only these).
    offline_calls: ClassVar[frozenset[str]] = frozenset({"fetch_account_metrics", "fetch_post_metrics"})

    NO_METRICS_API: ClassVar[str] = ""

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        account = str(credentials.extra.get("external_id", ""))
        return MetricsResult(
            unavailable=[
                MetricUnavailable("account_metrics", "account", account, "not_offered", self.NO_METRICS_API)
            ]
        )

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        return MetricsResult(
            unavailable=[
                MetricUnavailable("post_metrics", "post", post_id, "not_offered", self.NO_METRICS_API)
                for post_id in external_ids
            ]
        )

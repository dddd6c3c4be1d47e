"""In-memory state of the simulator: accounts, tokens, OAuth codes, posts, media, async jobs, counters.

Everything lives in one process and one asyncio loop, so plain dicts need no locks. `SimState.reset()`
returns to an empty world between tests.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from base64 import urlsafe_b64encode
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any


def now() -> float:
    return time.time()


@dataclass
class Account:
    platform: str
    external_id: str
    handle: str
    display_name: str
    followers: int = 0
    # App credentials for platforms that connect with them (WeChat appid/secret).
    app_id: str = ""
    app_secret: str = ""
    access_ttl: float = 7200.0
    refresh_ttl: float = 30 * 86400.0
    options: dict[str, Any] = field(default_factory=dict)
    refresh_renewals: int = 0  # Douyin's renew_refresh_token counter
    token_calls: int = 0  # WeChat cgi-bin/token calls (every call after the first is a refresh)
    created_at: float = field(default_factory=now)

    def public(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "external_id": self.external_id,
            "handle": self.handle,
            "display_name": self.display_name,
            "followers": self.followers,
            "app_id": self.app_id,
            "options": self.options,
            "created_at": self.created_at,  # the followers curve's reference (platform_sim.metrics)
        }


# How many requests the log keeps (oldest dropped first): enough for a 10,000-post benchmark's run.
LOG_LIMIT = 200_000


@dataclass(slots=True)
class LogEntry:
    """One request as the simulator saw it: when it arrived and was answered (epoch seconds, this
    machine's clock), who and what it was, a fingerprint of its body (the same request sent again has
    the same one), and what came back: status, the fault injected, and for a 429 the Retry-After sent
    and its scope ("account" or "app")."""

    arrived: float
    platform: str
    operation: str
    account: str
    body: str = ""
    answered: float = 0.0
    status: int = 0
    fault: str = ""
    retry_after: float | None = None
    scope: str = ""

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Token:
    value: str
    platform: str
    account_id: str
    kind: str  # "access" or "refresh"
    expires_at: float
    revoked: bool = False
    used: bool = False  # a rotated refresh token is dead after one use
    scope: str = ""

    @property
    def expired(self) -> bool:
        return now() >= self.expires_at

    def status(self) -> str:
        if self.revoked:
            return "revoked"
        if self.used:
            return "used"
        if self.expired:
            return "expired"
        return "valid"


@dataclass
class AuthCode:
    value: str
    platform: str
    account_id: str
    client_id: str
    redirect_uri: str
    expires_at: float
    code_challenge: str = ""
    code_challenge_method: str = ""
    scope: str = ""
    used: bool = False


@dataclass
class Post:
    id: str
    platform: str
    account_id: str
    text: str
    title: str = ""
    media_ids: list[str] = field(default_factory=list)
    kind: str = "text"  # "text", "image", "video", "article"
    created_at: float = field(default_factory=now)
    idempotency_key: str = ""
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "account_id": self.account_id,
            "text": self.text,
            "title": self.title,
            "media_ids": list(self.media_ids),
            "kind": self.kind,
            "created_at": self.created_at,
            "idempotency_key": self.idempotency_key,
            "deleted": self.deleted,
            "extra": self.extra,
        }


@dataclass
class Media:
    id: str
    platform: str
    account_id: str
    kind: str  # "image" or "video"
    size: int
    content_type: str = ""
    filename: str = ""
    sha256: str = ""
    complete: bool = True  # chunked uploads flip this on merge
    parts: dict[int, int] = field(default_factory=dict)  # part number -> bytes
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Job:
    """An asynchronous publish (WeChat publish_id): pending until `polls` status reads or `seconds` pass."""

    id: str
    platform: str
    account_id: str
    post_id: str
    created_at: float = field(default_factory=now)
    polls_needed: int = 1
    seconds_needed: float = 1.0
    outcome: str = "success"  # or a platform failure code name
    polls: int = 0

    def done(self) -> bool:
        return self.polls >= self.polls_needed or now() - self.created_at >= self.seconds_needed


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def account_external_id(platform: str, n: int) -> str:
    """An account id in the platform's own format, as its clients parse it: X, Mastodon, Facebook and
    Instagram ids are numeric strings (tweepy and Mastodon.py read them as integers), Bluesky's are
    `did:plc:` DIDs (24 base32 characters), YouTube's channel ids are "UC" + 22 base64url characters,
    a WeChat OA's original id is "gh_" + 12 hex digits."""
    if platform == "wechat_oa":
        return f"gh_{secrets.token_hex(6)}"
    if platform == "bluesky":
        return "did:plc:" + "".join(secrets.choice(_BASE32) for _ in range(24))
    if platform == "youtube":
        return "UC" + "".join(secrets.choice(_BASE64URL) for _ in range(22))
    numeric = {
        "x": 1_400_000_000_000_000_000,
        "mastodon": 109_000_000_000_000_000,
        "facebook": 100_000_000_000_000,
        "instagram": 17_841_400_000_000_000,
    }
    if platform in numeric:
        return str(numeric[platform] + n)
    return f"{platform[:2]}{100000 + n}"


class SimState:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[tuple[str, str], Account] = {}
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, AuthCode] = {}
        self.posts: dict[tuple[str, str], Post] = {}  # (platform, post id)
        self.posts_by_account: dict[tuple[str, str], list[Post]] = {}  # oldest first
        self.media: dict[tuple[str, str], Media] = {}
        self.jobs: dict[tuple[str, str], Job] = {}
        self.previews: list[dict[str, Any]] = []  # WeChat message/mass/preview calls
        self.fan_messages: dict[tuple[str, str], Any] = {}  # (platform, id) -> platform_sim.fans.FanMessage
        self.idempotency: dict[tuple[str, str, str], str] = {}  # (platform, account, key) -> post id
        self.requests: Counter[tuple[str, str, str]] = Counter()  # (platform, operation, account)
        self.posts_created: Counter[tuple[str, str]] = Counter()
        self.refresh_calls: Counter[tuple[str, str]] = Counter()
        self.faults_fired: Counter[tuple[str, str, str, str]] = Counter()  # platform, op, account, kind
        self.log: deque[LogEntry] = deque(maxlen=LOG_LIMIT)
        self._ids = itertools.count(1)

    # --- ids ---
    def next_id(self) -> int:
        return next(self._ids)

    def new_token_value(self, platform: str, kind: str) -> str:
        return f"{platform}-{kind[0]}-{secrets.token_urlsafe(18)}"

    # --- accounts ---
    def create_account(
        self,
        platform: str,
        *,
        handle: str = "",
        external_id: str = "",
        display_name: str = "",
        followers: int = 0,
        access_ttl: float,
        refresh_ttl: float,
        options: dict[str, Any] | None = None,
    ) -> Account:
        n = self.next_id()
        if not external_id:
            external_id = account_external_id(platform, n)
        handle = handle or f"sim_{platform}_{n}"
        account = Account(
            platform=platform,
            external_id=external_id,
            handle=handle,
            display_name=display_name or handle,
            followers=followers,
            app_id=f"wx{secrets.token_hex(8)}" if platform == "wechat_oa" else "",
            app_secret=secrets.token_hex(16) if platform == "wechat_oa" else "",
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            options=dict(options or {}),
        )
        self.accounts[(platform, external_id)] = account
        return account

    def account(self, platform: str, external_id: str) -> Account | None:
        return self.accounts.get((platform, external_id))

    def account_by_handle(self, platform: str, handle: str) -> Account | None:
        for account in self.accounts.values():
            if account.platform == platform and account.handle == handle:
                return account
        return None

    def account_by_app_id(self, platform: str, app_id: str) -> Account | None:
        for account in self.accounts.values():
            if account.platform == platform and account.app_id == app_id:
                return account
        return None

    # --- tokens ---
    def issue(self, account: Account, kind: str, ttl: float | None = None, scope: str = "") -> Token:
        if ttl is None:
            ttl = account.access_ttl if kind == "access" else account.refresh_ttl
        token = Token(
            value=self.new_token_value(account.platform, kind),
            platform=account.platform,
            account_id=account.external_id,
            kind=kind,
            expires_at=now() + ttl,
            scope=scope,
        )
        self.tokens[token.value] = token
        return token

    def tokens_of(self, platform: str, external_id: str, kind: str | None = None) -> list[Token]:
        return [
            t
            for t in self.tokens.values()
            if t.platform == platform and t.account_id == external_id and (kind is None or t.kind == kind)
        ]

    # --- OAuth codes ---
    def issue_code(
        self,
        account: Account,
        *,
        client_id: str,
        redirect_uri: str,
        ttl: float = 600.0,
        code_challenge: str = "",
        code_challenge_method: str = "",
        scope: str = "",
    ) -> AuthCode:
        code = AuthCode(
            value=secrets.token_urlsafe(16),
            platform=account.platform,
            account_id=account.external_id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            expires_at=now() + ttl,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            scope=scope,
        )
        self.codes[code.value] = code
        return code

    # --- posts and media ---
    def add_post(self, account: Account, *, text: str, idempotency_key: str = "", **fields: Any) -> Post:
        if idempotency_key:
            existing = self.idempotency.get((account.platform, account.external_id, idempotency_key))
            if existing:
                return self.posts[(account.platform, existing)]
        post_id = fields.pop("id", None) or str(4_000_000_000 + self.next_id())
        post = Post(
            id=post_id,
            platform=account.platform,
            account_id=account.external_id,
            text=text,
            idempotency_key=idempotency_key,
            **fields,
        )
        self.posts[(account.platform, post.id)] = post
        self.posts_by_account.setdefault((account.platform, account.external_id), []).append(post)
        if idempotency_key:
            self.idempotency[(account.platform, account.external_id, idempotency_key)] = post.id
        self.posts_created[(account.platform, account.external_id)] += 1
        return post

    def posts_of(self, platform: str, external_id: str, *, include_deleted: bool = False) -> list[Post]:
        """Newest first (insertion order, so no sorting on the hot path)."""
        posts = self.posts_by_account.get((platform, external_id), [])
        return [p for p in reversed(posts) if include_deleted or not p.deleted]

    def get_post(self, platform: str, post_id: str) -> Post | None:
        post = self.posts.get((platform, post_id))
        return None if post is None or post.deleted else post

    def add_media(
        self, account: Account, *, kind: str, data: bytes = b"", size: int | None = None, **fields
    ) -> Media:
        media_id = fields.pop("id", None) or f"m{self.next_id()}{secrets.token_hex(4)}"
        media = Media(
            id=media_id,
            platform=account.platform,
            account_id=account.external_id,
            kind=kind,
            size=len(data) if size is None else size,
            sha256=hashlib.sha256(data).hexdigest() if data else "",
            **fields,
        )
        self.media[(account.platform, media.id)] = media
        return media

    def get_media(self, platform: str, media_id: str) -> Media | None:
        return self.media.get((platform, media_id))


def s256(verifier: str) -> str:
    return urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()

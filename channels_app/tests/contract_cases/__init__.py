"""Per-platform inputs for the connector contract test (test_connector_contract.py).

Every server-side connector in registry.CONNECTORS must have a module here named after its platform key
(`channels_app/tests/contract_cases/<platform>.py`) that defines `CASE = ContractCase(...)`. A registered
connector without one fails the contract test loudly instead of being skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels_app.connectors.base import Credentials, MediaItem, PostPayload, TokenSet

# A tiny valid PNG (1x1) and an MP4-ish blob: the simulator checks type and size, not pixels.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048


def png(name: str = "cover.png") -> MediaItem:
    return MediaItem(kind="image", filename=name, content_type="image/png", size=len(PNG_1X1), data=PNG_1X1)


def mp4(name: str = "clip.mp4") -> MediaItem:
    return MediaItem(
        kind="video", filename=name, content_type="video/mp4", size=len(MP4_BYTES), data=MP4_BYTES
    )


def default_credentials(tokens: TokenSet, account: Any) -> Credentials:
    return Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        refresh_expires_at=tokens.refresh_expires_at,
        extra=dict(tokens.extra),
    )


@dataclass(frozen=True)
class ContractCase:
    """What the contract test needs to drive one platform.

    - connect: "oauth" (authorization_url -> consent page -> exchange_code) or "credentials"
      (connect_with_credentials(**credential_fields(sim_account)), e.g. WeChat appid/secret, Bluesky
      handle/app password).
    - pkce: send a code_challenge (S256) and the code_verifier.
    - minimal_post(n): the smallest valid post (text; or text + the media the platform requires); `n`
      makes each text unique (platforms reject duplicates).
    - image_post(n): a post with one image, or None when the platform takes no images.
    - invalid_post: (payload, rule) a payload validate() must flag with that rule name.
    - sim_options: options for the simulated account (e.g. Weibo's safe domain).
    - app: extra settings.PLATFORMS[platform] keys for the connector (e.g. "safe_domain").
    - credentials: TokenSet + SimAccount -> Credentials as channels_app would store them.
    - text_of(payload): the text the platform shows, for finding a post by its text after a timeout.
    - publish_operation: the simulator operation that creates the post (fault rules target it).
    - refreshes: False for platforms whose tokens never expire and have no refresh grant (Mastodon):
      refresh() must then hand back the working token it was given.
    - deletes: False for platforms with no delete API (TikTok): delete() must raise Rejected.
    """

    platform: str
    minimal_post: Callable[[int], PostPayload]
    image_post: Callable[[int], PostPayload] | None
    invalid_post: tuple[PostPayload, str]
    connect: str = "oauth"
    pkce: bool = False
    credential_fields: Callable[[Any], dict[str, str]] | None = None
    sim_options: dict[str, Any] = field(default_factory=dict)
    app: dict[str, str] = field(default_factory=dict)
    credentials: Callable[[TokenSet, Any], Credentials] = default_credentials
    text_of: Callable[[PostPayload], str] = lambda payload: payload.text
    publish_operation: str = "publish"
    refreshes: bool = True
    deletes: bool = True


def case_for(platform: str) -> ContractCase:
    try:
        module = importlib.import_module(f"{__name__}.{platform}")
    except ModuleNotFoundError as exc:
        raise LookupError(
            f"connector {platform!r} is registered but has no contract case: add "
            f"channels_app/tests/contract_cases/{platform}.py with CASE = ContractCase(...)"
        ) from exc
    return module.CASE

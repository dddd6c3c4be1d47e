"""Bluesky (AT Protocol): handle + app password, then XRPC calls to the account's PDS.

Documented behaviour this follows (and checked against Bluesky's own PDS, tests/peers/bluesky):
- `com.atproto.server.createSession` {identifier, password} returns `accessJwt` (about 2 h), `refreshJwt`
  (about 90 days), `did` and `handle`; `refreshSession` (Bearer refreshJwt) rotates both. We read the
  JWTs' `exp` claim only to schedule refreshes; the server decides what is valid.
- We accept app passwords only: a session made with the account's main password (JWT scope
  `com.atproto.access`) can change the account itself, so it is discarded and refused.
- Publishing is `com.atproto.repo.uploadBlob` per image, then `com.atproto.repo.createRecord` with an
  `app.bsky.feed.post` record. Text: at most 300 graphemes and 3000 UTF-8 bytes; links, mentions and
  hashtags are facets with byte offsets (richtext.py); up to 4 images of at most 1,000,000 bytes, each
  with alt text. The post is identified by its `at://did/app.bsky.feed.post/rkey` URI.
- Errors are XRPC JSON `{"error": name, "message": text}`: ExpiredToken/InvalidToken -> AuthExpired;
  RateLimitExceeded (429, `RateLimit-Reset` epoch seconds) -> RateLimited; InvalidRequest (e.g. "grapheme
  too big") and other 4xx -> Rejected; 5xx -> Transient. A timeout after createRecord was sent is Unknown:
  the post may exist, so it is settled by reading the repo (`get_post` / `recent_posts`), never retried.
- Repo reads (getRecord, listRecords) are public and sent without a token, so settling an unknown
  publish works even when the access token has just expired.
- `app.bsky.*` reads (feeds, counts) live on the AppView, not the PDS; everything here uses `com.atproto.*`
  calls the PDS answers itself.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import time
from datetime import UTC, date, datetime
from typing import Any

import httpx
from django.utils.translation import gettext_lazy

from ..base import (
    AccountProfile,
    Capabilities,
    Connector,
    Credentials,
    Finding,
    MediaItem,
    MediaLimits,
    MetricsResult,
    MetricUnavailable,
    MetricValue,
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
    UnreadableAnswer,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient, Unknown
from ..http import json_or_empty, need, parse_retry_after
from ..options import tags_option
from . import richtext
from .inbound import BlueskyInbound

POST_COLLECTION = "app.bsky.feed.post"
PROFILE_COLLECTION = "app.bsky.actor.profile"
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
MAX_ALT_GRAPHEMES = 2000  # the official app's limit; the lexicon sets none
MAX_LANGS = 3
WEB_URL = "https://bsky.app"
APP_PASSWORD_SCOPES = frozenset({"com.atproto.appPass", "com.atproto.appPassPrivileged"})
FULL_ACCESS_SCOPE = "com.atproto.access"
# Errors that mean "this session is no good"; the ones in REVOKED mean a refresh cannot help either.
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired"})
REVOKED_ERRORS = frozenset({"AccountTakedown", "AccountDeactivated", "AccountSuspended"})


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, NOT verified: used only to learn `exp` and `scope` for scheduling."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> datetime | None:
    exp = jwt_claims(token).get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC)
    return None


def parse_at_uri(uri: str) -> tuple[str, str, str] | None:
    """at://<repo>/<collection>/<rkey> -> (repo, collection, rkey)."""
    if not uri.startswith("at://"):
        return None
    parts = uri[len("at://") :].split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _is_not_found(exc: Rejected) -> bool:
    # A missing record is RecordNotFound; a repo the PDS does not hold is InvalidRequest with this text.
    return exc.platform_code == "RecordNotFound" or (
        exc.platform_code == "InvalidRequest" and exc.platform_message.startswith("Could not locate record")
    )


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _aspect_ratio(data: bytes) -> dict[str, int] | None:
    """Width and height, so clients can lay the image out before it loads. Optional in the lexicon."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # any unreadable image simply goes without an aspect ratio
        return None
    return {"width": width, "height": height} if width and height else None


class BlueskyConnector(BlueskyInbound, Connector):
    platform = "bluesky"
    display_name = "Bluesky"
    post_options = (
        tags_option(
            "langs",
            gettext_lazy("Languages"),
            max_items=MAX_LANGS,
            max_length=16,
            help_text=gettext_lazy("Language codes such as en or zh, for feeds and translation."),
        ),
    )
    capabilities = Capabilities(
        text_limit=richtext.MAX_GRAPHEMES,
        text_unit="graphemes",
        byte_limit=richtext.MAX_BYTES,
        media=MediaLimits(
            kinds=frozenset({"image"}),
            max_images=MAX_IMAGES,
            max_videos=0,
            max_image_bytes=MAX_IMAGE_BYTES,
            max_video_bytes=0,
            mixed=False,
        ),
        auth="app_password",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
    )

    # --- HTTP ---
    def _xrpc(
        self,
        http_method: str,
        nsid: str,
        *,
        operation: str,
        token: str = "",
        unsafe: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.request(
            http_method, f"xrpc/{nsid}", operation=operation, unsafe=unsafe, headers=headers, **kwargs
        )
        return json_or_empty(response)

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        status = response.status_code
        if status < 400:
            return None
        body = json_or_empty(response)
        name = body.get("error") if isinstance(body.get("error"), str) else ""
        message = body.get("message") if isinstance(body.get("message"), str) else ""
        text = f"bluesky {operation}: HTTP {status} {name or response.reason_phrase}: {message}"[:500]
        fields: dict[str, Any] = {
            "platform_code": name or None,
            "platform_message": message,
            "status_code": status,
        }
        if status == 429 or name == "RateLimitExceeded":
            return RateLimited(text, retry_after=self._retry_after(response), **fields)
        if name in REVOKED_ERRORS:
            return AuthExpired(text, revoked=True, **fields)
        if name in AUTH_ERRORS or status == 401:
            # A failed login or refresh leaves nothing to refresh with: the account must be reconnected.
            return AuthExpired(text, revoked=operation in ("token", "refresh"), **fields)
        if status >= 500:
            return Transient(text, **fields)
        return Rejected(text, **fields)

    def _retry_after(self, response: httpx.Response) -> float:
        reset = response.headers.get("ratelimit-reset")
        if reset:
            try:
                return max(1.0, float(reset) - time.time())
            except ValueError:
                pass
        return parse_retry_after(response.headers, self.default_retry_after)

    # --- connecting ---
    def connect_with_credentials(self, **fields: str) -> TokenSet:
        identifier = (fields.get("identifier") or fields.get("handle") or "").strip().lstrip("@")
        password = fields.get("password") or fields.get("app_password") or ""
        if not identifier or not password:
            advice = "A handle and an app password are required."
            raise Rejected(f"bluesky token: {advice}", platform_message=advice)
        body = self._xrpc(
            "POST",
            "com.atproto.server.createSession",
            operation="token",
            json={"identifier": identifier, "password": password},
        )
        tokens = self._token_set(body, operation="token")
        scope = jwt_claims(tokens.access_token).get("scope")
        if scope == FULL_ACCESS_SCOPE:
            self._discard_session(tokens.refresh_token)
            advice = (
                "This is the account's main password. Create an app password in Bluesky (Settings > "
                "Privacy and security > App passwords) and connect with that."
            )
            raise Rejected(
                f"bluesky token: {advice}", platform_code="NotAnAppPassword", platform_message=advice
            )
        return tokens

    def _discard_session(self, refresh_token: str) -> None:
        # Best effort: a session we do not keep expires on its own anyway.
        with contextlib.suppress(ConnectorError):
            self._xrpc("POST", "com.atproto.server.deleteSession", operation="logout", token=refresh_token)

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired("bluesky refresh: no refresh token stored", revoked=True)
        body = self._xrpc(
            "POST", "com.atproto.server.refreshSession", operation="refresh", token=credentials.refresh_token
        )
        return self._token_set(body, operation="refresh")

    def _token_set(self, body: dict[str, Any], *, operation: str) -> TokenSet:
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        did = body.get("did")
        if not (isinstance(access, str) and access and isinstance(did, str) and did):
            # mapped by call kind (connecting: Rejected; refreshing: Transient)
            raise UnreadableAnswer(f"bluesky {operation}: the server answered without a session")
        return TokenSet(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) else "",
            expires_at=jwt_expiry(access),
            refresh_expires_at=jwt_expiry(refresh) if isinstance(refresh, str) else None,
            extra={"did": did, "handle": body.get("handle") or ""},
        )

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        session = self._xrpc(
            "GET", "com.atproto.server.getSession", operation="profile", token=credentials.access_token
        )
        did, handle = session.get("did") or "", session.get("handle") or ""
        display_name, avatar_url = "", ""
        try:
            record = self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                operation="profile",
                params={"repo": did, "collection": PROFILE_COLLECTION, "rkey": "self"},
            )
        except Rejected as exc:
            if not _is_not_found(exc):
                raise
            record = {}  # the account never set a display name or avatar
        value = record.get("value") or {}
        if isinstance(value, dict):
            display_name = value.get("displayName") or ""
            avatar = value.get("avatar") or {}
            cid = (avatar.get("ref") or {}).get("$link") if isinstance(avatar, dict) else None
            if cid:
                avatar_url = f"{self.base_url}/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}"
        # Follower counts are AppView data (app.bsky.actor.getProfile), which a PDS does not hold.
        return AccountProfile(
            external_id=did, handle=handle, display_name=display_name, avatar_url=avatar_url
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return richtext.grapheme_count(text)

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        text = payload.text
        if not text.strip() and not payload.media:
            findings.append(Finding("bluesky.empty", "A Bluesky post needs text or at least one image."))
        count = richtext.grapheme_count(text)
        if count > richtext.MAX_GRAPHEMES:
            findings.append(
                Finding(
                    "bluesky.graphemes",
                    f"Bluesky allows {richtext.MAX_GRAPHEMES} characters (graphemes); this text has {count}.",
                    start=richtext.grapheme_overflow_start(text),
                    end=len(text),
                )
            )
        size = richtext.byte_length(text)
        if size > richtext.MAX_BYTES:
            findings.append(
                Finding(
                    "bluesky.bytes",
                    f"Bluesky allows {richtext.MAX_BYTES} bytes of UTF-8 text; this text has {size}.",
                    start=richtext.byte_overflow_start(text),
                    end=len(text),
                )
            )
        findings.extend(self._validate_media(payload.media))
        if payload.link and payload.media:
            findings.append(
                Finding(
                    "bluesky.link_with_images",
                    "A Bluesky post shows either images or a link card; put the link in the text instead.",
                )
            )
        langs = payload.options.get("langs") or []
        if len(langs) > MAX_LANGS:
            findings.append(Finding("bluesky.langs", f"At most {MAX_LANGS} languages can be set on a post."))
        return findings

    def _validate_media(self, media: tuple[MediaItem, ...]) -> list[Finding]:
        findings: list[Finding] = []
        if len(media) > MAX_IMAGES:
            findings.append(
                Finding(
                    "bluesky.media_count", f"Bluesky allows {MAX_IMAGES} images; this post has {len(media)}."
                )
            )
        for item in media:
            name = item.filename or "an attachment"
            if item.kind != "image":
                findings.append(
                    Finding("bluesky.media_kind", f"{name}: only images can be posted to Bluesky.")
                )
                continue
            if item.content_type not in IMAGE_TYPES:
                findings.append(
                    Finding("bluesky.media_type", f"{name}: Bluesky takes JPEG, PNG, WebP or GIF images.")
                )
            if item.size > MAX_IMAGE_BYTES:
                findings.append(
                    Finding(
                        "bluesky.media_size",
                        f"{name}: {item.size} bytes; Bluesky allows {MAX_IMAGE_BYTES} bytes per image.",
                    )
                )
            if not item.alt_text.strip():
                findings.append(
                    Finding(
                        "bluesky.alt_text", f"{name}: add alt text for people who cannot see it.", "warning"
                    )
                )
            elif richtext.grapheme_count(item.alt_text) > MAX_ALT_GRAPHEMES:
                findings.append(
                    Finding(
                        "bluesky.alt_text_length",
                        f"{name}: alt text is limited to {MAX_ALT_GRAPHEMES} characters in Bluesky's app.",
                    )
                )
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        # No validate() here: compliance ran before scheduling, and the server enforces its own limits.
        did = self._did(credentials)
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": payload.text, "createdAt": _now_iso()}
        langs = list(payload.options.get("langs") or [])
        if langs:
            record["langs"] = langs[:MAX_LANGS]
        facets = self._facets(payload.text)
        if facets:
            record["facets"] = facets
        embed = self._embed(credentials, payload)
        if embed:
            record["embed"] = embed
        body = self._xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            operation="publish",
            token=credentials.access_token,
            unsafe=True,
            json={"repo": did, "collection": POST_COLLECTION, "record": record},
        )
        uri = body.get("uri") or ""
        parsed = parse_at_uri(uri)
        if parsed is None:
            # the record may have been written: settle by reading, never by sending it again
            raise Unknown("bluesky publish: the server answered without the new post's URI")
        return PublishResult(
            status="published",
            external_id=uri,
            url=self._web_url(parsed[0], parsed[2]),
            raw={"uri": uri, "cid": body.get("cid") or ""},
        )

    def _embed(self, credentials: Credentials, payload: PostPayload) -> dict[str, Any] | None:
        if payload.media:
            images = []
            for item in payload.media:
                if item.data is None:
                    raise Rejected(f"bluesky upload: no bytes to upload for {item.filename or 'an image'}")
                blob = self._xrpc(
                    "POST",
                    "com.atproto.repo.uploadBlob",
                    operation="upload",
                    token=credentials.access_token,
                    content=item.data,
                    headers={"Content-Type": item.content_type or "application/octet-stream"},
                ).get("blob")
                if not isinstance(blob, dict):
                    raise UnreadableAnswer("bluesky upload: the server answered without a blob")
                image: dict[str, Any] = {"alt": item.alt_text, "image": blob}
                ratio = _aspect_ratio(item.data)
                if ratio:
                    image["aspectRatio"] = ratio
                images.append(image)
            return {"$type": "app.bsky.embed.images", "images": images}
        if payload.link:
            return {
                "$type": "app.bsky.embed.external",
                "external": {"uri": payload.link, "title": payload.title or payload.link, "description": ""},
            }
        return None

    def _facets(self, text: str) -> list[dict[str, Any]]:
        facets = []
        for span in richtext.detect_spans(text):
            if span.kind == "link":
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
            elif span.kind == "tag":
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
            else:
                did = self._resolve_handle(span.value)
                if not did:
                    continue  # an unknown handle stays plain text, as in Bluesky's own app
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            facets.append(richtext.facet(text, span, feature))
        return facets

    def _resolve_handle(self, handle: str) -> str:
        try:
            body = self._xrpc(
                "GET",
                "com.atproto.identity.resolveHandle",
                operation="resolve_handle",
                params={"handle": handle},
            )
        except (Rejected, Transient):
            return ""  # the post still goes out; the mention is plain text, as in Bluesky's app
        did = body.get("did")
        return did if isinstance(did, str) else ""

    def _did(self, credentials: Credentials) -> str:
        did = credentials.extra.get("did")
        if isinstance(did, str) and did:
            return did
        session = self._xrpc(
            "GET", "com.atproto.server.getSession", operation="profile", token=credentials.access_token
        )
        return session.get("did") or ""

    def _web_url(self, repo: str, rkey: str) -> str:
        web = (self.app.get("web_url") or WEB_URL).rstrip("/")
        return f"{web}/profile/{repo}/post/{rkey}"

    def _locate(self, credentials: Credentials, external_id: str) -> tuple[str, str, str]:
        parsed = parse_at_uri(external_id)
        if parsed is not None:
            return parsed
        return self._did(credentials), POST_COLLECTION, external_id  # a bare rkey of this account's post

    def _remote_post(self, item: dict[str, Any]) -> RemotePost:
        uri = item.get("uri") or ""
        value = item.get("value") if isinstance(item.get("value"), dict) else {}
        parsed = parse_at_uri(uri)
        return RemotePost(
            external_id=uri,
            text=value.get("text") or "",
            url=self._web_url(parsed[0], parsed[2]) if parsed else "",
            created_at=_parse_time(value.get("createdAt")),
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        repo, collection, rkey = self._locate(credentials, external_id)
        try:
            body = self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                operation="lookup",
                params={"repo": repo, "collection": collection, "rkey": rkey},
            )
        except Rejected as exc:
            if _is_not_found(exc):
                return None
            raise
        return self._remote_post(body)

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self._xrpc(
            "GET",
            "com.atproto.repo.listRecords",
            operation="list",
            params={
                "repo": self._did(credentials),
                "collection": POST_COLLECTION,
                "limit": max(1, min(limit, 100)),
            },
        )
        records = need(body, "records")
        return [self._remote_post(item) for item in records if isinstance(item, dict)]

    def delete(self, credentials: Credentials, external_id: str) -> None:
        repo, collection, rkey = self._locate(credentials, external_id)
        self._xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            operation="delete",
            token=credentials.access_token,
            json={"repo": repo, "collection": collection, "rkey": rkey},
        )

    # --- metrics ---
    # Counts live in the AppView, not the PDS: bsky.social's PDS proxies app.bsky.* reads to the AppView
    # when `atproto-proxy` names it, with the user's session, so the calls go to the PDS we already use.
    def _appview(self, nsid: str, *, operation: str, credentials: Credentials, params: Any) -> dict[str, Any]:
        return self._xrpc(
            "GET",
            nsid,
            operation=operation,
            token=credentials.access_token,
            params=params,
            headers={"atproto-proxy": self.app.get("appview_proxy") or APPVIEW_PROXY},
        )

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """The AppView keeps no history: the profile's followersCount now, stamped with the moment read."""
        did = self._did(credentials)
        body = self._appview(
            "app.bsky.actor.getProfile",
            operation="metrics_account",
            credentials=credentials,
            params={"actor": did},
        )
        result = MetricsResult()
        _read_counts(result, body, ACCOUNT_COUNTS, "account", did, datetime.now(UTC))
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """likeCount, repostCount, replyCount, quoteCount by app.bsky.feed.getPosts, 25 URIs a call; a post
        the AppView does not return is recorded, the rest still arrive."""
        result = MetricsResult()
        uris = {}
        for external_id in external_ids:
            repo, collection, rkey = self._locate(credentials, external_id)
            uris[f"at://{repo}/{collection}/{rkey}"] = external_id
        listed = list(uris)
        for start in range(0, len(listed), POSTS_PER_CALL):
            chunk = listed[start : start + POSTS_PER_CALL]
            body = self._appview(
                "app.bsky.feed.getPosts",
                operation="metrics_post",
                credentials=credentials,
                params=[("uris", uri) for uri in chunk],
            )
            found = set()
            for view in body.get("posts") or []:
                external_id = uris.get(view.get("uri", ""))
                if external_id is not None:
                    found.add(external_id)
                    _read_counts(result, view, POST_COUNTS, "post", external_id, None)
            for uri in chunk:
                if uris[uri] not in found:
                    for key in POST_COUNTS:
                        gone = MetricUnavailable(
                            key, "post", uris[uri], "error", "not in the AppView's answer"
                        )
                        result.unavailable.append(gone)
        return result


APPVIEW_PROXY = "did:web:api.bsky.app#bsky_appview"
POSTS_PER_CALL = 25
POST_COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount")
ACCOUNT_COUNTS = ("followersCount",)


def _read_counts(
    result: MetricsResult,
    body: dict,
    keys: tuple[str, ...],
    entity: str,
    external_id: str,
    at: datetime | None,
) -> None:
    for key in keys:
        if isinstance(body.get(key), int):
            result.values.append(MetricValue(key, body[key], entity, external_id, period_end=at))
        else:
            missing = MetricUnavailable(key, entity, external_id, "removed", "not in the answer")
            result.unavailable.append(missing)

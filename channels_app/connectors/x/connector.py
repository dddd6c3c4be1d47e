"""X (Twitter) API v2: OAuth 2.0 with PKCE, POST /2/tweets, media upload, look-up and delete.

Documented behaviour this follows:
- authorize at `https://x.com/i/oauth2/authorize` (PKCE S256), token at `POST /2/oauth2/token` with HTTP
  Basic client auth (confidential client); `offline.access` yields a refresh token, access tokens last
  2 h, and each refresh rotates the refresh token (the old one dies).
- `POST /2/media/upload` (multipart `media`, `media_category`) returns `data.id`; alt text via
  `POST /2/media/metadata`; a post carries `media.media_ids` (up to 4 images or 1 GIF).
- errors are problem+json (`title`, `detail`, `status`); 429 carries `x-rate-limit-reset` (epoch s).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _

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
    alt_text_findings,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import UnreadableAnswer, epoch_reset, json_or_empty, need, parse_retry_after
from .inbound import XInbound
from .text import MAX_WEIGHTED_LENGTH, weighted_length

SCOPES = "tweet.read tweet.write users.read media.write offline.access"
DEFAULT_RATE_LIMIT_WAIT = 15 * 60.0  # X's rate-limit windows are 15 minutes


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def retry_after_from(response: httpx.Response, default: float) -> float:
    """Seconds to wait: the longest of `x-rate-limit-reset` (epoch seconds) and `Retry-After`; when the
    app's 24-hour cap is the one spent, its own reset (`x-app-limit-24hour-reset`) counts too."""
    hints = [parse_retry_after(response.headers, -1.0)]
    if app_cap_spent(response):
        hints.append(epoch_reset(response.headers, "x-app-limit-24hour-reset"))
    wait = max(hint for hint in hints if hint is not None)
    return max(1.0, wait) if wait >= 0 else default


def app_cap_spent(response: httpx.Response) -> bool:
    """X's per-app 24-hour cap on POST /2/tweets is exhausted (every account of ours is blocked), as
    opposed to the per-user window (`x-rate-limit-*`, `x-user-limit-24hour-*`)."""
    return (response.headers.get("x-app-limit-24hour-remaining") or "").strip() == "0"


class XConnector(XInbound, Connector):
    platform = "x"
    display_name = "X"
    capabilities = Capabilities(
        text_limit=MAX_WEIGHTED_LENGTH,
        text_unit="weighted characters",
        media=MediaLimits(
            kinds=frozenset({"image", "gif"}),
            max_images=4,
            max_videos=0,
            max_image_bytes=5 * 1024 * 1024,
            max_video_bytes=15 * 1024 * 1024,  # animated GIF
            max_alt_text=1000,  # POST /2/media/metadata: alt_text.text, at most 1,000 characters
            mixed=False,
        ),
        first_comment=True,  # posted as a reply to the new post
        native_scheduling=False,
        async_publish=False,
        idempotency_key=False,
        auth="oauth2_pkce",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
        item_actions=frozenset({"hide", "unhide", "like"}),
    )
    default_retry_after = DEFAULT_RATE_LIMIT_WAIT

    # --- HTTP ---
    def _send(
        self, method: str, path: str, *, operation: str, token: str = "", unsafe: bool = False, **kwargs
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request(method, path, operation=operation, unsafe=unsafe, headers=headers, **kwargs)

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        status = response.status_code
        if status < 400:
            return None
        body = json_or_empty(response)
        detail = str(body.get("detail") or body.get("error_description") or body.get("title") or "")
        code = body.get("type") or body.get("error")
        if not detail and isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            detail = str(first.get("message") or first.get("detail") or "")
        kwargs = {"platform_code": code, "platform_message": detail[:500], "status_code": status}
        where = f"x {operation}: HTTP {status}: {detail or 'no detail'}"[:500]
        if status == 429:
            return RateLimited(
                where,
                retry_after=retry_after_from(response, DEFAULT_RATE_LIMIT_WAIT),
                scope=RateLimited.APP if app_cap_spent(response) else RateLimited.ACCOUNT,
                **kwargs,
            )
        if status == 401:
            return AuthExpired(where, **kwargs)
        if (
            status == 400
            and code in ("invalid_grant", "invalid_request")
            and operation in ("token", "refresh")
        ):
            # the token endpoint: the code or refresh token is used, expired or revoked
            return AuthExpired(where, revoked=True, **kwargs)
        if status >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        if not code_challenge:
            raise ValueError("X requires PKCE: pass code_challenge (S256)")
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.app.get("client_id", ""),
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{auth_base}/i/oauth2/authorize?{query}"

    def _token(self, data: dict[str, str]) -> TokenSet:
        data = {**data, "client_id": self.app.get("client_id", "")}
        response = self._send(
            "POST",
            "/2/oauth2/token",
            operation="refresh" if data.get("grant_type") == "refresh_token" else "token",
            data=data,
            auth=(self.app.get("client_id", ""), self.app.get("client_secret", "")),
        )
        body = response.json()
        expires_in = body.get("expires_in")
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
            extra={"scope": body.get("scope", "")},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired("x: no refresh token stored (offline.access not granted); reconnect")
        return self._token({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        response = self._send(
            "GET",
            "/2/users/me",
            operation="profile",
            token=credentials.access_token,
            params={"user.fields": "profile_image_url,public_metrics"},
        )
        data = response.json().get("data") or {}
        metrics = data.get("public_metrics") or {}
        return AccountProfile(
            external_id=str(data["id"]),
            handle=data.get("username", ""),
            display_name=data.get("name", ""),
            avatar_url=data.get("profile_image_url", ""),
            followers=metrics.get("followers_count"),
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return weighted_length(text)

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        length = weighted_length(payload.text)
        if length > MAX_WEIGHTED_LENGTH:
            findings.append(
                Finding(
                    "x.weighted_length",
                    _(
                        "X allows %(limit)s weighted characters (Chinese, Japanese, Korean characters and "
                        "emoji count 2, every link 23); this text weighs %(used)s."
                    )
                    % {"limit": MAX_WEIGHTED_LENGTH, "used": length},
                )
            )
        if not payload.text.strip() and not payload.media:
            findings.append(Finding("x.empty", _("An X post needs text or media.")))
        limits = self.capabilities.media
        images = [m for m in payload.media if m.kind == "image" and not _is_gif(m)]
        gifs = [m for m in payload.media if _is_gif(m)]
        if any(m.kind not in ("image", "gif") for m in payload.media):
            findings.append(
                Finding("x.media_kind", _("X posts here take images or one animated GIF, no video."))
            )
        if len(images) > limits.max_images:
            findings.append(
                Finding(
                    "x.media_count",
                    _("X allows at most %(limit)s images per post; this post has %(count)s.")
                    % {"limit": limits.max_images, "count": len(images)},
                )
            )
        if gifs and (len(gifs) > 1 or images):
            findings.append(
                Finding("x.media_count", _("X allows 1 animated GIF per post, without other images."))
            )
        for item, limit in [(m, limits.max_image_bytes) for m in images] + [
            (m, limits.max_video_bytes) for m in gifs
        ]:
            if item.size > limit:
                findings.append(
                    Finding(
                        "x.media_size",
                        _("%(name)s is %(size)s bytes; X allows at most %(limit)s bytes for this kind.")
                        % {"name": item.filename, "size": item.size, "limit": limit},
                    )
                )
        for item in payload.media:
            if item.data is None:
                findings.append(
                    Finding(
                        "x.media_data",
                        _("%(name)s: X needs the file itself to upload.") % {"name": item.filename},
                    )
                )
        findings += alt_text_findings(self, payload)
        # The first reply's length is connectors.limits' (first_comment_excess: this count against the
        # text limit), with the composer's message, like every platform's first comment.
        return findings

    def _upload(self, token: str, item: MediaItem) -> str:
        category = "tweet_gif" if _is_gif(item) else "tweet_image"
        response = self._send(
            "POST",
            "/2/media/upload",
            operation="upload",
            token=token,
            data={"media_category": category, "media_type": item.content_type},
            files={"media": (item.filename, item.data or b"", item.content_type)},
        )
        media_id = str((response.json().get("data") or {})["id"])
        if item.alt_text:
            self._send(
                "POST",
                "/2/media/metadata",
                operation="upload",
                token=token,
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        return media_id

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        body: dict = {"text": payload.text}
        if payload.media:
            body["media"] = {"media_ids": [self._upload(token, item) for item in payload.media]}
        response = self._send("POST", "/2/tweets", operation="publish", token=token, unsafe=True, json=body)
        data = response.json().get("data") or {}
        post_id = str(data["id"])
        raw: dict = {"id": post_id}
        if payload.first_comment:
            # The post is live; a failing reply must not turn a published post into a failure.
            try:
                reply = self._send(
                    "POST",
                    "/2/tweets",
                    operation="comment",
                    token=token,
                    unsafe=True,
                    json={"text": payload.first_comment, "reply": {"in_reply_to_tweet_id": post_id}},
                )
                raw["first_comment_id"] = str((reply.json().get("data") or {}).get("id", ""))
            except ConnectorError as exc:  # the post is live: report, do not fail it
                raw["first_comment_error"] = str(exc)
        return PublishResult(
            status="published", external_id=post_id, url=self._post_url(credentials, post_id), raw=raw
        )

    def _post_url(self, credentials: Credentials, post_id: str) -> str:
        handle = credentials.extra.get("handle") or "i/web"
        return f"https://x.com/{handle}/status/{post_id}"

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self._send(
                "DELETE", f"/2/tweets/{external_id}", operation="delete", token=credentials.access_token
            )
        except Rejected as exc:
            if exc.status_code == 404:
                return  # already gone: deleting is idempotent
            raise

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            response = self._send(
                "GET",
                f"/2/tweets/{external_id}",
                operation="lookup",
                token=credentials.access_token,
                params={"tweet.fields": "created_at"},
            )
        except Rejected as exc:
            if exc.status_code == 404:
                return None
            raise
        body = response.json()
        if "data" not in body and body.get("errors"):
            return None  # X answers 200 with only `errors` (resource-not-found) for a deleted post
        data = need(body, "data", kind=dict)
        return self._remote(credentials, data)

    def _remote(self, credentials: Credentials, data: dict) -> RemotePost:
        post_id = str(data["id"])
        return RemotePost(
            external_id=post_id,
            text=data.get("text", ""),
            url=self._post_url(credentials, post_id),
            created_at=_parse_time(data.get("created_at")),
        )

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        user_id = credentials.extra.get("user_id") or self.fetch_profile(credentials).external_id
        response = self._send(
            "GET",
            f"/2/users/{user_id}/tweets",
            operation="list",
            token=credentials.access_token,
            params={"max_results": max(5, min(100, limit)), "tweet.fields": "created_at"},
        )
        return [self._remote(credentials, item) for item in (response.json().get("data") or [])][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """X v2 has no daily account analytics: the account's public_metrics now (followers) is the figure,
        stamped with the moment it was read."""
        user_id = str(credentials.extra.get("user_id") or self.fetch_profile(credentials).external_id)
        response = self._send(
            "GET",
            f"/2/users/{user_id}",
            operation="metrics_account",
            token=credentials.access_token,
            params={"user.fields": "public_metrics"},
        )
        counts = (response.json().get("data") or {}).get("public_metrics") or {}
        result = MetricsResult()
        read_at = datetime.now(UTC)
        for key in ACCOUNT_METRICS:
            if key in counts:
                result.values.append(MetricValue(key, counts[key], "account", user_id, period_end=read_at))
            else:
                result.unavailable.append(MetricUnavailable(key, "account", user_id, "removed"))
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """Two calls per 100 posts: public_metrics (with created_at, which decides the second), then
        non_public_metrics/organic_metrics for the posts under 30 days old; older posts are recorded as
        too_old without asking."""
        result = MetricsResult()
        young: list[str] = []
        cutoff = datetime.now(UTC) - timedelta(days=PRIVATE_METRICS_DAYS)
        for chunk in _chunks(external_ids, 100):
            body = self._send(
                "GET",
                "/2/tweets",
                operation="metrics_post",
                token=credentials.access_token,
                params={"ids": ",".join(chunk), "tweet.fields": "created_at,public_metrics"},
            ).json()
            if "data" not in body and not body.get("errors"):  # neither figures nor why not
                raise UnreadableAnswer("x metrics_post: the answer has neither data nor errors")
            _record_missing(result, body, PUBLIC_POST_METRICS)
            for item in body.get("data") or []:
                post_id = str(item["id"])
                _read(result, post_id, item.get("public_metrics"), PUBLIC_POST_METRICS)
                created = _parse_time(item.get("created_at"))
                if created is not None and created < cutoff:
                    for key in PRIVATE_POST_METRICS:
                        too_old = MetricUnavailable(key, "post", post_id, "too_old", "over 30 days old")
                        result.unavailable.append(too_old)
                else:
                    young.append(post_id)
        for chunk in _chunks(young, 100):
            body = self._send(
                "GET",
                "/2/tweets",
                operation="metrics_post",
                token=credentials.access_token,
                params={"ids": ",".join(chunk), "tweet.fields": "non_public_metrics,organic_metrics"},
            ).json()
            _record_missing(result, body, PRIVATE_POST_METRICS)
            for item in body.get("data") or []:
                _read(result, str(item["id"]), item.get("non_public_metrics"), PRIVATE_POST_METRICS)
        return result


# What one metrics pull reads, by tweet.fields group. X names a post's impressions in all three objects;
# public_metrics' is the one every post has, so the private group adds only what public lacks.
PUBLIC_POST_METRICS = (
    "impression_count",
    "like_count",
    "reply_count",
    "retweet_count",
    "quote_count",
    "bookmark_count",
)
PRIVATE_POST_METRICS = ("url_link_clicks", "user_profile_clicks")  # from non_public_metrics
PRIVATE_METRICS_DAYS = 30  # X serves non-public/organic metrics on posts created in the last 30 days only
ACCOUNT_METRICS = ("followers_count",)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _read(result: MetricsResult, post_id: str, counts: dict | None, keys: tuple[str, ...]) -> None:
    counts = counts or {}
    for key in keys:
        if key in counts:
            result.values.append(MetricValue(key, counts[key], "post", post_id))
        else:
            result.unavailable.append(MetricUnavailable(key, "post", post_id, "removed", "not in the answer"))


def _record_missing(result: MetricsResult, body: dict, keys: tuple[str, ...]) -> None:
    """Posts X names in `errors`: a field refused (private metrics past 30 days, or not the caller's
    post) or a post that is gone."""
    for error in body.get("errors") or []:
        post_id = str(error.get("resource_id") or error.get("value") or "")
        kind = str(error.get("type", ""))
        # a refused private field on our own post: it is past X's 30 days
        reason = "too_old" if kind.endswith("not-authorized-for-field") else "error"
        for key in keys:
            result.unavailable.append(
                MetricUnavailable(key, "post", post_id, reason, str(error.get("title") or kind)[:200])
            )


def _is_gif(item: MediaItem) -> bool:
    return item.kind == "gif" or item.content_type == "image/gif"

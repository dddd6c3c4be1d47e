"""Mastodon (any instance): statuses with an Idempotency-Key, media, native scheduling.

Each instance is its own OAuth provider, so an app is registered per instance (`POST /api/v1/apps`,
`register_app`); the base URL is the instance. Tokens do not expire (no refresh token is issued), so
`refresh` only confirms the token still works.

`POST /api/v1/statuses` honours an `Idempotency-Key` header (kept about 1 hour): a retried publish with
the same key returns the first status instead of posting twice; we send `PostPayload.idempotency_key`.
`scheduled_at` (at least 5 minutes ahead) makes it a ScheduledStatus. Media go first through
`POST /api/v2/media` (202 while still processing). The length rule: 500 characters by default (an
instance setting), counted in graphemes, every URL counts 23, and `@user@domain` counts as `@user`.
"""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import httpx
import regex
from django.utils.translation import gettext as _
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
    alt_text_findings,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..facebook.connector import scheduled_at
from ..http import json_or_empty, parse_retry_after
from ..options import CHOICE, OptionSpec, link_option
from .inbound import MastodonInbound

TEXT_LIMIT = 500
URL_WEIGHT = 23
SCHEDULE_MIN = timedelta(minutes=5)
SCOPES = "read:accounts read:statuses write:statuses write:media"
DEFAULT_RATE_LIMIT_WAIT = 300.0  # Mastodon's windows are 5 minutes
MEDIA_POLL_ATTEMPTS = 5
MEDIA_POLL_SECONDS = 0.5
_URL = re.compile(r"https?://[^\s<>\"]+")
_MENTION = re.compile(r"(?<![\w/])(@[\w]+)@[\w.\-]+\w")
_TAG = re.compile(r"<[^>]+>")


def mastodon_length(text: str) -> int:
    countable = _URL.sub("x" * URL_WEIGHT, text)
    countable = _MENTION.sub(r"\1", countable)
    return len(regex.findall(r"\X", countable))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _html_to_text(content: str) -> str:
    content = content.replace("<br>", "\n").replace("<br />", "\n").replace("</p><p>", "\n\n")
    return html.unescape(_TAG.sub("", content))


class MastodonConnector(MastodonInbound, Connector):
    platform = "mastodon"
    display_name = "Mastodon"
    post_options = (
        OptionSpec(
            "visibility",
            CHOICE,
            gettext_lazy("Visibility"),
            choices=(
                ("public", gettext_lazy("Public")),
                ("unlisted", gettext_lazy("Quiet public")),
                ("private", gettext_lazy("Followers only")),
                ("direct", gettext_lazy("Mentioned people only")),
            ),
        ),
        link_option(gettext_lazy("Added to the end of the status (Mastodon shows a card for it).")),
    )
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        text_unit="characters",
        media=MediaLimits(
            kinds=frozenset({"image", "video", "gif"}),
            max_images=4,
            max_videos=1,
            max_image_bytes=16 * 1024 * 1024,
            max_video_bytes=99 * 1024 * 1024,
            mixed=False,
            max_alt_text=1500,  # MediaAttachment::MAX_DESCRIPTION_LENGTH
        ),
        first_comment=True,  # a reply to the new status
        native_scheduling=True,
        async_publish=False,
        idempotency_key=True,
        auth="oauth2",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
        reply_media=True,  # media_ids[] on the answering status
    )
    default_retry_after = DEFAULT_RATE_LIMIT_WAIT

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
        message = str(body.get("error_description") or body.get("error") or response.reason_phrase)[:500]
        kwargs = {"platform_code": body.get("error"), "platform_message": message, "status_code": status}
        where = f"mastodon {operation}: HTTP {status}: {message}"[:500]
        if status == 429:
            return RateLimited(where, retry_after=self._retry_after(response), **kwargs)
        if status == 401 or body.get("error") == "invalid_grant":
            return AuthExpired(where, revoked=True, **kwargs)
        if status >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        """The longest of Retry-After and Mastodon's X-RateLimit-Reset (an ISO 8601 time)."""
        hints = []
        if response.headers.get("retry-after"):
            hints.append(parse_retry_after(response.headers, DEFAULT_RATE_LIMIT_WAIT))
        reset = _parse_time(response.headers.get("x-ratelimit-reset"))
        if reset is not None:
            hints.append(max(1.0, (reset - datetime.now(UTC)).total_seconds()))
        return max(hints) if hints else DEFAULT_RATE_LIMIT_WAIT

    # --- connecting ---
    def register_app(
        self, *, redirect_uri: str, client_name: str = "KAWO OSS", website: str = ""
    ) -> dict[str, str]:
        """Registers our OAuth app on this instance; store its client_id/client_secret per instance."""
        body = self._send(
            "POST",
            "/api/v1/apps",
            operation="register_app",
            json={
                "client_name": client_name,
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
                "website": website,
            },
        ).json()
        return {"client_id": body["client_id"], "client_secret": body["client_secret"]}

    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        params = {
            "response_type": "code",
            "client_id": self.app.get("client_id", ""),
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
        }
        if code_challenge:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.base_url}/oauth/authorize?{urlencode(params)}"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.app.get("client_id", ""),
            "client_secret": self.app.get("client_secret", ""),
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        body = self._send("POST", "/oauth/token", operation="token", data=data).json()
        return TokenSet(access_token=body["access_token"], extra={"scope": body.get("scope", "")})

    def refresh(self, credentials: Credentials) -> TokenSet:
        # Mastodon tokens live until revoked: "refreshing" confirms the token, raising AuthExpired if not.
        self.fetch_profile(credentials)
        return TokenSet(access_token=credentials.access_token)

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self._send(
            "GET", "/api/v1/accounts/verify_credentials", operation="profile", token=credentials.access_token
        ).json()
        return AccountProfile(
            external_id=str(body["id"]),
            handle=body.get("acct") or body.get("username", ""),
            display_name=body.get("display_name", ""),
            avatar_url=body.get("avatar", ""),
            followers=body.get("followers_count"),
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return mastodon_length(text)

    @staticmethod
    def status_text(payload: PostPayload) -> str:
        """The status as sent: the text, and the variant's link after it unless the text has it already
        (Mastodon shows a preview card for a link in the status; it has no separate link field)."""
        if payload.link and payload.link not in payload.text:
            return f"{payload.text}\n\n{payload.link}" if payload.text.strip() else payload.link
        return payload.text

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        limit = int(payload.options.get("max_characters") or TEXT_LIMIT)
        length = mastodon_length(self.status_text(payload))
        if length > limit:
            findings.append(
                Finding(
                    "mastodon.text_length",
                    _("This instance allows %(limit)s characters (a link counts 23); this text has %(used)s.")
                    % {"limit": limit, "used": length},
                )
            )
        if not self.status_text(payload).strip() and not payload.media:
            findings.append(Finding("mastodon.empty", _("A Mastodon status needs text or media.")))
        limits = self.capabilities.media
        if len(payload.media) > limits.max_images:
            findings.append(
                Finding(
                    "mastodon.media_count",
                    _("Mastodon allows at most %(limit)s attachments; this status has %(count)s.")
                    % {"limit": limits.max_images, "count": len(payload.media)},
                )
            )
        if any(m.kind == "video" for m in payload.media) and len(payload.media) > 1:
            findings.append(
                Finding("mastodon.media_mixed", _("Mastodon allows 1 video, without other attachments."))
            )
        for item in payload.media:
            cap = limits.max_video_bytes if item.kind == "video" else limits.max_image_bytes
            if item.size > cap:
                findings.append(
                    Finding(
                        "mastodon.media_size",
                        _("%(name)s is %(size)s bytes; Mastodon allows at most %(limit)s bytes here.")
                        % {"name": item.filename, "size": item.size, "limit": cap},
                    )
                )
            if item.data is None:
                findings.append(
                    Finding(
                        "mastodon.media_data",
                        _("%(name)s: Mastodon needs the file itself to upload.") % {"name": item.filename},
                    )
                )
        findings += alt_text_findings(self, payload)
        when = scheduled_at(payload)
        if when is not None and when - datetime.now(UTC) < SCHEDULE_MIN:
            findings.append(
                Finding("mastodon.scheduled_at", _("Mastodon schedules statuses at least 5 minutes ahead."))
            )
        return findings

    def _upload(self, token: str, item: MediaItem) -> str:
        data = {"description": item.alt_text} if item.alt_text else {}
        response = self._send(
            "POST",
            "/api/v2/media",
            operation="upload",
            token=token,
            data=data,
            files={"file": (item.filename, item.data or b"", item.content_type)},
        )
        media = response.json()
        media_id = str(media["id"])
        attempts = 0
        # 202: still processing; a status cannot attach it until GET /api/v1/media/:id answers 200.
        while response.status_code == 202 and attempts < MEDIA_POLL_ATTEMPTS:
            time.sleep(MEDIA_POLL_SECONDS)
            attempts += 1
            response = self._send("GET", f"/api/v1/media/{media_id}", operation="upload", token=token)
        if response.status_code == 206 or response.status_code == 202:
            raise Transient("mastodon: the instance is still processing the media; try again shortly")
        return media_id

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        body: dict = {
            "status": self.status_text(payload),
            "visibility": payload.options.get("visibility", "public"),
        }
        if payload.media:
            body["media_ids"] = [self._upload(token, item) for item in payload.media]
        when = scheduled_at(payload)
        if when is not None:
            body["scheduled_at"] = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
        headers = {"Idempotency-Key": payload.idempotency_key} if payload.idempotency_key else {}
        status = self._send(
            "POST",
            "/api/v1/statuses",
            operation="publish",
            token=token,
            unsafe=True,
            json=body,
            headers=headers,
        ).json()
        if when is not None:
            return PublishResult(
                status="scheduled", external_id=str(status["id"]), raw={"scheduled_status": status}
            )
        status_id = str(status["id"])
        raw: dict = {"id": status_id}
        if payload.first_comment:
            reply_headers = (
                {"Idempotency-Key": f"{payload.idempotency_key}:reply"} if payload.idempotency_key else {}
            )
            try:
                reply = self._send(
                    "POST",
                    "/api/v1/statuses",
                    operation="comment",
                    token=token,
                    unsafe=True,
                    json={
                        "status": payload.first_comment,
                        "in_reply_to_id": status_id,
                        "visibility": "unlisted",
                    },
                    headers=reply_headers,
                ).json()
                raw["first_comment_id"] = str(reply["id"])
            except ConnectorError as exc:
                raw["first_comment_error"] = str(exc)
        return PublishResult(status="published", external_id=status_id, url=status.get("url") or "", raw=raw)

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self._send(
                "DELETE",
                f"/api/v1/statuses/{external_id}",
                operation="delete",
                token=credentials.access_token,
            )
        except Rejected as exc:
            if exc.status_code == 404:
                return
            raise

    def _remote(self, data: dict) -> RemotePost:
        return RemotePost(
            external_id=str(data["id"]),
            text=data.get("text") or _html_to_text(data.get("content", "")),
            url=data.get("url") or "",
            created_at=_parse_time(data.get("created_at")),
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            response = self._send(
                "GET", f"/api/v1/statuses/{external_id}", operation="lookup", token=credentials.access_token
            )
        except Rejected as exc:
            if exc.status_code == 404:
                return None
            raise
        return self._remote(response.json())

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        account_id = credentials.extra.get("account_id") or self.fetch_profile(credentials).external_id
        response = self._send(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            operation="list",
            token=credentials.access_token,
            params={"limit": min(limit, 40)},
        )
        return [self._remote(item) for item in response.json()][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """Mastodon keeps no history and no views or reach: the account's followers_count now is all there
        is, stamped with the moment it was read."""
        account_id = str(credentials.extra.get("account_id") or self.fetch_profile(credentials).external_id)
        body = self._send(
            "GET",
            f"/api/v1/accounts/{account_id}",
            operation="metrics_account",
            token=credentials.access_token,
        ).json()
        result = MetricsResult()
        _read_counts(result, body, ACCOUNT_COUNTS, "account", account_id, datetime.now(UTC))
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """A status's counts (replies, boosts, favourites), 20 statuses a call (GET /api/v1/statuses?id[]=,
        Mastodon 4.3+). A status the instance no longer has is recorded, the others still arrive."""
        result = MetricsResult()
        for start in range(0, len(external_ids), STATUSES_PER_CALL):
            chunk = external_ids[start : start + STATUSES_PER_CALL]
            statuses = self._send(
                "GET",
                "/api/v1/statuses",
                operation="metrics_post",
                token=credentials.access_token,
                params=[("id[]", status_id) for status_id in chunk],
            ).json()
            found = set()
            for status in statuses:
                found.add(str(status["id"]))
                _read_counts(result, status, STATUS_COUNTS, "post", str(status["id"]), None)
            for status_id in chunk:
                if status_id not in found:
                    for key in STATUS_COUNTS:
                        result.unavailable.append(
                            MetricUnavailable(key, "post", status_id, "error", "not found")
                        )
        return result


STATUSES_PER_CALL = 20
STATUS_COUNTS = ("replies_count", "reblogs_count", "favourites_count")
ACCOUNT_COUNTS = ("followers_count",)


def _read_counts(
    result: MetricsResult,
    body: dict,
    keys: tuple[str, ...],
    entity: str,
    external_id: str,
    read_at: datetime | None,
) -> None:
    for key in keys:
        if isinstance(body.get(key), int):
            result.values.append(MetricValue(key, body[key], entity, external_id, period_end=read_at))
        else:
            result.unavailable.append(
                MetricUnavailable(key, entity, external_id, "removed", "not in the answer")
            )

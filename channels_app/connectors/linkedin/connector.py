"""LinkedIn: the versioned Posts API (`/rest/posts`) and Images API, for members and organizations.

Every `/rest/` call carries `LinkedIn-Version: YYYYMM` (a setting: versions sunset after about a year)
and `X-Restli-Protocol-Version: 2.0.0`. Connecting is 3-legged OAuth on linkedin.com
(`/oauth/v2/authorization`, `/oauth/v2/accessToken`): access tokens last 60 days; refresh tokens (365
days) exist only for approved partners. The author is `urn:li:person:{sub}` (from `/v2/userinfo`) or
an organization URN stored in `Credentials.extra["author"]`.

Images: `POST /rest/images?action=initializeUpload` -> `uploadUrl` + `urn:li:image:...` -> PUT the
bytes -> reference the URN in the post. The post's id comes back in the `x-restli-id` header.
`commentary` uses LinkedIn's "little text" format, so reserved characters are escaped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, urlencode

import httpx
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
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient, Unknown
from ..http import json_or_empty, need, parse_retry_after
from ..options import link_option
from .inbound import LinkedInInbound

DEFAULT_VERSION = "202610"
TEXT_LIMIT = 3000
SCOPES = "openid profile w_member_social"
DEFAULT_RATE_LIMIT_WAIT = 60.0
_LITTLE_TEXT_RESERVED = set("\\|{}@[]()<>#*_~")


def escape_little_text(text: str) -> str:
    """Escape the characters LinkedIn's little-text format reserves, so the text posts as written."""
    return "".join("\\" + ch if ch in _LITTLE_TEXT_RESERVED else ch for ch in text)


def unescape_little_text(text: str) -> str:
    out = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            out.append(next(chars, ""))
        else:
            out.append(ch)
    return "".join(out)


class LinkedInConnector(LinkedInInbound, Connector):
    platform = "linkedin"
    display_name = "LinkedIn"
    post_options = (link_option(gettext_lazy("Shown as an article card when the post has no media.")),)
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        text_unit="characters",
        media=MediaLimits(
            kinds=frozenset({"image"}),
            max_images=20,  # more than one goes out as a multiImage post
            max_videos=0,
            max_image_bytes=36 * 1024 * 1024,
            mixed=False,
        ),
        first_comment=False,
        native_scheduling=False,
        async_publish=False,
        idempotency_key=False,
        auth="oauth2",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
    )
    default_retry_after = DEFAULT_RATE_LIMIT_WAIT

    @property
    def version(self) -> str:
        return self.app.get("api_version") or DEFAULT_VERSION

    def _send(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        token: str = "",
        rest: bool = True,
        unsafe: bool = False,
        **kwargs,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if rest:
            headers["LinkedIn-Version"] = self.version
            headers["X-Restli-Protocol-Version"] = "2.0.0"
        return self.request(method, url, operation=operation, unsafe=unsafe, headers=headers, **kwargs)

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        status = response.status_code
        if status < 400:
            return None
        body = json_or_empty(response)
        code = body.get("code") or body.get("serviceErrorCode") or body.get("error")
        message = str(body.get("message") or body.get("error_description") or response.reason_phrase)[:500]
        kwargs = {"platform_code": code, "platform_message": message, "status_code": status}
        where = f"linkedin {operation}: HTTP {status}: {code or ''} {message}"[:500]
        if status == 429:
            wait = parse_retry_after(response.headers, DEFAULT_RATE_LIMIT_WAIT)
            return RateLimited(where, retry_after=wait, **kwargs)
        if status == 401 or code in ("invalid_grant", "EXPIRED_ACCESS_TOKEN", "REVOKED_ACCESS_TOKEN"):
            revoked = code in ("REVOKED_ACCESS_TOKEN", "invalid_grant")
            return AuthExpired(where, revoked=revoked, **kwargs)
        if status >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.app.get("client_id", ""),
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": self.app.get("scopes") or SCOPES,
            }
        )
        return f"{auth_base}/oauth/v2/authorization?{query}"

    def _token(self, data: dict[str, str]) -> TokenSet:
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        body = self._send(
            "POST",
            f"{auth_base}/oauth/v2/accessToken",
            operation="refresh" if data.get("grant_type") == "refresh_token" else "token",
            rest=False,
            data={
                **data,
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
            },
        ).json()
        now = datetime.now(UTC)
        expires_in = body.get("expires_in")
        refresh_in = body.get("refresh_token_expires_in")
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
            refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
            extra={"scope": body.get("scope", "")},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired(
                "linkedin: this app has no refresh tokens; the member must reconnect every 60 days"
            )
        return self._token({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self._send(
            "GET", "/v2/userinfo", operation="profile", token=credentials.access_token, rest=False
        ).json()
        return AccountProfile(
            external_id=str(body["sub"]),
            handle=self._vanity_name(credentials) or body.get("name", ""),
            display_name=body.get("name", ""),
            avatar_url=body.get("picture", ""),
        )

    def _vanity_name(self, credentials: Credentials) -> str:
        """The public profile slug (linkedin.com/in/<vanityName>) needs r_basicprofile, which only
        approved apps get; without it LinkedIn answers 403 and the display name stands in."""
        try:
            body = self._send(
                "GET",
                "/v2/me",
                operation="profile",
                token=credentials.access_token,
                rest=False,
                params={"projection": "(id,vanityName)"},
            ).json()
        except Rejected:
            return ""
        return str(body.get("vanityName") or "")

    def _author(self, credentials: Credentials) -> str:
        author = credentials.extra.get("author")
        if author:
            return str(author)
        return f"urn:li:person:{self.fetch_profile(credentials).external_id}"

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        if len(payload.text) > TEXT_LIMIT:
            findings.append(
                Finding(
                    "linkedin.text_length",
                    _("LinkedIn allows %(limit)s characters; this text has %(used)s.")
                    % {"limit": TEXT_LIMIT, "used": len(payload.text)},
                )
            )
        if not payload.text.strip() and not payload.media:
            findings.append(Finding("linkedin.empty", _("A LinkedIn post needs text or images.")))
        limits = self.capabilities.media
        if any(m.kind != "image" for m in payload.media):
            findings.append(Finding("linkedin.media_kind", _("LinkedIn posts here take images only.")))
        if len(payload.media) > limits.max_images:
            findings.append(
                Finding(
                    "linkedin.media_count",
                    _("LinkedIn allows at most %(limit)s images per post; this post has %(count)s.")
                    % {"limit": limits.max_images, "count": len(payload.media)},
                )
            )
        for item in payload.media:
            if item.data is None:
                findings.append(
                    Finding(
                        "linkedin.media_data",
                        _("%(name)s: LinkedIn needs the file itself to upload.") % {"name": item.filename},
                    )
                )
            if item.size > limits.max_image_bytes:
                findings.append(
                    Finding(
                        "linkedin.media_size",
                        _("%(name)s is %(size)s bytes; LinkedIn images may be at most %(limit)s bytes.")
                        % {"name": item.filename, "size": item.size, "limit": limits.max_image_bytes},
                    )
                )
        return findings

    def _upload(self, token: str, author: str, item: MediaItem) -> str:
        body = self._send(
            "POST",
            "/rest/images",
            operation="upload",
            token=token,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": author}},
        ).json()
        value = body["value"]
        self._send(
            "PUT",
            value["uploadUrl"],
            operation="upload",
            token=token,
            rest=False,
            content=item.data or b"",
            headers={"Content-Type": item.content_type or "application/octet-stream"},
        )
        return value["image"]

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        author = self._author(credentials)
        body: dict = {
            "author": author,
            "commentary": escape_little_text(payload.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        images = [(self._upload(token, author, item), item.alt_text) for item in payload.media]
        if len(images) == 1:
            urn, alt = images[0]
            body["content"] = {"media": {"id": urn, **({"altText": alt} if alt else {})}}
        elif images:
            body["content"] = {
                "multiImage": {
                    "images": [{"id": urn, **({"altText": alt} if alt else {})} for urn, alt in images]
                }
            }
        elif payload.link:
            body["content"] = {"article": {"source": payload.link, "title": payload.title or payload.link}}
        response = self._send("POST", "/rest/posts", operation="publish", token=token, unsafe=True, json=body)
        urn = response.headers.get("x-restli-id") or (response.json() if response.content else {}).get(
            "id", ""
        )
        if not urn:
            raise Unknown("linkedin: the post was accepted but no id came back; read the account to settle")
        return PublishResult(
            status="published",
            external_id=urn,
            url=f"https://www.linkedin.com/feed/update/{urn}/",
            raw={"id": urn},
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self._send(
                "DELETE",
                f"/rest/posts/{quote(external_id, safe='')}",
                operation="delete",
                token=credentials.access_token,
            )
        except Rejected as exc:
            if exc.status_code in (404, 410):
                return
            raise

    def _remote(self, data: dict) -> RemotePost:
        created = data.get("createdAt") or data.get("publishedAt")
        return RemotePost(
            external_id=data["id"],
            text=unescape_little_text(data.get("commentary", "")),
            url=f"https://www.linkedin.com/feed/update/{data['id']}/",
            created_at=datetime.fromtimestamp(created / 1000, tz=UTC) if created else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            response = self._send(
                "GET",
                f"/rest/posts/{quote(external_id, safe='')}",
                operation="lookup",
                token=credentials.access_token,
            )
        except Rejected as exc:
            if exc.status_code in (404, 410):
                return None
            raise
        return self._remote(response.json())

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        response = self._send(
            "GET",
            "/rest/posts",
            operation="list",
            token=credentials.access_token,
            params={"author": self._author(credentials), "q": "author", "count": min(limit, 100)},
        )
        return [self._remote(item) for item in need(response.json(), "elements")][:limit]

    # --- metrics (organisation pages: Community Management API, organic, last 12 months) ---
    def _organization(self, credentials: Credentials) -> str:
        return str(credentials.extra.get("author") or "")

    def _statistics(self, credentials: Credentials, path: str, query: str, *, operation: str) -> dict:
        # Rest.li 2.0 query syntax: URNs percent-encoded, the List(...)/(...) structure literal
        return self._send(
            "GET", f"{path}?{query}", operation=operation, token=credentials.access_token
        ).json()

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """Followers now (networkSizes), then daily follower gains and daily share statistics, each one
        call. LinkedIn keeps 12 months: days before that are recorded too_old and not asked."""
        org = self._organization(credentials)
        result = MetricsResult()
        if not org.startswith("urn:li:organization:"):
            for key in (FOLLOWER_SIZE, *FOLLOWER_GAINS, *DAILY_SHARE_STATISTICS):
                result.unavailable.append(MetricUnavailable(key, "account", org, "not_offered", "not a Page"))
            return result
        now = datetime.now(UTC)
        size = self._send(
            "GET",
            f"/rest/networkSizes/{quote(org, safe='')}",
            operation="metrics_account",
            token=credentials.access_token,
            params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
        ).json()
        _read(result, size, (FOLLOWER_SIZE,), "account", org, now)
        window_start = now.date() - timedelta(days=STATISTICS_WINDOW_DAYS - 1)
        if since < window_start:
            for key in (*FOLLOWER_GAINS, *DAILY_SHARE_STATISTICS):
                result.unavailable.append(
                    MetricUnavailable(
                        key, "account", org, "too_old", f"{since}..{window_start - timedelta(days=1)}"
                    )
                )
            since = window_start
        if since > until:
            return result
        start = int(datetime.combine(since, time.min, UTC).timestamp() * 1000)
        end = int(datetime.combine(until + timedelta(days=1), time.min, UTC).timestamp() * 1000)
        query = (
            f"q=organizationalEntity&organizationalEntity={quote(org, safe='')}"
            f"&timeIntervals=(timeRange:(start:{start},end:{end}),timeGranularityType:DAY)"
        )
        for path, field_name, keys in (
            ("/rest/organizationalEntityFollowerStatistics", "followerGains", FOLLOWER_GAINS),
            ("/rest/organizationalEntityShareStatistics", "totalShareStatistics", DAILY_SHARE_STATISTICS),
        ):
            body = self._statistics(credentials, path, query, operation="metrics_account")
            seen = set()
            for element in body.get("elements") or []:
                ends = (element.get("timeRange") or {}).get("end")
                period_end = datetime.fromtimestamp(ends / 1000, UTC) if ends else None
                if period_end is not None:
                    seen.add(period_end.date() - timedelta(days=1))
                late = period_end is not None and period_end > now - STATISTICS_DELAY
                _read(result, element.get(field_name) or {}, keys, "account", org, period_end, late=late)
            day = since
            while day <= min(until, now.date()):
                if day not in seen:
                    day_end = datetime.combine(day + timedelta(days=1), time.min, UTC)
                    reason = "late" if day_end > now - STATISTICS_DELAY else "not_offered"
                    for key in keys:
                        result.unavailable.append(
                            MetricUnavailable(key, "account", org, reason, f"no figure for {day}")
                        )
                day += timedelta(days=1)
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """Lifetime share statistics of the organisation's posts, 20 a call (shares and ugcPosts apart)."""
        org = self._organization(credentials)
        result = MetricsResult()
        if not org.startswith("urn:li:organization:"):
            for urn in external_ids:
                for key in POST_SHARE_STATISTICS:
                    result.unavailable.append(
                        MetricUnavailable(key, "post", urn, "not_offered", "not a Page post")
                    )
            return result
        for kind, prefix in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
            urns = [u for u in external_ids if u.startswith(prefix)]
            for start in range(0, len(urns), POSTS_PER_CALL):
                chunk = urns[start : start + POSTS_PER_CALL]
                listed = ",".join(quote(u, safe="") for u in chunk)
                query = (
                    f"q=organizationalEntity&organizationalEntity={quote(org, safe='')}&{kind}=List({listed})"
                )
                body = self._statistics(
                    credentials, "/rest/organizationalEntityShareStatistics", query, operation="metrics_post"
                )
                found = set()
                for element in body.get("elements") or []:
                    urn = str(element.get("share") or element.get("ugcPost") or "")
                    found.add(urn)
                    _read(
                        result,
                        element.get("totalShareStatistics") or {},
                        POST_SHARE_STATISTICS,
                        "post",
                        urn,
                        None,
                    )
                for urn in chunk:
                    if urn not in found:
                        for key in POST_SHARE_STATISTICS:
                            result.unavailable.append(
                                MetricUnavailable(key, "post", urn, "error", "not returned")
                            )
        return result


STATISTICS_WINDOW_DAYS = 365  # "the past 12 months" (rolling)
STATISTICS_DELAY = timedelta(hours=48)  # a recent day's statistics can still change
POSTS_PER_CALL = 20
FOLLOWER_SIZE = "firstDegreeSize"
FOLLOWER_GAINS = ("organicFollowerGain", "paidFollowerGain")
DAILY_SHARE_STATISTICS = (
    "impressionCount",
    "uniqueImpressionsCount",
    "clickCount",
    "likeCount",
    "commentCount",
    "shareCount",
)
POST_SHARE_STATISTICS = (*DAILY_SHARE_STATISTICS, "engagement")


def _read(
    result: MetricsResult,
    body: dict,
    keys: tuple[str, ...],
    entity: str,
    external_id: str,
    at: datetime | None,
    *,
    late: bool = False,
) -> None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result.values.append(MetricValue(key, value, entity, external_id, period_end=at, late=late))
        else:
            missing = MetricUnavailable(key, entity, external_id, "removed", "not in the answer")
            result.unavailable.append(missing)

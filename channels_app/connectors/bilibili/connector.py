"""Bilibili open platform: OAuth2, video submissions and 专栏 (column) articles.

- A post with a video becomes a video submission: archive/video/init -> chunked upload to the upload
  host -> archive/video/complete -> archive/cover/upload (first image, optional) -> archive/add-by-utoken.
  Its external id is the BV id.
- A post without video becomes an article: images go through article/upload/image and into the HTML
  content; article/add. Its external id is "cv<id>" (as in bilibili.com/read/cv<id>).
Every /arcopen call is signed: x-bili-* headers, MD5 of the body, and an HMAC-SHA256 Authorization over
the sorted x-bili-* headers with the app secret.

Settings keys beyond the usual four: "token_url" (api.bilibili.com; default auth_url) and "upload_url"
(openupos.bilivideo.com; default base_url).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import cn_metrics as cn
from ..base import (
    AccountProfile,
    Capabilities,
    Connector,
    Credentials,
    Finding,
    MediaLimits,
    MetricsResult,
    MetricUnavailable,
    MetricValue,
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
    standard_findings,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import json_or_empty, need, parse_retry_after
from ..options import INT, OptionSpec, tags_option

CHUNK_BYTES = 8 * 1024 * 1024
VIDEO_TITLE_LIMIT = 80
ARTICLE_TITLE_LIMIT = 40
DESC_LIMIT = 2000
DEFAULT_TID = 21  # 日常 (daily life); options["tid"] chooses another category
TAG_RE = re.compile(r"<[^>]+>")


def _expiry(value) -> datetime | None:
    """Bilibili's expires_in is a Unix timestamp; accept a duration too."""
    value = int(value or 0)
    if not value:
        return None
    if value > 1_000_000_000:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC) + timedelta(seconds=value)


# 数据开放服务: user/stat (account) and arc/stat (one video); 专栏 articles ("cv…") are not read here
USER_STAT_KEYS = ("follower", "following", "arc_passed_total")
ARC_STAT_KEYS = ("view", "danmaku", "reply", "favorite", "coin", "share", "like")


class BilibiliConnector(Connector):
    platform = "bilibili"
    display_name = "Bilibili"
    post_options = (
        OptionSpec(
            "tid",
            INT,
            gettext_lazy("Category (分区 id)"),
            help=gettext_lazy("Bilibili's category number for a video; empty: 21 (daily life)."),
            min_value=1,
            max_value=100000,
        ),
        tags_option("tags", gettext_lazy("Tags"), max_items=12, max_length=20),
        OptionSpec(
            "category",
            INT,
            gettext_lazy("Article category (专栏 id)"),
            help=gettext_lazy("For a post without video (an article); empty: 15."),
            min_value=1,
            max_value=100000,
        ),
    )
    capabilities = Capabilities(
        text_limit=None,  # depends on the kind: a video's description (2000) or an article body; see validate
        media=MediaLimits(
            kinds=frozenset({"video", "image"}),
            max_images=20,
            max_videos=1,
            max_image_bytes=5 * 1024 * 1024,
            max_video_bytes=4 * 1024 * 1024 * 1024,
            mixed=True,  # an image next to a video is its cover
        ),
        auth="oauth2",
        metrics=True,
    )

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response)
        code = body.get("code")
        if code in (None, 0):
            return None
        message = str(body.get("message", ""))
        where = f"bilibili {operation}: {code} {message}"
        kwargs = {"platform_code": code, "platform_message": message, "status_code": response.status_code}
        if code in (-101, -2) or response.status_code == 401:
            return AuthExpired(where, **kwargs)
        if code == -509 or response.status_code == 429:
            return RateLimited(
                where, retry_after=parse_retry_after(response.headers, self.default_retry_after), **kwargs
            )
        if code in (-500, -503, -504) or response.status_code >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    @property
    def _token_url(self) -> str:
        return (self.app.get("token_url") or self.auth_base).rstrip("/")

    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        query = {
            "client_id": self.app.get("client_id", ""),
            "gourl": redirect_uri,
            "state": state,
            "response_type": "code",
        }
        return f"{self.auth_base}/pc/account-pc/auth/oauth?{urlencode(query)}"

    def _token_set(self, data: dict) -> TokenSet:
        return TokenSet(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token", ""),
            expires_at=_expiry(data.get("expires_in")),
            extra={"openid": data["openid"]} if data.get("openid") else {},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        body = self.request(
            "POST",
            f"{self._token_url}/x/account-oauth2/v1/token",
            operation="token",
            data={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "grant_type": "authorization_code",
                "code": code,
            },
        ).json()
        return self._token_set(body["data"])

    def refresh(self, credentials: Credentials) -> TokenSet:
        body = self.request(
            "POST",
            f"{self._token_url}/x/account-oauth2/v1/refresh_token",
            operation="refresh",
            data={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "grant_type": "refresh_token",
                "refresh_token": credentials.refresh_token,
            },
        ).json()
        return self._token_set(body["data"])

    # --- signed calls ---
    def _sign(self, body: bytes, access_token: str) -> dict[str, str]:
        headers = {
            "x-bili-accesskeyid": self.app.get("client_id", ""),
            "x-bili-content-md5": hashlib.md5(body).hexdigest(),  # noqa: S324 - required by Bilibili's scheme
            "x-bili-signature-method": "HMAC-SHA256",
            "x-bili-signature-nonce": secrets.token_hex(8),
            "x-bili-signature-version": "2.0",
            "x-bili-timestamp": str(int(time.time())),
        }
        to_sign = "\n".join(f"{k}:{headers[k]}" for k in sorted(headers))
        secret = self.app.get("client_secret", "").encode()
        headers["Authorization"] = hmac.new(secret, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["access-token"] = access_token
        return headers

    def _api(
        self,
        credentials: Credentials,
        method: str,
        path: str,
        operation: str,
        *,
        unsafe: bool = False,
        params: dict | None = None,
        json: dict | None = None,
        files: dict | None = None,
    ) -> dict:
        url = f"{self.base_url}/{path}"
        built = httpx.Request(method, url, params=params, json=json, files=files)
        body = built.read()
        headers = self._sign(body, credentials.access_token)
        if "content-type" in built.headers:
            headers["Content-Type"] = built.headers["content-type"]
        response = self.request(
            method, url, operation=operation, unsafe=unsafe, params=params, content=body, headers=headers
        )
        data = response.json().get("data")
        return data if data is not None else {}

    def categories(self, credentials: Credentials) -> list[dict]:
        """Submission categories (分区): [{"id", "name", "children": [...]}]; a video needs a child id."""
        data = self._api(credentials, "GET", "arcopen/fn/archive/type/list", "categories")
        return data if isinstance(data, list) else []

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        data = self._api(credentials, "GET", "arcopen/fn/user/account/info", "profile")
        return AccountProfile(
            external_id=data.get("openid", ""),
            handle=data.get("name", ""),
            display_name=data.get("name", ""),
            avatar_url=data.get("face", ""),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        is_video = any(m.kind == "video" for m in payload.media)
        title_limit = VIDEO_TITLE_LIMIT if is_video else ARTICLE_TITLE_LIMIT
        if not payload.title.strip():
            findings.append(
                Finding("bilibili.title_required", _("Bilibili videos and articles need a title."))
            )
        elif len(payload.title) > title_limit:
            findings.append(
                Finding(
                    "bilibili.title_length",
                    _("The title is %(used)s characters; Bilibili allows at most %(limit)s here.")
                    % {"used": len(payload.title), "limit": title_limit},
                )
            )
        if is_video and len(payload.text) > DESC_LIMIT:
            findings.append(
                Finding(
                    "bilibili.text_length",
                    _("The description is %(used)s characters; Bilibili allows at most %(limit)s.")
                    % {"used": len(payload.text), "limit": DESC_LIMIT},
                )
            )
        if not is_video and not payload.text.strip():
            findings.append(Finding("bilibili.text_required", _("A Bilibili article needs body text.")))
        if is_video and sum(1 for m in payload.media if m.kind == "image") > 1:
            findings.append(
                Finding("bilibili.image_count", _("A Bilibili video takes at most 1 image (its cover)."))
            )
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        video = next((m for m in payload.media if m.kind == "video"), None)
        if video is not None:
            return self._publish_video(credentials, payload, video)
        return self._publish_article(credentials, payload)

    def _upload_image(self, credentials: Credentials, path: str, image) -> str:
        files = {
            "file": (image.filename or "image.jpg", image.data or b"", image.content_type or "image/jpeg")
        }
        return self._api(credentials, "POST", path, "upload", files=files)["url"]

    def _publish_video(self, credentials: Credentials, payload: PostPayload, video) -> PublishResult:
        init = self._api(
            credentials,
            "POST",
            "arcopen/fn/archive/video/init",
            "upload",
            json={"name": video.filename or "video.mp4", "utype": 0},
        )
        upload_token = init["upload_token"]
        upload_base = (self.app.get("upload_url") or self.base_url).rstrip("/")
        data = video.data or b""
        for number, start in enumerate(range(0, max(len(data), 1), CHUNK_BYTES), start=1):
            self.request(
                "POST",
                f"{upload_base}/video/v2/part/upload",
                operation="upload",
                params={"upload_token": upload_token, "part_number": number},
                content=data[start : start + CHUNK_BYTES],
            )
        self._api(
            credentials,
            "POST",
            "arcopen/fn/archive/video/complete",
            "merge",
            params={"upload_token": upload_token},
        )
        cover = next((m for m in payload.media if m.kind == "image"), None)
        cover_url = self._upload_image(credentials, "arcopen/fn/archive/cover/upload", cover) if cover else ""
        body = {
            "title": payload.title,
            "cover": cover_url,
            "tid": int(payload.options.get("tid", DEFAULT_TID)),
            "no_reprint": 1,
            "desc": payload.text,
            "tag": ",".join(payload.options.get("tags", [])) or "日常",
            "copyright": 1,
        }
        data = self._api(
            credentials,
            "POST",
            "arcopen/fn/archive/add-by-utoken",
            "publish",
            unsafe=True,
            params={"upload_token": upload_token},
            json=body,
        )
        bvid = data["resource_id"]
        return PublishResult(
            status="published",
            external_id=bvid,
            url=f"https://www.bilibili.com/video/{bvid}",
            raw={"resource_id": bvid},
        )

    def _article_body(self, credentials: Credentials, payload: PostPayload) -> dict:
        urls = [
            self._upload_image(credentials, "arcopen/fn/article/upload/image", m)
            for m in payload.media
            if m.kind == "image"
        ]
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in payload.text.split("\n") if p.strip())
        images = "".join(f'<figure><img src="{html.escape(u)}"></figure>' for u in urls)
        return {
            "title": payload.title,
            "category": int(payload.options.get("category", 15)),
            "template_id": 4,
            "summary": payload.text[:100],
            "content": paragraphs + images,
            "image_urls": ",".join(urls),
        }

    def _publish_article(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        body = self._article_body(credentials, payload)
        data = self._api(credentials, "POST", "arcopen/fn/article/add", "publish", unsafe=True, json=body)
        external_id = f"cv{data['id']}"
        return PublishResult(
            status="published",
            external_id=external_id,
            url=f"https://www.bilibili.com/read/{external_id}",
            raw={"id": data["id"]},
        )

    def edit_article(self, credentials: Credentials, external_id: str, payload: PostPayload) -> None:
        body = {"id": int(external_id.removeprefix("cv")), **self._article_body(credentials, payload)}
        self._api(credentials, "POST", "arcopen/fn/article/edit", "edit", json=body)

    def delete(self, credentials: Credentials, external_id: str) -> None:
        if external_id.startswith("cv"):
            self._api(
                credentials,
                "POST",
                "arcopen/fn/article/delete",
                "delete",
                json={"id": int(external_id.removeprefix("cv"))},
            )
        else:
            self._api(
                credentials, "POST", "arcopen/fn/archive/delete", "delete", json={"resource_id": external_id}
            )

    @staticmethod
    def _video(item: dict) -> RemotePost:
        return RemotePost(
            external_id=item["resource_id"],
            text=f"{item.get('title', '')}\n{item.get('desc', '')}",
            url=(item.get("video_info") or {}).get("share_url", ""),
            created_at=datetime.fromtimestamp(item["ctime"], UTC) if item.get("ctime") else None,
        )

    @staticmethod
    def _article(item: dict) -> RemotePost:
        text = html.unescape(TAG_RE.sub("\n", item.get("content", ""))).strip()
        return RemotePost(
            external_id=f"cv{item['id']}",
            text=f"{item.get('title', '')}\n{text}",
            url=item.get("url", ""),
            created_at=datetime.fromtimestamp(item["ctime"], UTC) if item.get("ctime") else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            if external_id.startswith("cv"):
                data = self._api(
                    credentials,
                    "GET",
                    "arcopen/fn/article/detail",
                    "lookup",
                    params={"id": external_id.removeprefix("cv")},
                )
                return self._article(data)
            data = self._api(
                credentials, "GET", "arcopen/fn/archive/view", "lookup", params={"resource_id": external_id}
            )
            return self._video(data)
        except Rejected as exc:
            if exc.platform_code == -404:
                return None
            raise

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        params = {"pn": 1, "ps": min(limit, 50)}
        videos = self._api(
            credentials, "GET", "arcopen/fn/archive/viewlist", "list", params={**params, "status": "all"}
        )
        articles = self._api(credentials, "GET", "arcopen/fn/article/list", "list", params=params)
        posts = [self._video(i) for i in need(videos, "list")] + [
            self._article(i) for i in need(articles, "list")
        ]
        posts.sort(key=lambda p: p.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return posts[:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since, until) -> MetricsResult:
        """arcopen/fn/data/user/stat: followers, followings and passed videos now (no daily history in the
        open platform's answer, so period_end is None; analytics keeps the history)."""
        openid = str(credentials.extra.get("openid", "")) or self.fetch_profile(credentials).external_id
        data = self._api(credentials, "GET", "arcopen/fn/data/user/stat", "metrics_account")
        return self._figures(data, USER_STAT_KEYS, "account", openid, "data/user/stat")

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """arcopen/fn/data/arc/stat per video: view, danmaku, reply, favorite, coin, share, like."""
        result = MetricsResult()
        for resource_id in external_ids:
            if resource_id.startswith("cv"):
                result.unavailable.extend(
                    cn.unavailable(
                        ARC_STAT_KEYS,
                        "post",
                        resource_id,
                        "not_offered",
                        "专栏 article figures are not read here",
                    )
                )
                continue
            try:
                data = self._api(
                    credentials,
                    "GET",
                    "arcopen/fn/data/arc/stat",
                    "metrics_post",
                    params={"resource_id": resource_id},
                )
            except Rejected as exc:
                result.unavailable.extend(
                    cn.unavailable(
                        ARC_STAT_KEYS, "post", resource_id, "error", f"data/arc/stat: {exc.platform_code}"
                    )
                )
                continue
            found = self._figures(data, ARC_STAT_KEYS, "post", resource_id, "data/arc/stat")
            result.values.extend(found.values)
            result.unavailable.extend(found.unavailable)
        return result

    @staticmethod
    def _figures(data: dict, keys, entity: str, external_id: str, api: str) -> MetricsResult:
        result = MetricsResult()
        for key in keys:
            if key in data:
                result.values.append(
                    MetricValue(key=key, value=data[key], entity=entity, external_id=external_id)
                )
            else:
                result.unavailable.append(
                    MetricUnavailable(key, entity, external_id, "removed", f"{api} no longer sends {key}")
                )
        return result

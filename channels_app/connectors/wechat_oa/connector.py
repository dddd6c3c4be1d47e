"""WeChat Official Account: app credentials (appid + secret -> cgi-bin/token, 7200 s), and articles
published with the free-publish flow: cover -> material/add_material (thumb_media_id) -> draft/add ->
freepublish/submit (asynchronous: publish_id) -> freepublish/get until published or failed.

WeChat reports errors as {"errcode", "errmsg"} with HTTP 200. A "refresh" is a new cgi-bin/token call
with the stored app credentials (there is no refresh token).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import httpx
from django.utils.translation import gettext as _

from ..base import (
    AccountProfile,
    Capabilities,
    Connector,
    Credentials,
    Finding,
    MediaLimits,
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
    standard_findings,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import json_or_empty, parse_retry_after

AUTH_CODES = {40001, 40014, 42001, 41001}
RATE_CODES = {45009, 45011, 45047}
TRANSIENT_CODES = {-1}
TAG_RE = re.compile(r"<[^>]+>")
TITLE_LIMIT = 64
DIGEST_LIMIT = 120
# freepublish/get publish_status values
PUBLISH_FAILURES = {
    2: "original-content check failed",
    3: "publish failed",
    4: "rejected by platform review",
    5: "deleted after publishing",
    6: "banned after publishing",
}


def html_body(text: str) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def plain_text(content: str) -> str:
    return html.unescape(TAG_RE.sub("\n", content)).strip().replace("\n\n", "\n")


class WeChatOAConnector(Connector):
    platform = "wechat_oa"
    display_name = "WeChat Official Account"
    capabilities = Capabilities(
        text_limit=20000,
        requires_media=True,  # an article needs a cover image (thumb_media_id)
        media=MediaLimits(
            kinds=frozenset({"image"}), max_images=1, max_videos=0, max_image_bytes=10 * 1024 * 1024
        ),
        async_publish=True,
        auth="app_credentials",
    )
    default_retry_after = 3600.0  # 45009 is a daily quota; WeChat names no time

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response)
        code = body.get("errcode")
        if code in (None, 0):
            return None
        message = str(body.get("errmsg", ""))
        where = f"wechat_oa {operation}: {code} {message}"
        kwargs = {"platform_code": code, "platform_message": message, "status_code": response.status_code}
        if code in AUTH_CODES:
            return AuthExpired(where, **kwargs)
        if code in RATE_CODES:
            return RateLimited(
                where, retry_after=parse_retry_after(response.headers, self.default_retry_after), **kwargs
            )
        if code in TRANSIENT_CODES or response.status_code >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    def _fetch_token(self, appid: str, secret: str, operation: str) -> TokenSet:
        body = self.request(
            "GET",
            "cgi-bin/token",
            operation=operation,
            params={"grant_type": "client_credential", "appid": appid, "secret": secret},
        ).json()
        return TokenSet(
            access_token=body["access_token"],
            refresh_token="",
            expires_at=datetime.now(UTC) + timedelta(seconds=int(body.get("expires_in", 7200))),
            extra={"appid": appid, "secret": secret},
        )

    def connect_with_credentials(self, **fields: str) -> TokenSet:
        return self._fetch_token(fields["appid"], fields["secret"], "token")

    def refresh(self, credentials: Credentials) -> TokenSet:
        appid, secret = credentials.extra.get("appid", ""), credentials.extra.get("secret", "")
        if not appid or not secret:
            raise AuthExpired("wechat_oa refresh: no app credentials stored; reconnect the account")
        return self._fetch_token(appid, secret, "refresh")

    def _call(self, credentials: Credentials, path: str, operation: str, *, unsafe: bool = False, **kwargs):
        params = {**kwargs.pop("params", {}), "access_token": credentials.access_token}
        return self.request("POST", path, operation=operation, unsafe=unsafe, params=params, **kwargs).json()

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self._call(credentials, "cgi-bin/account/getaccountbasicinfo", "profile")
        return AccountProfile(
            external_id=body.get("username") or body.get("appid", ""),
            handle=body.get("nickname", ""),
            display_name=body.get("nickname", ""),
            avatar_url=(body.get("head_image_info") or {}).get("head_image_url", ""),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        if not payload.title.strip():
            findings.append(Finding("wechat_oa.title_required", _("WeChat articles need a title.")))
        elif len(payload.title) > TITLE_LIMIT:
            findings.append(
                Finding(
                    "wechat_oa.title_length",
                    _("The title is %(used)s characters; WeChat allows at most %(limit)s.")
                    % {"used": len(payload.title), "limit": TITLE_LIMIT},
                )
            )
        if not payload.text.strip():
            findings.append(Finding("wechat_oa.text_required", _("WeChat articles need body text.")))
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        cover = next((m for m in payload.media if m.kind == "image"), None)
        if cover is None:
            raise Rejected("wechat_oa publish: an article needs a cover image")
        thumb = self._call(
            credentials,
            "cgi-bin/material/add_material",
            "upload",
            params={"type": "image"},
            files={
                "media": (
                    cover.filename or "cover.jpg",
                    cover.data or b"",
                    cover.content_type or "image/jpeg",
                )
            },
        )
        article = {
            "title": payload.title,
            "author": payload.options.get("author", ""),
            "digest": payload.options.get("digest", payload.text[:DIGEST_LIMIT]),
            "content": html_body(payload.text),
            "content_source_url": payload.link,
            "thumb_media_id": thumb["media_id"],
            "need_open_comment": int(bool(payload.options.get("open_comment", False))),
            "only_fans_can_comment": 0,
        }
        draft = self._call(credentials, "cgi-bin/draft/add", "draft", json={"articles": [article]})
        submitted = self._call(
            credentials,
            "cgi-bin/freepublish/submit",
            "publish",
            unsafe=True,
            json={"media_id": draft["media_id"]},
        )
        return PublishResult(
            status="pending",
            raw={"publish_id": str(submitted["publish_id"]), "draft_media_id": draft["media_id"]},
        )

    def publish_status(self, credentials: Credentials, pending: PublishResult) -> PublishResult:
        publish_id = pending.raw["publish_id"]
        body = self._call(
            credentials, "cgi-bin/freepublish/get", "publish_status", json={"publish_id": publish_id}
        )
        status = int(body.get("publish_status", 1))
        if status == 1:
            return pending
        if status != 0:
            raise Rejected(
                f"wechat_oa publish: {PUBLISH_FAILURES.get(status, 'failed')} (status {status})",
                platform_code=status,
            )
        items = (body.get("article_detail") or {}).get("item") or [{}]
        return PublishResult(
            status="published",
            external_id=str(body["article_id"]),
            url=items[0].get("article_url", ""),
            raw={"publish_id": publish_id},
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        self._call(
            credentials, "cgi-bin/freepublish/delete", "delete", json={"article_id": external_id, "index": 0}
        )

    def _remote(self, article_id: str, item: dict, update_time: int | None = None) -> RemotePost:
        title = item.get("title", "")
        text = plain_text(item.get("content", ""))
        return RemotePost(
            external_id=article_id,
            text=f"{title}\n{text}".strip(),
            url=item.get("url", ""),
            created_at=datetime.fromtimestamp(update_time, UTC) if update_time else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            body = self._call(
                credentials, "cgi-bin/freepublish/getarticle", "lookup", json={"article_id": external_id}
            )
        except Rejected as exc:
            if exc.platform_code == 53600:
                return None
            raise
        items = [i for i in body.get("news_item", []) if not i.get("is_deleted")]
        return self._remote(external_id, items[0]) if items else None

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self._call(
            credentials,
            "cgi-bin/freepublish/batchget",
            "list",
            json={"offset": 0, "count": min(limit, 20), "no_content": 0},
        )
        posts = []
        for item in body.get("item", []):
            news = (item.get("content") or {}).get("news_item") or [{}]
            posts.append(self._remote(str(item["article_id"]), news[0], item.get("update_time")))
        return posts[:limit]

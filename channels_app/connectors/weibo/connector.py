"""Weibo (open.weibo.com): OAuth2 and the "share" API, the only publish endpoint open to third parties.

statuses/share.json takes `status` (at most 140 Weibo characters, and it must contain a URL in the app's
safe domain), an optional `pic` (one image under 5 MB) and `rip` (the end user's real IP). Reading uses
the authorised user's own timeline; deleting uses statuses/destroy.json.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlparse

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
from ..options import link_option
from .inbound import WeiboInbound

URL_RE = re.compile(r"https?://[^\s]+")

# Weibo error codes (open.weibo.com/wiki/Error_code)
AUTH_CODES = {21314, 21315, 21316, 21317, 21319, 21327, 21332, 21501, 21301}
REVOKED_CODES = {21316, 21317}
RATE_CODES = {10022, 10023, 10024}
# 10022 "IP requests out of rate limit": every account we serve from our addresses is held off (app
# scope); 10023/10024 are the user's own limits.
APP_RATE_CODES = {10022}
TRANSIENT_CODES = {10001, 10009, 10011}
# statuses/count.json: a status's interaction counts, at most 100 ids a call
COUNT_KEYS = ("reposts", "comments", "attitudes")
COUNT_BATCH = 100
ACCOUNT_KEYS = ("followers_count", "statuses_count")


def weibo_length(text: str) -> int:
    """Weibo's unit: a Chinese (non-ASCII) character counts 1; two ASCII characters count 1, rounded up."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return (len(text) - ascii_chars) + (ascii_chars + 1) // 2


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except (TypeError, ValueError):
        return None


def _weibo_id(body: dict) -> str:
    """The object's id as Weibo gives it (`idstr`, else `id`); "" when the answer has neither (the
    connector base then treats the answer as unreadable, never as an object called "None")."""
    value = body.get("idstr") or body.get("id")
    return str(value) if value not in (None, "") else ""


class WeiboConnector(WeiboInbound, Connector):
    platform = "weibo"
    display_name = "Weibo"
    post_options = (link_option(gettext_lazy("Added to the end of the text if it is not in it.")),)
    capabilities = Capabilities(
        text_limit=140,
        text_unit="Weibo characters (a Chinese character is 1, two ASCII characters are 1)",
        media=MediaLimits(
            kinds=frozenset({"image"}),
            max_images=1,
            max_videos=0,
            max_image_bytes=5 * 1024 * 1024 - 1,  # share.json's `pic`: "less than 5 MB"
        ),
        auth="oauth2",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
        item_actions=frozenset({"delete"}),  # comments/destroy (the inbox offers no hide or like here)
    )
    default_retry_after = 3600.0  # Weibo's limits are hourly and it names no time

    # --- errors ---
    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response)
        code = body.get("error_code")
        if code is None or (response.status_code < 400 and "error" not in body):
            return None
        try:
            code = int(code)
        except (TypeError, ValueError):
            return None
        message = str(body.get("error_description") or body.get("error") or "")
        where = f"weibo {operation}: {code} {message}"
        kwargs = {"platform_code": code, "platform_message": message, "status_code": response.status_code}
        if code in AUTH_CODES:
            return AuthExpired(where, revoked=code in REVOKED_CODES, **kwargs)
        if code in RATE_CODES:
            return RateLimited(
                where,
                retry_after=parse_retry_after(response.headers, self.default_retry_after),
                scope=RateLimited.APP if code in APP_RATE_CODES else RateLimited.ACCOUNT,
                **kwargs,
            )
        if code in TRANSIENT_CODES or response.status_code >= 500:
            return Transient(where, **kwargs)
        if response.status_code == 429:
            return None
        return Rejected(where, **kwargs)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        query = {
            "client_id": self.app.get("client_id", ""),
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
            "scope": "all",
        }
        return f"{self.auth_base}/oauth2/authorize?{urlencode(query)}"

    def _token_set(self, body: dict) -> TokenSet:
        expires_in = int(body.get("expires_in") or 0)
        now = datetime.now(UTC)
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", "") or "",
            expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
            extra={"uid": str(body.get("uid", ""))},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        response = self.request(
            "POST",
            f"{self.auth_base}/oauth2/access_token",
            operation="token",
            data={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
            },
        )
        return self._token_set(response.json())

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired("weibo refresh: no refresh token; the account must be re-authorised")
        response = self.request(
            "POST",
            f"{self.auth_base}/oauth2/access_token",
            operation="refresh",
            data={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "grant_type": "refresh_token",
                "refresh_token": credentials.refresh_token,
            },
        )
        return self._token_set(response.json())

    @staticmethod
    def _auth(credentials: Credentials) -> dict[str, str]:
        return {"Authorization": f"OAuth2 {credentials.access_token}"}

    def _uid(self, credentials: Credentials) -> str:
        uid = str(credentials.extra.get("uid", ""))
        if uid:
            return uid
        response = self.request(
            "POST",
            "oauth2/get_token_info",
            operation="profile",
            data={"access_token": credentials.access_token},
        )
        return str(response.json()["uid"])

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        uid = self._uid(credentials)
        body = self.request(
            "GET",
            "2/users/show.json",
            operation="profile",
            params={"uid": uid},
            headers=self._auth(credentials),
        ).json()
        return AccountProfile(
            external_id=_weibo_id(body),
            handle=body.get("screen_name", ""),
            display_name=body.get("name", "") or body.get("screen_name", ""),
            avatar_url=body.get("profile_image_url", ""),
            followers=body.get("followers_count"),
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return weibo_length(text)

    def _final_text(self, payload: PostPayload) -> str:
        text = payload.text
        if payload.link and payload.link not in text:
            text = f"{text} {payload.link}".strip()
        return text

    def validate(self, payload: PostPayload) -> list[Finding]:
        text = self._final_text(payload)
        findings = standard_findings(self, PostPayload(text=text, media=payload.media))
        if not text.strip():
            findings.append(Finding("weibo.text_required", _("Weibo posts need text.")))
        urls = URL_RE.findall(text)
        safe = self.app.get("safe_domain", "")
        if not urls:
            findings.append(
                Finding(
                    "weibo.safe_domain_url",
                    _("Weibo's share API needs a link in the app's safe domain in the text."),
                )
            )
        elif safe and not any((urlparse(u).hostname or "").endswith(safe) for u in urls):
            findings.append(
                Finding(
                    "weibo.safe_domain_url",
                    _("The text needs a link in the app's safe domain (%(domain)s).") % {"domain": safe},
                )
            )
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        data = {
            "status": self._final_text(payload),
            "rip": payload.options.get("rip") or self.app.get("rip", "127.0.0.1"),
        }
        files = None
        images = [m for m in payload.media if m.kind == "image"]
        if images:
            image = images[0]
            files = {
                "pic": (image.filename or "image", image.data or b"", image.content_type or "image/jpeg")
            }
        response = self.request(
            "POST",
            "2/statuses/share.json",
            operation="publish",
            unsafe=True,
            data=data,
            files=files,
            headers=self._auth(credentials),
        )
        body = response.json()
        post_id = _weibo_id(body)
        uid = str((body.get("user") or {}).get("idstr") or credentials.extra.get("uid", ""))
        return PublishResult(
            status="published",
            external_id=post_id,
            url=f"https://weibo.com/{uid}/{body.get('mid', post_id)}",
            raw={"id": post_id},
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        self.request(
            "POST",
            "2/statuses/destroy.json",
            operation="delete",
            data={"id": external_id},
            headers=self._auth(credentials),
        )

    def _remote(self, body: dict) -> RemotePost:
        post_id = _weibo_id(body)
        uid = str((body.get("user") or {}).get("idstr", ""))
        return RemotePost(
            external_id=post_id,
            text=body.get("text", ""),
            url=f"https://weibo.com/{uid}/{body.get('mid', post_id)}",
            created_at=_parse_time(body.get("created_at", "")),
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            response = self.request(
                "GET",
                "2/statuses/show.json",
                operation="lookup",
                params={"id": external_id},
                headers=self._auth(credentials),
            )
        except Rejected as exc:
            if exc.platform_code == 20101:
                return None
            raise
        return self._remote(response.json())

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        params = {"count": min(limit, 100)}
        uid = credentials.extra.get("uid")
        if uid:
            params["uid"] = uid
        body = self.request(
            "GET",
            "2/statuses/user_timeline.json",
            operation="list",
            params=params,
            headers=self._auth(credentials),
        ).json()
        return [self._remote(s) for s in need(body, "statuses")][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since, until) -> MetricsResult:
        """users/show: followers now. Weibo's open API keeps no daily account history, so the figures are
        as of the call (period_end None) whatever the window; analytics keeps the history."""
        uid = self._uid(credentials)
        body = self.request(
            "GET",
            "2/users/show.json",
            operation="profile",
            params={"uid": uid},
            headers=self._auth(credentials),
        ).json()
        result = MetricsResult()
        for key in ACCOUNT_KEYS:
            if key in body:
                result.values.append(MetricValue(key=key, value=body[key], entity="account", external_id=uid))
            else:
                result.unavailable.append(
                    MetricUnavailable(key, "account", uid, "removed", f"users/show no longer sends {key}")
                )
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """statuses/count.json: reposts, comments and attitudes (likes) of up to 100 statuses a call."""
        result = MetricsResult()
        for start in range(0, len(external_ids), COUNT_BATCH):
            batch = external_ids[start : start + COUNT_BATCH]
            rows = self.request(
                "GET",
                "2/statuses/count.json",
                operation="metrics_post",
                params={"ids": ",".join(batch)},
                headers=self._auth(credentials),
            ).json()
            by_id = {str(row.get("id")): row for row in rows if isinstance(row, dict)}
            for status_id in batch:
                row = by_id.get(str(status_id))
                if row is None:
                    result.unavailable.extend(
                        cn.unavailable(
                            COUNT_KEYS, "post", status_id, "error", "statuses/count: no such status"
                        )
                    )
                    continue
                for key in COUNT_KEYS:
                    if key in row:
                        result.values.append(
                            MetricValue(key=key, value=int(row[key]), entity="post", external_id=status_id)
                        )
                    else:
                        result.unavailable.append(
                            MetricUnavailable(
                                key, "post", status_id, "removed", f"statuses/count lacks {key}"
                            )
                        )
        return result

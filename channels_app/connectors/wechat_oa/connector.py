"""WeChat Official Account: app credentials (appid + secret -> cgi-bin/token, 7200 s), and pushes of up to
8 articles: covers -> material/add_material (thumb_media_id), body images -> media/uploadimg (URLs in
the HTML) -> draft/add -> freepublish/submit (asynchronous: publish_id) -> freepublish/get until
published or failed (one article URL per article); or, where the variant asks for a mass send,
message/mass/sendall -> message/mass/get. Previews go to a reviewer's phone with message/mass/preview.
The platform facts behind this are in push.py's docstring.

WeChat reports errors as {"errcode", "errmsg"} with HTTP 200. A "refresh" is a new cgi-bin/token call
with the stored app credentials (there is no refresh token).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

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
    MediaItem,
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
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient, Unknown
from ..http import json_or_empty, need, parse_retry_after
from ..options import BOOL, TEXT, OptionSpec, link_option
from . import push
from .customer_service import WeChatCustomerService

AUTH_CODES = {40001, 40014, 42001, 41001}
RATE_CODES = {45009, 45011, 45047}
TRANSIENT_CODES = {-1}
TAG_RE = re.compile(r"<[^>]+>")
TITLE_LIMIT = 64
DIGEST_LIMIT = 120
AUTHOR_LIMIT = push.AUTHOR_LIMIT  # the web editor's 8 (push.py says why not the API page's 16)
# freepublish/get publish_status values
PUBLISH_FAILURES = {
    2: "original-content check failed",
    3: "publish failed",
    4: "rejected by platform review",
    5: "deleted after publishing",
    6: "banned after publishing",
}


# Data cube account groups: API, largest window (days), the figures each day's row carries.
USER_SUMMARY = ("getusersummary", 7, ("new_user", "cancel_user"))
USER_CUMULATE = ("getusercumulate", 7, ("cumulate_user",))
USER_READ = (
    "getuserread",
    3,
    (
        "int_page_read_user",
        "int_page_read_count",
        "ori_page_read_user",
        "ori_page_read_count",
        "share_user",
        "share_count",
        "add_to_fav_user",
        "add_to_fav_count",
    ),
)
# WeChat stopped maintaining getuserread/getarticlesummary/getarticletotal and names getbizsummary /
# getarticleread / getarticletotaldetail as their replacements; the new ones flag late data (is_delay).
BIZ_SUMMARY = ("getbizsummary", 7, ("read_user", "share_user", "zaikan_user", "like_user", "comment_count"))
READ_RENAMED = {"int_page_read_user": "read_user"}  # the same figure under its new name
ARTICLE_TOTAL_DETAIL = ("getarticletotaldetail", 7, BIZ_SUMMARY[2])
BATCHGET_PAGES = 10  # freepublish/batchget pages of 20 read to find the articles asked for
DATE_RANGE_ERROR = 61501


html_body = push.html_body


def _file(item: MediaItem, default_name: str) -> tuple:
    return (item.filename or default_name, item.data or b"", item.content_type or "image/jpeg")


def plain_text(content: str) -> str:
    return html.unescape(TAG_RE.sub("\n", content)).strip().replace("\n\n", "\n")


# getaccountbasicinfo's account_type: 1 subscription account (订阅号), 2 service account (服务号).
ACCOUNT_TYPES = {1: "subscription", 2: "service"}


def account_details(body: dict) -> dict:
    """What getaccountbasicinfo says that changes what the account may do: its kind (a subscription
    account mass-sends once a day, a service account 4 times a month) and whether it passed WeChat
    verification (wx_verify_info.qualification_verify; unverified accounts cannot send previews). Only
    what the answer states: a missing field leaves the key out (the push service then assumes the stricter
    quota)."""
    details: dict = {}
    kind = ACCOUNT_TYPES.get(body.get("account_type"))
    if kind:
        details["service_type"] = kind
    verify = body.get("wx_verify_info")
    if isinstance(verify, dict) and isinstance(verify.get("qualification_verify"), bool):
        details["verified"] = verify["qualification_verify"]
    return details


class WeChatOAConnector(WeChatCustomerService, Connector):
    platform = "wechat_oa"
    display_name = "WeChat Official Account"
    # A preview may have reached the reviewer's phone when its answer cannot be read.
    extra_calls = {"send_preview": Unknown}
    post_options = (
        OptionSpec("author", TEXT, gettext_lazy("Author"), max_length=AUTHOR_LIMIT),
        OptionSpec(
            "digest",
            TEXT,
            gettext_lazy("Summary"),
            help=gettext_lazy("Shown in the share card; empty: the start of the text."),
            max_length=DIGEST_LIMIT,
        ),
        OptionSpec("open_comment", BOOL, gettext_lazy("Open comments")),
        link_option(gettext_lazy("The original article's address, behind “Read more”.")),
    )
    capabilities = Capabilities(
        text_limit=push.CONTENT_LIMIT,  # the body as HTML (push.content_length)
        text_unit="characters as HTML",
        requires_media=True,  # an article needs a cover image (thumb_media_id)
        media=MediaLimits(
            # the first image is the cover, the others go in the body (media/uploadimg)
            kinds=frozenset({"image"}),
            max_images=21,
            max_videos=0,
            max_image_bytes=10 * 1024 * 1024,
        ),
        async_publish=True,
        auth="app_credentials",
        metrics=True,
        inbound_reply=True,  # customer-service messages (customer_service.py)
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
            external_id=body.get("username") or need(body, "appid", kind=str),
            handle=body.get("nickname", ""),
            display_name=body.get("nickname", ""),
            avatar_url=(body.get("head_image_info") or {}).get("head_image_url", ""),
            details=account_details(body),
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return push.content_length(text)

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        articles = push.push_articles(payload)
        if len(articles) > push.MAX_ARTICLES:
            findings.append(
                Finding(
                    "wechat_oa.article_count",
                    _("A push has %(used)s articles; WeChat allows at most %(limit)s.")
                    % {"used": len(articles), "limit": push.MAX_ARTICLES},
                )
            )
        for number, article in enumerate(articles, start=1):
            findings += self._article_findings(number, article, single=len(articles) == 1)
        return findings

    def _article_findings(self, number: int, article: push.PushArticle, *, single: bool) -> list[Finding]:
        where = _("Article %(number)s") % {"number": number}
        found = []

        def add(rule: str, message: str):
            found.append(Finding(f"wechat_oa.{rule}", f"{where}: {message}"))

        if not article.title.strip():
            add("title_required", _("WeChat articles need a title."))
        for rule, value, limit, label in (
            ("title_length", article.title, push.TITLE_LIMIT, _("The title")),
            ("author_length", article.author, push.AUTHOR_LIMIT, _("The author")),
            ("digest_length", article.digest, push.DIGEST_LIMIT, _("The digest")),
        ):
            if len(value) > limit:
                add(
                    rule,
                    _("%(what)s is %(used)s characters; WeChat allows at most %(limit)s.")
                    % {"what": label, "used": len(value), "limit": limit},
                )
        if not article.body.strip():
            add("text_required", _("WeChat articles need body text."))
        elif number > 1 and push.body_too_long(article.body):
            # article 1's body is the payload's text: standard_findings counted it (text_length)
            add("text_length", push.body_too_long(article.body))
        if number > 1 and article.cover is None:
            add("cover_required", _("Choose a cover image."))
        if not push.crop_valid(article.crop):
            add("cover_crop", _("The cover's crop is not valid; crop it again."))
        return found

    def _upload_cover(self, credentials: Credentials, cover: MediaItem) -> str:
        body = self._call(
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
        return body["media_id"]

    def _upload_body_image(self, credentials: Credentials, image: MediaItem) -> str:
        body = self._call(
            credentials,
            "cgi-bin/media/uploadimg",
            "upload",
            files={
                "media": (
                    image.filename or "image.jpg",
                    image.data or b"",
                    image.content_type or "image/jpeg",
                )
            },
        )
        return body["url"]

    def draft(self, credentials: Credentials, payload: PostPayload) -> str:
        """Upload every cover (material/add_material) and body image (media/uploadimg), then draft/add
        with every article; the draft's media_id."""
        articles = push.push_articles(payload)
        if any(a.cover is None for a in articles):
            raise Rejected("wechat_oa publish: every article needs a cover image")
        single = len(articles) == 1
        drafted = []
        for article in articles:
            urls = [(after, self._upload_body_image(credentials, image)) for after, image in article.images]
            item = {
                "title": article.title,
                "author": article.author,
                "digest": (article.digest or article.body[:DIGEST_LIMIT]) if single else "",
                "content": push.html_body(article.body, urls),
                "content_source_url": article.source_url,
                "thumb_media_id": self._upload_cover(credentials, article.cover),
                "need_open_comment": int(article.open_comment),
                "only_fans_can_comment": int(article.open_comment and article.fans_only_comment),
            }
            if article.crop:
                item[article.crop_key] = article.crop
            drafted.append(item)
        return self._call(credentials, "cgi-bin/draft/add", "draft", json={"articles": drafted})["media_id"]

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        media_id = self.draft(credentials, payload)
        if push.delivery_of(payload) == push.MASS_SEND:
            original = any(a.original for a in push.push_articles(payload))
            sent = self._call(
                credentials,
                "cgi-bin/message/mass/sendall",
                "publish",
                unsafe=True,
                json={
                    "filter": {"is_to_all": True},
                    "mpnews": {"media_id": media_id},
                    "msgtype": "mpnews",
                    "send_ignore_reprint": 0 if original else 1,
                    "clientmsgid": payload.idempotency_key[:64],
                },
            )
            return PublishResult(
                status="pending",
                raw={"msg_id": str(sent["msg_id"]), "draft_media_id": media_id, "delivery": push.MASS_SEND},
            )
        submitted = self._call(
            credentials,
            "cgi-bin/freepublish/submit",
            "publish",
            unsafe=True,
            json={"media_id": media_id},
        )
        return PublishResult(
            status="pending",
            raw={"publish_id": str(submitted["publish_id"]), "draft_media_id": media_id},
        )

    def send_preview(self, credentials: Credentials, payload: PostPayload, *, wechat_id: str) -> None:
        """The push as a draft, sent to one person's phone (message/mass/preview by WeChat ID)."""
        media_id = self.draft(credentials, payload)
        self._call(
            credentials,
            "cgi-bin/message/mass/preview",
            "preview",
            json={"towxname": wechat_id, "mpnews": {"media_id": media_id}, "msgtype": "mpnews"},
        )

    def publish_status(self, credentials: Credentials, pending: PublishResult) -> PublishResult:
        if pending.raw.get("msg_id"):
            msg_id = pending.raw["msg_id"]
            body = self._call(
                credentials, "cgi-bin/message/mass/get", "publish_status", json={"msg_id": msg_id}
            )
            status = need(body, "msg_status", kind=str)
            if status == "SENDING":
                return pending
            if status != "SEND_SUCCESS":
                raise Rejected(f"wechat_oa mass send: {status}")
            return PublishResult(status="published", external_id=msg_id, raw=pending.raw)
        publish_id = pending.raw["publish_id"]
        body = self._call(
            credentials, "cgi-bin/freepublish/get", "publish_status", json={"publish_id": publish_id}
        )
        status = need(body, "publish_status", kind=int)
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
            raw={"publish_id": publish_id, "article_urls": [i.get("article_url", "") for i in items]},
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
        items = [i for i in need(body, "news_item") if not i.get("is_deleted")]
        return self._remote(external_id, items[0]) if items else None

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self._call(
            credentials,
            "cgi-bin/freepublish/batchget",
            "list",
            json={"offset": 0, "count": min(limit, 20), "no_content": 0},
        )
        posts = []
        for item in need(body, "item"):
            news = (item.get("content") or {}).get("news_item") or [{}]
            posts.append(self._remote(str(item["article_id"]), news[0], item.get("update_time")))
        return posts[:limit]

    # --- metrics (data cube) ---
    def _datacube(self, credentials: Credentials, api: str, operation: str, begin: date, end: date) -> dict:
        return self._call(
            credentials,
            f"datacube/{api}",
            operation,
            json={"begin_date": begin.isoformat(), "end_date": end.isoformat()},
        )

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """The data cube per group: followers gained/lost, cumulative followers, article reads. It reaches
        only up to yesterday (Beijing) and takes windows of at most 7 (reads: 3) days."""
        account_id = (
            str(credentials.extra.get("original_id") or "") or self.fetch_profile(credentials).external_id
        )
        result = MetricsResult()
        last = cn.yesterday()
        if until > last:
            after = cn.span_text(max(since, last + timedelta(days=1)), until)
            for api, _span, keys in (USER_SUMMARY, USER_CUMULATE, USER_READ):
                result.unavailable.extend(
                    cn.unavailable(
                        keys,
                        "account",
                        account_id,
                        "too_new",
                        f"{api} reaches only up to yesterday; not {after}",
                    )
                )
            until = last
        if since > until:
            return result
        for group in (USER_SUMMARY, USER_CUMULATE):
            self._account_group(credentials, group, since, until, account_id, result)
        self._account_reads(credentials, since, until, account_id, result)
        return result

    def _account_group(
        self, credentials, group, since, until, account_id, result, *, late_flag=False
    ) -> bool:
        """Ask one group window by window; False when the platform refused the API itself."""
        api, span, keys = group
        for begin, end in cn.windows(since, until, span):
            try:
                body = self._datacube(credentials, api, "metrics_account", begin, end)
            except Rejected as exc:
                if exc.platform_code == 48001:
                    return False
                result.unavailable.extend(
                    cn.unavailable(keys, "account", account_id, "error", f"{api}: {exc.platform_code} {exc}")
                )
                continue
            late = bool(body.get("is_delay")) if late_flag else False
            for row in body.get("list") or []:
                day = cn.parse_day(row.get("ref_date"))
                figures = row.get("detail") if isinstance(row.get("detail"), dict) else row
                if day is None:
                    continue
                for key in keys:
                    if key in figures:
                        result.values.append(
                            MetricValue(
                                key=key,
                                value=figures[key],
                                entity="account",
                                external_id=account_id,
                                period_end=cn.day_end(day),
                                late=late,
                            )
                        )
            self._missing_keys(body, keys, api, account_id, result, "account")
        return True

    @staticmethod
    def _missing_keys(body, keys, api, external_id, result, entity) -> None:
        """A figure WeChat no longer sends in any row is recorded as removed (the rest still arrive)."""
        rows = [r.get("detail") if isinstance(r.get("detail"), dict) else r for r in body.get("list") or []]
        if not rows:
            return
        for key in keys:
            if not any(key in row for row in rows):
                already = any(u.key == key and u.external_id == external_id for u in result.unavailable)
                if not already:
                    result.unavailable.append(
                        MetricUnavailable(key, entity, external_id, "removed", f"{api} no longer sends {key}")
                    )

    def _account_reads(self, credentials, since, until, account_id, result) -> None:
        """getuserread, or where WeChat refuses it (retired), its replacement getbizsummary."""
        if self._account_group(credentials, USER_READ, since, until, account_id, result):
            return
        api, _span, old_keys = USER_READ
        new_keys = BIZ_SUMMARY[2]
        for key in old_keys:
            if key in READ_RENAMED:
                result.unavailable.append(
                    MetricUnavailable(
                        key, "account", account_id, "renamed", f"{api} refused (48001)", READ_RENAMED[key]
                    )
                )
            elif key not in new_keys:
                result.unavailable.append(
                    MetricUnavailable(
                        key,
                        "account",
                        account_id,
                        "removed",
                        f"{api} refused (48001); getbizsummary lacks it",
                    )
                )
        self._account_group(credentials, BIZ_SUMMARY, since, until, account_id, result, late_flag=True)

    def _articles_by_id(self, credentials: Credentials, wanted: set[str]) -> dict[str, tuple[str, date]]:
        """article_id -> (msgid, Beijing publish date), read from freepublish/batchget: the data cube
        names articles by msgid "<mid>_<idx>", which the article URL carries."""
        found: dict[str, tuple[str, date]] = {}
        for page in range(BATCHGET_PAGES):
            body = self._call(
                credentials,
                "cgi-bin/freepublish/batchget",
                "list",
                json={"offset": page * 20, "count": 20, "no_content": 1},
            )
            items = body.get("item") or []
            for item in items:
                article_id = str(item.get("article_id", ""))
                if article_id not in wanted:
                    continue
                news = ((item.get("content") or {}).get("news_item") or [{}])[0]
                query = parse_qs(urlparse(news.get("url", "")).query)
                mid, idx = (query.get("mid") or [""])[0], (query.get("idx") or ["1"])[0]
                when = item.get("update_time")
                if mid and when:
                    published = datetime.fromtimestamp(int(when), UTC).astimezone(cn.BEIJING).date()
                    found[article_id] = (f"{mid}_{idx}", published)
            if wanted <= found.keys() or len(items) < 20:
                break
        return found

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """getarticletotaldetail: each article's cumulative figures up to yesterday (30 days at most),
        asked per window of publish dates."""
        result = MetricsResult()
        api, span, keys = ARTICLE_TOTAL_DETAIL
        articles = self._articles_by_id(credentials, set(external_ids))
        last = cn.yesterday()
        for article_id in external_ids:
            if article_id not in articles:
                result.unavailable.extend(
                    cn.unavailable(keys, "post", article_id, "error", "not among the published articles")
                )
            elif articles[article_id][1] > last:
                result.unavailable.extend(
                    cn.unavailable(keys, "post", article_id, "too_new", f"{api} reaches only up to yesterday")
                )
        by_msgid = {msgid: article_id for article_id, (msgid, day) in articles.items() if day <= last}
        if not by_msgid:
            return result
        dates = sorted({articles[a][1] for a in by_msgid.values()})
        asked: set[str] = set()
        for begin, end in cn.windows(dates[0], dates[-1], span):
            if not any(begin <= d <= end for d in dates):
                continue
            try:
                body = self._datacube(credentials, api, "metrics_post", begin, end)
            except Rejected as exc:
                ids = [a for a in by_msgid.values() if begin <= articles[a][1] <= end]
                for article_id in ids:
                    result.unavailable.extend(
                        cn.unavailable(keys, "post", article_id, "error", f"{api}: {exc.platform_code} {exc}")
                    )
                continue
            late = bool(body.get("is_delay"))
            for row in body.get("list") or []:
                article_id = by_msgid.get(str(row.get("msgid", "")))
                details = row.get("detail_list") or []
                if article_id is None or not details:
                    continue
                asked.add(article_id)
                latest = max(details, key=lambda d: str(d.get("stat_date", "")))
                day = cn.parse_day(latest.get("stat_date"))
                for key in keys:
                    if key in latest:
                        result.values.append(
                            MetricValue(
                                key=key,
                                value=latest[key],
                                entity="post",
                                external_id=article_id,
                                period_end=cn.day_end(day) if day else None,
                                late=late,
                            )
                        )
                    else:
                        result.unavailable.append(
                            MetricUnavailable(
                                key, "post", article_id, "removed", f"{api} no longer sends {key}"
                            )
                        )
        for article_id in set(by_msgid.values()) - asked:
            result.unavailable.extend(
                cn.unavailable(keys, "post", article_id, "error", f"{api} answered no figures for it")
            )
        return result

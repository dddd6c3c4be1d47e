"""Issue 13, acceptance 3: every dashboard page, read in 简体中文, has no English left from our own
templates and messages.

The pages come from the URL configuration (tests/dashboard_pages.py) and are read as the people they
are for, with the demo's data. What a page shows in Latin letters must be one of: the data people typed
(names, handles, post text: every text column of the database), a web address or email, or a name that
stays in Latin letters in Chinese too (platform and product names, file formats, units: `LATIN_TERMS`).
Anything else is a string we forgot to mark for translation, or one the catalogue lacks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.dashboard_pages import dashboard_pages, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

# Names that Chinese pages write in Latin letters too.
LATIN_TERMS = {
    # platforms and products
    "kawo",
    "oss",
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "tiktok",
    "youtube",
    "mastodon",
    "bluesky",
    "wechat",
    "weibo",
    "douyin",
    "xiaohongshu",
    "bilibili",
    "kuaishou",
    "meta",
    "google",
    "apple",
    "ical",
    "excel",
    "wps",
    "swagger",
    "openapi",
    "oauth",
    "kol",
    "kols",
    "ocean",  # the method's name (Objective, Content & Channel, Execution, Analysis, Normalization)
    # formats, units and abbreviations
    "csv",
    "xlsx",
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "mp4",
    "mp",
    "mov",
    "api",
    "url",
    "urls",
    "id",
    "utc",
    "gmt",
    "sla",
    "qr",
    "html",
    "json",
    "http",
    "https",
    "hmac",
    "sha",
    "kb",
    "mb",
    "gb",
    "px",
    "am",
    "pm",
    "ctr",
    "cpm",
    "roi",
    "h",
    "m",
    "n",
    "outlook",
    "payload",
    "s",
    "min",
    "ms",
    "v",
    "utf",
    "bom",
    "ip",
    "appid",
    "appsecret",
    "testserver",  # the test client's host name, where a real site names its domain
}
# Columns that hold codes, not words people typed (the audit log's actions, stored keys and statuses).
CODE_COLUMNS = {
    "action",
    "kind",
    "code",
    "event",
    "key",
    "status",
    "platform",
    "scope",
    "content_type",
    "mime",
}
HIDDEN = {"script", "style", "code", "pre", "template", "noscript", "svg"}
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+|[A-Za-z]")
NOT_WORDS = re.compile(
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\b|"  # domain names (t.co, google.com.hk)
    r"\S+@\S+|https?://\S+|/\S*|@\w+|#\w+|\b[\w.-]+\.(?:com|cn|test|org|net)\b"
    r"|\S+(?:\.\.\.|…)"  # data cut short to fit (a long file name)
    r"|\b[A-Z][a-z]+/[A-Za-z_/ -]+"  # IANA time zone names (Asia/Shanghai), as every zone picker shows them
    r"|\b[A-Z]{3}\b"  # ISO 4217 currency codes (CNY) and other upper-case abbreviations
    r"|\b[0-9a-f]{16,}\b"  # fingerprints
    r"|\b[a-z]+/[\w.+-]+"  # MIME types (image/jpeg)
    r"|[\w.-]+\.(?:jpe?g|png|gif|webp|mp4|mov|csv|xlsx|pdf|txt)\b"  # file names
)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes and the attributes shown on hover or read aloud, outside
    scripts, styles and code, outside decorations hidden from screen readers (`aria-hidden`, such as
    a platform's two-letter glyph) and outside text marked as another language (the language switch's
    "English")."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang") or ""
        hides = (
            tag in HIDDEN or attributes.get("aria-hidden") == "true" or (lang and not lang.startswith("zh"))
        )
        if not (hides or self.hidden):
            for name in VISIBLE_ATTRIBUTES:
                if attributes.get(name):
                    self.chunks.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.chunks.append(attributes["value"])
        if tag not in VOID:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.chunks.append(data.strip())


def data_words() -> set[str]:
    """Every word people typed: the text columns (not the coded choices) of every table."""
    words = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and f.name not in CODE_COLUMNS
            and not f.name.endswith(("_id", "_hash", "_key", "_code", "_status"))
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in WORD.findall(NOT_WORDS.sub(" ", str(value))))
                    words.update(w.lower() for w in WORD.findall(str(value)))
    return words


def formula_words() -> set[str]:
    """The names a formula metric is written with (engagements, followers ...): identifiers, not prose."""
    from analytics.metrics import COMMON_METRICS

    return {word.lower() for key in COMMON_METRICS for word in WORD.findall(key)}


def english_left(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    left = []
    for chunk in parser.chunks:
        words = [w for w in WORD.findall(NOT_WORDS.sub(" ", chunk)) if w.lower() not in allowed]
        if words:
            left.append(chunk[:120])
    return left


def test_no_english_is_left_on_any_page_read_in_chinese(world):  # noqa: F811
    # given
    allowed = LATIN_TERMS | data_words() | formula_words()
    clients, failures = {}, []
    # when
    for page in dashboard_pages(world):
        client = clients.get(page.user.pk)
        if client is None:
            client = clients[page.user.pk] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.cookies["django_language"] = "zh-hans"
            client.force_login(page.user)
        response = client.get(page.url, follow=True)
        if response.status_code == 405 or "text/html" not in response.get("Content-Type", ""):
            continue
        for chunk in english_left(response.content.decode(), allowed):
            failures.append(f"{page.name}: {chunk!r}")
    # then
    assert not failures, f"{len(failures)} English strings on Chinese pages:\n" + "\n".join(
        sorted(set(failures))
    )

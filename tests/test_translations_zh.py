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
    "cny",
    "usd",
    "eur",
    "rmb",
    "am",
    "pm",
    "ctr",
    "cpm",
    "roi",
    "h",
    "m",
    "s",
    "min",
    "ms",
    "v",
}
HIDDEN = {"script", "style", "code", "pre", "template", "noscript", "svg"}
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "value"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+|[A-Za-z]")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/\S*|@\w+|#\w+|\b[\w.-]+\.(?:com|cn|test|org|net)\b")


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, and the attributes read aloud or
    shown on hover; hidden inputs and the language switch's own names excluded."""

    def __init__(self):
        super().__init__()
        self.hidden_depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden_depth += 1
        attributes = dict(attrs)
        if attributes.get("type") == "hidden" or attributes.get("lang"):
            return
        for name in VISIBLE_ATTRIBUTES:
            if attributes.get(name) and not (name == "value" and tag != "button"):
                self.chunks.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.chunks.append(data.strip())


def data_words() -> set[str]:
    """Every word people typed: the text columns (not the coded choices) of every table."""
    words = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in WORD.findall(NOT_WORDS.sub(" ", str(value))))
                    words.update(w.lower() for w in WORD.findall(str(value)))
    return words


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
    allowed = LATIN_TERMS | data_words()
    clients, failures = {}, []
    # when
    for page in dashboard_pages(world):
        client = clients.get(page.user.pk)
        if client is None:
            client = clients[page.user.pk] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.cookies["django_language"] = "zh-hans"
            client.force_login(page.user)
        response = client.get(page.url, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for chunk in english_left(response.content.decode(), allowed):
            failures.append(f"{page.name}: {chunk!r}")
    # then
    assert not failures, f"{len(failures)} English strings on Chinese pages:\n" + "\n".join(
        sorted(set(failures))
    )

"""Issue 17: a Content-Security-Policy on every page, and nothing in our templates that it would block
(the browser tests fail on any violation Chromium reports: tests/browser/kit.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.dashboard_pages import dashboard_pages, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def templates() -> list[Path]:
    return [p for d in TEMPLATE_DIRS if d.is_dir() for p in d.rglob("*.html")]


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        found += [f"{path}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path}: {m.group(0)}" for m in INLINE_HANDLER.finditer(text)]
    assert len(templates()) > 50
    assert not found, "\n".join(found)


def test_every_page_carries_the_policy(world):  # noqa: F811
    # given
    clients: dict[int, Client] = {}
    missing = []
    # when
    for page in dashboard_pages(world):
        client = clients.get(page.user.pk)
        if client is None:
            client = clients[page.user.pk] = Client()
            client.force_login(page.user)
        policy = client.get(page.url).headers.get("Content-Security-Policy", "")
        # then: our scripts only, no inline script, no other page may frame ours
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
        if directives.get("script-src") != "'self'" or directives.get("frame-ancestors") != "'none'":
            missing.append(f"{page.url}: {policy!r}")
    assert not missing, "\n".join(missing)


def test_the_api_docs_start_from_a_script_file_not_inline():
    page = Client().get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    assert Client().get("/api/docs/?script=").status_code == 200

"""What every browser test starts from: Debian's Chromium driven by Playwright's sync API.

`conftest.py` registers this module as a plugin, so the `browser` and `page` fixtures are available to
browser tests in every app. `signed_in(page, live_server, user)` skips the sign-in form (for tests about
other pages); tests about signing in use the form.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Chromium; every context made from it reports Content-Security-Policy violations, and the test
    fails at its end if a page broke the policy (an inline script or handler, a source not allowed)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        violations: list[str] = []
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            context.on("console", lambda message: _note_csp(message, violations))
            return context

        browser.new_context = watched_context
        yield browser
        browser.close()
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _note_csp(message, violations: list[str]) -> None:
    text = message.text
    if message.type == "error" and "Content Security Policy" in text:
        violations.append(text[:300])


def new_page(browser, *, width: int = 1440, height: int = 1000):
    """A page in a context of its own (its own cookies), English, 15 s to wait for anything."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def signed_in(page, live_server, user):
    """`page` with `user`'s session cookie, as if they had signed in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page

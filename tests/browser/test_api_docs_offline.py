"""Issue 13, acceptance 4: `/api/docs/` renders with the network cut off. Every request the page makes
to a host other than the test server is aborted; Swagger UI must still draw the operations, so nothing
it needs comes from a CDN (unreachable offline, unreliable from mainland China)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_every_outside_request_blocked(live_server, page):
    # given: a signed-in person, and a browser that can reach nothing but our server
    signed_in(page, live_server, UserFactory())
    ours = urlsplit(live_server.url).netloc
    blocked, served = [], []

    def only_ours(route):
        url = route.request.url
        if urlsplit(url).netloc == ours:
            served.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", only_ours)
    # when
    page.goto(f"{live_server.url}/api/docs/")
    # then: Swagger UI drew the schema's title and its operations, from our static files only
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KAWO", ignore_case=True)
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock-tag").count() >= 3
    assert blocked == []
    assert any("/static/drf_spectacular_sidecar/" in url for url in served), served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-offline.png"))

"""What the browser loads comes from our own server: the API docs page (Swagger UI from
drf-spectacular-sidecar, not a CDN that is unreachable offline and unreliable from mainland China) and
the favicon."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_api_docs_page_loads_swagger_ui_from_our_static_files():
    # given
    client = Client()
    client.force_login(UserFactory())
    # when
    html = client.get("/api/docs/").content.decode()
    # then: every script and stylesheet is ours, and each is found by staticfiles
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets, html[:500]
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_favicon_is_served():
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")

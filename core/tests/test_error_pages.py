"""Every address under /api/ answers errors in the API's JSON shape; the dashboard keeps its pages."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/v1/no-such-thing/", "/api/v1/workspaces/x/"])
def test_an_unknown_api_address_is_a_json_404(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_dashboard_address_is_the_html_page(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user(email="p@example.org", password="x"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json(rf):
    import json

    from core.error_pages import server_error

    response = server_error(rf.get("/api/v1/anything/"))
    assert response.status_code == 500 and json.loads(response.content)["error"]["code"] == "server_error"

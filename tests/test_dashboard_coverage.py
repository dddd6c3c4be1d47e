"""Issue 13, acceptance 2: whatever the API can change, a person can change in the dashboard.

Every write endpoint in the OpenAPI schema (POST, PUT, PATCH, DELETE) names, on its view class, the
dashboard page that does the same (`dashboard_page`), or says why it has none (`dashboard_page_none`:
endpoints for machines, such as the external reviewer's JSON flow that the review page itself calls).
The page must exist and open for the demo's owner. The list of endpoints comes from the schema
generator, so a new endpoint without a page fails here."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.dashboard_pages import dashboard_pages, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def write_endpoints() -> list[tuple[str, str, type]]:
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    return [
        (method, path, view.cls) for path, _regex, method, view in generator.endpoints if method in WRITES
    ]


def test_every_write_endpoint_names_a_dashboard_page(world):  # noqa: F811
    # given
    pages = {page.name: page for page in dashboard_pages(world)}
    missing, unknown, reasons = [], [], []
    # when
    for method, path, view_class in write_endpoints():
        target = getattr(view_class, "dashboard_page", None)
        if target is None:
            reason = getattr(view_class, "dashboard_page_none", "")
            if len(reason) < 20:
                missing.append(f"{method} {path} ({view_class.__module__}.{view_class.__name__})")
            else:
                reasons.append(reason)
            continue
        if target not in pages:
            unknown.append(f"{method} {path} -> {target}")
    # then
    assert not missing, "write endpoints without a dashboard page:\n" + "\n".join(sorted(missing))
    assert not unknown, "dashboard_page names no page that answers GET:\n" + "\n".join(sorted(unknown))
    assert len(reasons) < 10, reasons  # machine-only endpoints stay the exception


def test_every_dashboard_page_opens_for_the_person_it_is_for(world):  # noqa: F811
    """Every route that answers GET outside the API, found from the URL configuration."""
    # given
    failures = []
    clients = {}
    # when
    for page in dashboard_pages(world):
        client = clients.get(page.user.pk)
        if client is None:
            client = clients[page.user.pk] = Client()
            client.force_login(page.user)
        response = client.get(page.url)
        if response.status_code == 405:  # a route for forms' POSTs only, not a page
            continue
        # A page that only sends the person on (home to their workspace, an OAuth return) may redirect,
        # but never to the sign-in page.
        redirected = response.status_code == 302 and not response["Location"].startswith("/accounts/login")
        if response.status_code != 200 and not redirected:
            failures.append(f"{page.name} {page.url}: {response.status_code}")
    # then
    assert not failures, "\n".join(failures)

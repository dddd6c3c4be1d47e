"""Every date and time the API or a dashboard form reads is bounded to 2000-2099 (core/bounds.py).

The API side is derived from the OpenAPI schema: every writable `date` / `date-time` property of every
POST body that needs only the workspace (or organization) in its path gets year 232 and must answer a
400 naming that field. Detail routes share the same patched parsers, checked directly below."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.roles import OrgRole, Role
from accounts.tests.factories import MembershipFactory, WorkspaceMemberFactory
from core.bounds import EARLIEST, LATEST

pytestmark = pytest.mark.django_db

TOO_EARLY = {"date": "0232-01-01", "date-time": "0232-01-01T00:00:00Z"}
TOO_LATE = {"date": "2300-01-01", "date-time": "2300-01-01T00:00:00Z"}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def date_fields_of_collection_posts() -> list[tuple[str, str, str]]:
    """(path, property, format) for every writable date property of a POST body whose path has only the
    workspace or organization id."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        post = operations.get("post")
        params = [p for p in post.get("parameters", []) if p["in"] == "path"] if post else []
        if not post or {p["name"] for p in params} - {"workspace_id", "organization_id"}:
            continue
        body = post.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if not body:
            continue
        for name, prop in _resolve(body, components).get("properties", {}).items():
            prop = _resolve(prop, components)
            if prop.get("format") in TOO_EARLY and not prop.get("readOnly"):
                found.append((path, name, prop["format"]))
    return found


CASES = date_fields_of_collection_posts()


def test_the_schema_has_date_fields_to_check():
    assert len(CASES) >= 3, CASES  # posts' scheduled_at, campaigns' dates, ... (the walk found them)


@pytest.mark.parametrize(("path", "field", "kind"), CASES, ids=[f"{p} {f}" for p, f, _k in CASES])
def test_every_api_date_out_of_range_is_a_400_naming_the_field(path, field, kind):
    # given: a workspace admin who owns the organization
    member = WorkspaceMemberFactory(role=Role.ADMIN)
    MembershipFactory(organization=member.workspace.organization, user=member.user, role=OrgRole.OWNER)
    client = APIClient()
    client.force_authenticate(member.user)
    url = path.replace("{workspace_id}", str(member.workspace_id)).replace(
        "{organization_id}", str(member.workspace.organization_id)
    )
    for value in (TOO_EARLY[kind], TOO_LATE[kind]):
        # when
        response = client.post(url, {field: value}, format="json")
        # then
        assert response.status_code == 400, (url, field, response.status_code)
        messages = response.json()["error"]["fields"].get(field)
        assert messages and "2000-01-01" in messages[0], (url, field, response.json())


@pytest.mark.parametrize(
    "field", [serializers.DateTimeField(), serializers.DateField(), forms.DateTimeField(), forms.DateField()]
)
def test_the_parsers_refuse_outside_the_range_and_keep_the_edges(field):
    # given
    parse = field.to_internal_value if isinstance(field, serializers.Field) else field.clean
    errors = (serializers.ValidationError, forms.ValidationError)
    # then: the edges pass, one day beyond fails
    assert parse(EARLIEST.isoformat()) and parse(LATEST.isoformat())
    for day in (date(1999, 12, 31), date(2100, 1, 1), date(232, 1, 1)):
        with pytest.raises(errors):
            parse(day.isoformat())

"""The OpenAPI schema is complete: generating it with --validate --fail-on-warn succeeds."""

import io

import pytest
import yaml
from django.core.management import call_command

from tests import api_routes


def test_spectacular_validates_without_warnings(tmp_path):
    # given
    out = tmp_path / "schema.yaml"
    # when: fails with SchemaGenerationError on any warning or an invalid schema
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=io.StringIO())
    # then
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "personalAccessToken" in schema["components"]["securitySchemes"]


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_api_route_and_method_is_documented(schema):
    for route in api_routes():
        path = "/" + route.route.replace("<int:", "{").replace(">", "}")
        assert path in schema["paths"], f"{path} is missing from the schema"
        documented = {method.upper() for method in schema["paths"][path]}
        assert set(route.allowed_methods()) <= documented, (path, documented)


def test_write_operations_declare_their_request_body(schema):
    for path, operations in schema["paths"].items():
        for method in ("post", "patch", "put"):
            operation = operations.get(method)
            if operation is None or path.endswith(("/resend/", "/connect-start/")):
                continue
            assert "requestBody" in operation, f"{method.upper()} {path} has no request body in the schema"


def test_no_secret_leaks_into_output_schemas(schema):
    components = schema["components"]["schemas"]
    for name, component in components.items():
        properties = component.get("properties", {})
        assert "token_hash" not in properties, name
        if name != "TokenCreated" and not name.endswith("Request"):
            assert "token" not in properties, f"{name} exposes a token"

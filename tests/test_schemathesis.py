"""The API keeps the promises of its OpenAPI schema: Schemathesis over every operation, for two tenants.

Issue 17, acceptance 3: "zero server errors, zero schema violations, zero responses undocumented, over
every operation with both tenants". The schema is the one drf-spectacular serves; Schemathesis generates
requests from it and sends them in-process to the project's WSGI application, authenticated with each
tenant's personal access token (the way scripts call the API). The ids in each path are filled from the
isolation matrix's PROVIDERS (tests/test_isolation.py), so every operation reaches a real object:
- tenant A with A's objects, tenant B with B's objects (the success paths and their 4xx);
- tenant A with B's objects (the cross-tenant 404 must be documented too).
Each response must pass not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance and response_headers_conformance.

The run is bounded and deterministic (derandomized Hypothesis, no example database, no shrinking) so that
the whole matrix stays within a few minutes on two cores. Operations that cannot be driven from the
schema alone are listed in EXCLUDED with the reason, and the list is printed.
"""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import personal_token_create
from tests.test_isolation import NOT_OBJECT_IDS, PERSONAL_PROVIDERS, PROVIDERS, build_world

pytestmark = pytest.mark.django_db

# The project's WSGI handler, without kawo/wsgi.py's start-up step (it freezes the heap of a web process;
# the test process keeps collecting as usual).
application = get_wsgi_application()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_PASS = 4
IDS = {**PROVIDERS, **PERSONAL_PROVIDERS}

# "METHOD /path" -> why Schemathesis does not drive it (printed by the test below). None today: uploads
# (media, content and rival imports, receipts) are driven as the multipart bodies their schema declares,
# and the external callbacks (OAuth returns, platform webhooks) are dashboard/webhook URLs, not API
# operations of the schema.
EXCLUDED: dict[str, str] = {}


def _schema_dict() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = openapi.from_dict(_schema_dict())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def test_exclusions_are_listed_with_reasons():
    for label, reason in EXCLUDED.items():
        assert label in OPERATIONS, f"{label} is excluded but is no operation of the schema"
        assert reason.strip(), label
    print("Operations Schemathesis does not drive:")
    for label, reason in sorted(EXCLUDED.items()):
        print(f"  {label}: {reason}")
    assert len(OPERATIONS) > 100


def _run(operation, *, token: str, path_parameters: dict) -> None:
    strategy = operation.as_strategy(
        path_parameters=path_parameters, headers={"Authorization": f"Bearer {token}"}
    )

    @settings(
        max_examples=EXAMPLES_PER_PASS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def exercise(case):
        response = case.call(app=application)
        case.validate_response(response, checks=CHECKS)

    exercise()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes the database connection when a request finishes; the test's
    transaction lives on that connection, so (as django.test.Client does) the handler must not close it."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", sorted(set(OPERATIONS) - set(EXCLUDED)))
def test_operation_keeps_its_schema_for_both_tenants(label):
    operation = OPERATIONS[label]
    names = [p.name for p in operation.path_parameters]
    a, b = build_world(), build_world()
    token_a = personal_token_create(actor=a.admin, name="schemathesis")[1]
    token_b = personal_token_create(actor=b.admin, name="schemathesis")[1]
    own_a = {name: IDS[name](a) for name in names}
    own_b = {name: IDS[name](b) for name in names}
    # A and B each on their own objects
    _run(operation, token=token_a, path_parameters=own_a)
    _run(operation, token=token_b, path_parameters=own_b)
    # A asking for B's objects through A's own workspace or organization: 404, documented
    crossed = {name: (own_a if name in NOT_OBJECT_IDS else own_b)[name] for name in names}
    if crossed != own_a:
        _run(operation, token=token_a, path_parameters=crossed)

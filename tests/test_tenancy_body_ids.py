"""Another tenant's id in a request BODY is refused (issue 17, acceptance 4).

The isolation matrix (tests/test_isolation.py) swaps ids in URLs; this module swaps them in bodies. It
walks every write operation of the API schema (drf-spectacular's endpoint list, so a new view is covered
without editing this file), takes the operation's request serializer and finds every field that can hold
an id: relational fields, integer fields, lists of integers, nested serializers, and JSON fields whose
documented schema is a serializer (the approval workflow's stage conditions). Every such field must be
classified in tests/tenancy_body_kinds.py, in ID_FIELDS (which kind of object it names) or NOT_IDS (why
it is no tenant's id): an unclassified field fails the first test, named.

For each id field the test builds an otherwise valid body as tenant A (generic values from the
serializer's fields, plus BODIES[operation] where a generic body cannot be valid), puts tenant B's object
in that one field and sends it as A's admin (or, for the review-link operations, as A's external
reviewer): the answer must be 404, or 400 with an error on that field,
and the database must be as it was. Then it sends the same body with A's own object and expects 2xx, which
proves the refusal was about the foreign id and nothing else.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.tenancy_body_kinds import ID_FIELDS, NOT_IDS, OBJECTS, review_link_headers
from tests.test_isolation import PROVIDERS, World, build_world

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH")


# --- discovery -----------------------------------------------------------------------------------------


def _request_serializer(view, method: str, path: str, path_regex: str):
    schema = view.schema
    schema.method, schema.path, schema.path_regex = method, path, path_regex
    found = schema.get_request_serializer()
    if isinstance(found, dict):  # {media type: serializer or OpenApiTypes}
        found = next((v for v in found.values() if _is_serializer(v)), None)
    if isinstance(found, type) and issubclass(found, serializers.BaseSerializer):
        found = found()
    return found if isinstance(found, serializers.BaseSerializer) else None


def _is_serializer(value) -> bool:
    return isinstance(value, serializers.BaseSerializer) or (
        isinstance(value, type) and issubclass(value, serializers.BaseSerializer)
    )


def _operations() -> dict[str, tuple[str, str, serializers.BaseSerializer]]:
    """ "METHOD /path" -> (method, path template, request serializer) for every write operation."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    operations = {}
    for path, path_regex, method, callback in generator.endpoints:
        if method not in WRITE_METHODS:
            continue
        serializer = _request_serializer(generator.create_view(callback, method), method, path, path_regex)
        if serializer is not None:
            operations[f"{method} {path}"] = (method, path, serializer)
    return operations


def _annotated_serializer(field):
    """The serializer a JSON field documents itself with (@extend_schema_field), if any."""
    annotation = getattr(field, "_spectacular_annotation", None) or {}
    documented = annotation.get("field") if isinstance(annotation, dict) else annotation
    if _is_serializer(documented):
        return documented() if isinstance(documented, type) else documented
    return None


def _names_a_kind(name: str) -> bool:
    return name in OBJECT_NAMES or name.removesuffix("s") in OBJECT_NAMES


# Names of the kinds of object a body may name (a field so named is an id candidate whatever its type).
OBJECT_NAMES = {
    "account", "group", "campaign", "tag", "media", "post", "target", "workflow", "request", "comment",
    "item", "rule", "line", "budget", "competitor", "rival", "user", "member", "owner", "assignee",
    "agency", "organization", "workspace", "notification", "webhook", "objective", "slot", "word_list",
}  # fmt: skip


def id_candidates(serializer, prefix: str = ""):
    """(body path, "Serializer.field", is_list) for each writable field that could carry an id. A body
    path is dotted; "[]" marks one item of a list: "targets[].account", "stages[].condition.tags"."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        key = f"{type(serializer).__name__}.{name}"
        here = f"{prefix}{name}"
        if isinstance(field, serializers.ManyRelatedField):
            yield here, key, True
        elif isinstance(field, serializers.RelatedField):
            yield here, key, False
        elif isinstance(field, serializers.ListSerializer):
            yield from id_candidates(field.child, f"{here}[].")
        elif isinstance(field, serializers.BaseSerializer):
            yield from id_candidates(field, f"{here}.")
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.IntegerField | serializers.RelatedField
        ):
            yield here, key, True
        elif isinstance(field, serializers.IntegerField) or re.search(r"_ids?$", name):
            yield here, key, False
        elif _names_a_kind(name):  # a text field named like an object ("account", "tags"): classify it
            yield here, key, isinstance(field, serializers.ListField)
        elif isinstance(field, serializers.JSONField | serializers.DictField):
            documented = _annotated_serializer(field)
            if documented is not None:
                yield from id_candidates(documented, f"{here}.")


OPERATIONS = _operations()


# --- classification: tests/tenancy_body_kinds.py ---------------------------------------------------


def test_every_id_bearing_field_is_classified():
    assert len(OPERATIONS) > 60, "the schema walk found too few write operations"
    unknown = sorted(
        {key for _m, _p, ser in OPERATIONS.values() for _path, key, _l in id_candidates(ser)}
        - set(ID_FIELDS)
        - set(NOT_IDS)
    )
    assert not unknown, (
        f"Request fields that may carry an id but are not classified: {unknown}. Add each to ID_FIELDS in "
        f"tests/tenancy_body_kinds.py (with the kind of object it names) or to NOT_IDS (with why not)."
    )
    stale = sorted(
        (set(ID_FIELDS) | set(NOT_IDS))
        - {key for _m, _p, ser in OPERATIONS.values() for _path, key, _l in id_candidates(ser)}
    )
    assert not stale, f"classified fields that no operation has any more: {stale}"
    assert set(ID_FIELDS.values()) <= set(OBJECTS)


# --- bodies ------------------------------------------------------------------------------------------


def _future(days: int = 3) -> str:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def _post_version(world: World) -> int:
    from content.models import Post

    return Post.objects.get(pk=PROVIDERS["post_id"](world)).version


def _approval_needed(world: World) -> None:
    """Every post of the workspace goes through a workflow (so a post can be sent for approval)."""
    from approvals.tests.factories import workflow_with

    world.once("policy", lambda w: workflow_with(w.admin, w.workspace, [STAGE]))


def _with_approval_needed(body: dict):
    def build(world: World) -> dict:
        _approval_needed(world)
        return body

    return build


STAGE = {"name": "Legal", "approver_roles": ["admin"]}
WORKFLOWS = "/api/v1/workspaces/{workspace_id}/approval-workflows/"
POSTS = "/api/v1/workspaces/{workspace_id}/posts/"
OBJECTIVES = "/api/v1/workspaces/{workspace_id}/objectives/"
BUDGETS = "/api/v1/workspaces/{workspace_id}/budgets/{budget_id}/"
OBJECTIVE = {"name": "Reach", "period": "month", "starts_on": "2027-01-01", "kpi": "views", "target": "1000"}
# Objectives use an account, a campaign or a tag only when the objective covers it (the scope), and rivals
# only for share of voice: the body chooses the scope the swapped field belongs to.
OBJECTIVE_SCOPES = {
    "account": {"scope": "account"},
    "campaign": {"scope": "campaign"},
    "tag": {"scope": "tag"},
    "rivals": {"scope": "workspace", "kpi": "share_of_voice", "target": "0.3"},
}

# "METHOD /path" (or "METHOD /path body_path" for one field) -> values a generic body cannot guess, merged
# over it (the swapped field is set after). A function of the world: it may prepare the world too.
BODIES = {
    f"POST {WORKFLOWS}": lambda w: {"stages": [dict(STAGE)]},
    f"PATCH {WORKFLOWS}{{workflow_id}}/": lambda w: {"stages": [dict(STAGE)]},
    f"PATCH {POSTS}{{post_id}}/": lambda w: {"version": _post_version(w)},
    "POST /api/v1/workspaces/{workspace_id}/approval-requests/batch/": _with_approval_needed({}),
    f"POST {BUDGETS}lines/": lambda w: {"planned": "1200.00"},
    f"POST {BUDGETS}spend/": lambda w: {"amount": "100.00", "spent_on": "2026-02-01"},
    "POST /api/v1/workspaces/{workspace_id}/inbox/rules/": lambda w: {"add_tags": ["物流"]},
    # (the grant's ceiling is manager)
    "POST /api/v1/organizations/{organization_id}/received-grants/{grant_id}/assignments/": lambda w: {
        "role": "editor"
    },
    f"POST {OBJECTIVES}": lambda w: dict(OBJECTIVE),
    "POST /api/v1/workspaces/{workspace_id}/inbox/items/{item_id}/reply/": lambda w: _reply_with_image(w),
}


def _reply_with_image(world: World) -> dict:
    """A reply that may carry an image: the item's account on Facebook (comments take one)."""
    from channels_app.models import SocialAccount
    from tests.test_isolation import _inbox_item

    item = world.once("inbox_item", _inbox_item)
    SocialAccount.objects.filter(pk=item.conversation.account_id).update(platform="facebook")
    return {"text": "Thanks!", "version": item.version}


for _field, _values in OBJECTIVE_SCOPES.items():
    BODIES[f"POST {OBJECTIVES} {_field}"] = lambda w, v=_values: {**OBJECTIVE, **v}
    BODIES[f"PATCH {OBJECTIVES}{{objective_id}}/ {_field}"] = lambda w, v=_values: {**OBJECTIVE, **v}
# Operations a person without an account calls with a review link: their headers in a world.
REVIEW_LINK_OPERATIONS = {"POST /api/v1/review/comments/", "POST /api/v1/review/decide/"}
# Operations sent as multipart (a file in the body).
MULTIPART = {"POST /api/v1/workspaces/{workspace_id}/media/"}


def _image():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(data, "PNG")
    return SimpleUploadedFile("tenancy.png", data.getvalue(), content_type="image/png")


def generic_value(field, world: World):
    """A valid-looking value for a required field, from its type alone."""
    if isinstance(field, serializers.ListSerializer):
        return [generic_body(field.child, world)]
    if isinstance(field, serializers.BaseSerializer):
        return generic_body(field, world)
    if isinstance(field, serializers.ChoiceField):
        return next(iter(field.choices))
    if isinstance(field, serializers.BooleanField):
        return False
    if isinstance(field, serializers.EmailField):
        return "someone@example.com"
    if isinstance(field, serializers.URLField):
        return "https://example.com/"
    if isinstance(field, serializers.DateTimeField):
        return _future()
    if isinstance(field, serializers.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, serializers.TimeField):
        return "09:00"
    if isinstance(field, serializers.DecimalField):
        return "10.00"
    if isinstance(field, serializers.FloatField):
        return 1.0
    if isinstance(field, serializers.IntegerField):
        return max(field.min_value or 1, 1)
    if isinstance(field, serializers.ListField):
        return [generic_value(field.child, world)]
    if isinstance(field, serializers.JSONField | serializers.DictField):
        return {}
    if isinstance(field, serializers.FileField):  # (the operation must be listed in MULTIPART)
        return _image()
    if isinstance(field, serializers.CharField):
        return "Tenancy"
    raise AssertionError(f"no generic value for {field!r}: add the operation to BODIES")


def generic_body(serializer, world: World, *, partial: bool = False) -> dict:
    body = {}
    for name, field in serializer.fields.items():
        if field.read_only or not field.required or partial:
            continue
        key = f"{type(serializer).__name__}.{name}"
        if key in ID_FIELDS:
            own = OBJECTS[ID_FIELDS[key]](world)
            body[name] = (
                [own] if isinstance(field, serializers.ListField | serializers.ManyRelatedField) else own
            )
        else:
            body[name] = generic_value(field, world)
    return body


def _field_at(serializer, path: str):
    field = serializer
    for part in path.replace("[]", "").split("."):
        field = field.child if isinstance(field, serializers.ListSerializer) else field
        documented = _annotated_serializer(field) if isinstance(field, serializers.JSONField) else None
        field = (documented or field).fields[part]
    return field


def place(body: dict, serializer, path: str, value, world: World) -> None:
    """Put `value` at the body path, making the containers on the way (one generic item per list)."""
    parts = path.split(".")
    here = body
    for depth, part in enumerate(parts[:-1]):
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        field = _field_at(serializer, ".".join(parts[: depth + 1]))
        if is_list:
            if not here.get(name):
                here[name] = [generic_body(field.child, world)]
            here = here[name][0]
        else:
            if not isinstance(here.get(name), dict):
                here[name] = {}
            here = here[name]
    here[parts[-1]] = value


def valid_body(label: str, body_path: str, world: World) -> dict:
    method, _path, serializer = OPERATIONS[label]
    body = generic_body(serializer, world, partial=method == "PATCH")
    for key in (label, f"{label} {body_path}"):
        body.update(BODIES.get(key, lambda w: {})(world))
    return body


def _url(path_template: str, world: World) -> str:
    names = re.findall(r"{(\w+)}", path_template)
    missing = [name for name in names if name not in PROVIDERS]
    assert not missing, f"{path_template}: add providers for {missing} to tests/test_isolation.py"
    return re.sub(r"{(\w+)}", lambda m: str(PROVIDERS[m.group(1)](world)), path_template)


def _id_cases():
    cases = []
    for label, (_method, _path, serializer) in sorted(OPERATIONS.items()):
        for body_path, key, is_list in id_candidates(serializer):
            if key in ID_FIELDS:
                cases.append(pytest.param(label, body_path, key, is_list, id=f"{label} {body_path}"))
    return cases


def _send(client: APIClient, label: str, url: str, body: dict):
    method = OPERATIONS[label][0]
    if label in MULTIPART:
        for value in body.values():
            if hasattr(value, "seek"):
                value.seek(0)
        return client.generic(method, url, **_multipart(client, body))
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def _multipart(client: APIClient, body: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, body), "content_type": MULTIPART_CONTENT}


def database_fingerprint() -> str:
    """One hash of every row of every table: equal before and after means the request changed nothing
    (a service that wrote and then rolled back its transaction leaves it equal too)."""
    tables = sorted(t for t in connection.introspection.table_names() if t not in VOLATILE_TABLES)
    parts = " UNION ALL ".join(
        f"SELECT '{t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h "
        f'FROM "{t}" AS x'
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT md5(string_agg(t || h, ',' ORDER BY t)) FROM ({parts}) AS s")
        return cursor.fetchone()[0]


# Tables a refused request may touch without changing anything of a tenant's.
VOLATILE_TABLES = {"django_session"}

# Operations over many objects at once that answer per object (documented in their schema) instead of
# failing the whole request: the foreign object's answer must say "not found", and nothing may change.
PER_OBJECT = {
    "POST /api/v1/approvals/queue/bulk-approve/": lambda answer, foreign: any(
        r["request"] == foreign and not r["ok"] and r["code"] == "not_found" for r in answer.json()
    ),
    # Marks the caller's own notifications read; another person's ids are no notification of theirs.
    "POST /api/v1/notifications/read/": lambda answer, foreign: "unread" in answer.json(),
}


def _names_the_field(fields: dict, body_path: str) -> bool:
    wanted = {part.removesuffix("[]") for part in body_path.split(".")}
    return any(wanted & set(re.split(r"[.\[\]]+", key)) for key in fields)


@pytest.mark.parametrize("label, body_path, key, is_list", _id_cases())
def test_another_tenants_id_in_the_body_is_refused(label, body_path, key, is_list):
    # given: tenant A's admin, an otherwise valid body, and tenant B's object of the field's kind
    method, path, serializer = OPERATIONS[label]
    a, b = build_world(), build_world()
    kind = ID_FIELDS[key]
    own, foreign = OBJECTS[kind](a), OBJECTS[kind](b)
    url = _url(path, a)
    client = APIClient()
    if label in REVIEW_LINK_OPERATIONS:
        client.credentials(**review_link_headers(a))
    else:
        client.force_authenticate(a.admin)
    body = valid_body(label, body_path, a)
    crossed = copy.copy(body) if label in MULTIPART else copy.deepcopy(body)
    place(crossed, serializer, body_path, [foreign] if is_list else foreign, a)
    before = database_fingerprint()
    # when
    refused = _send(client, label, url, crossed)
    # then: 404, or 400 naming the field; and nothing changed
    if label in PER_OBJECT and refused.status_code == 200:
        assert PER_OBJECT[label](refused, foreign), refused.json()
    else:
        assert refused.status_code in (400, 404), (refused.status_code, refused.content[:500])
    if refused.status_code == 400:
        fields = refused.json()["error"]["fields"]
        assert _names_the_field(fields, body_path), (body_path, fields)
    assert database_fingerprint() == before, f"{label} changed the database with {body_path}={foreign}"
    # and the same body with A's own object is accepted: the foreign id was the only thing wrong
    place(body, serializer, body_path, [own] if is_list else own, a)
    accepted = _send(client, label, url, body)
    assert 200 <= accepted.status_code < 300, (accepted.status_code, accepted.content[:500], body)

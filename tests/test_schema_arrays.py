"""Issue 17: the five operations that answer a plain array say so in the schema (they were documented as
paginated objects), and answer one."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

ARRAYS = [
    ("/api/v1/workspaces/{workspace_id}/posts/{post_id}/history/", "get"),
    ("/api/v1/workspaces/{workspace_id}/posts/{post_id}/timeline/", "get"),
    ("/api/v1/workspaces/{workspace_id}/posts/{post_id}/review-comments/", "get"),
    ("/api/v1/workspaces/{workspace_id}/publish-targets/{target_id}/attempts/", "get"),
    ("/api/v1/approvals/queue/bulk-approve/", "post"),
]


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("path", "method"), ARRAYS)
def test_a_plain_list_is_documented_as_an_array(document, path, method):
    paths = document["paths"]
    assert path in paths, sorted(p for p in paths if p.split("/")[-2] == path.split("/")[-2])
    responses = paths[path][method]["responses"]
    ok = responses.get("200") or responses.get("201")
    schema = ok["content"]["application/json"]["schema"]
    assert schema.get("type") == "array", schema

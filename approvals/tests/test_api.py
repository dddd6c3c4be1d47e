"""The approvals API: the reviewer's queue across workspaces (constant queries at 1 and 50 pending),
bulk approve, decisions and their refusals over HTTP, comments anchored to a span, mentions, the timeline,
the diff since the last review, notifications and the bell's unread count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.models import ApprovalDecision, Notification, RequestStatus
from approvals.tests.conftest import edit
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services

pytestmark = pytest.mark.django_db


def queue_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/approvals/queue/")
    assert response.status_code == 200
    return len(captured), response.json()


def pending_for(reviewer, admin, count, workspaces):
    """`count` requests waiting for `reviewer`, spread over `workspaces` (where they are a reviewer)."""
    for index in range(count):
        ws = workspaces[index % len(workspaces)]
        account = SocialAccountFactory(workspace=ws, platform="weibo")
        post = content_services.post_create(
            actor=admin, workspace=ws, targets=[{"account": account.pk, "text": f"Post {index}"}]
        )
        services.approval_request_submit(actor=admin, post=post)


def test_the_queue_answers_in_the_same_number_of_queries_at_1_and_50(client_for):
    # given a reviewer in two workspaces; one named by person, the other by role
    reviewer = WorkspaceMemberFactory(role=Role.REVIEWER).user
    first = WorkspaceMemberFactory.create(user=reviewer, role=Role.REVIEWER).workspace
    second = WorkspaceFactory()
    WorkspaceMemberFactory(workspace=second, user=reviewer, role=Role.REVIEWER)
    admins = {}
    for ws in (first, second):
        admins[ws.pk] = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    workflow_with(admins[first.pk], first, [{"name": "Named", "approver_users": [reviewer.pk]}])
    workflow_with(admins[second.pk], second, [{"name": "By role", "approver_roles": [Role.REVIEWER]}])
    client = client_for(reviewer)
    pending_for(reviewer, admins[first.pk], 1, [first])
    one, body = queue_queries(client)
    assert len(body) == 1
    # when 49 more are waiting, across both workspaces
    for ws in (first, second):
        pending_for(reviewer, admins[ws.pk], 25 if ws == second else 24, [ws])
    fifty, body = queue_queries(client)
    # then
    assert len(body) == 50
    assert {item["workspace"] for item in body} == {first.pk, second.pk}
    assert fifty == one, (one, fifty)


def test_the_queue_leaves_out_decided_and_own_and_other_peoples_requests(
    admin, ws, editor, reviewer_factory, make_post, client_for
):
    lead, other = reviewer_factory(), reviewer_factory()
    workflow_with(admin, ws, [{"name": "Two", "approver_users": [lead.pk, other.pk], "rule": "all"}])
    decided = services.approval_request_submit(actor=editor, post=make_post("A"))
    waiting = services.approval_request_submit(actor=editor, post=make_post("B"))
    services.approval_decide(actor=lead, request=decided, decision="approve")
    body = client_for(lead).get("/api/v1/approvals/queue/").json()
    assert [item["id"] for item in body] == [waiting.pk]
    assert body[0]["preview"] == "B"
    assert client_for(editor).get("/api/v1/approvals/queue/").json() == []


def test_bulk_approve_approves_low_risk_posts_and_reports_the_rest(
    admin, ws, editor, reviewer_factory, make_post, client_for
):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    plain = services.approval_request_submit(actor=editor, post=make_post("Plain news"))
    # An absolute claim under China's advertising law is a compliance finding: not low risk.
    risky = services.approval_request_submit(actor=editor, post=make_post("全网最低价，国家级产品"))
    other_ws = WorkspaceFactory()
    response = client_for(lead).post(
        "/api/v1/approvals/queue/bulk-approve/", {"requests": [plain.pk, risky.pk, 999999]}, format="json"
    )
    assert response.status_code == 200
    results = {r["request"]: r for r in response.json()}
    assert results[plain.pk]["ok"] is True
    assert results[risky.pk] == {**results[risky.pk], "ok": False, "code": "not_low_risk"}
    assert results[999999]["code"] == "not_found"
    plain.refresh_from_db()
    risky.refresh_from_db()
    assert (plain.status, risky.status) == (RequestStatus.APPROVED, RequestStatus.IN_PROGRESS)
    assert other_ws.pk  # (another workspace exists; nothing of it was touched)


def test_deciding_over_http(admin, ws, editor, reviewer_factory, make_post, client_for):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    url = f"/api/v1/workspaces/{ws.pk}/approval-requests/{request.pk}/decide/"
    # an editor's role cannot decide: 403
    assert client_for(editor).post(url, {"decision": "approve"}, format="json").status_code == 403
    # someone of another workspace: 404
    outsider = WorkspaceMemberFactory(workspace=WorkspaceFactory(), role=Role.ADMIN).user
    assert client_for(outsider).post(url, {"decision": "approve"}, format="json").status_code == 404
    # the request seen through the outsider's own workspace: 404 too
    own_ws = outsider.workspace_memberships.get().workspace_id
    own = f"/api/v1/workspaces/{own_ws}/approval-requests/{request.pk}/decide/"
    assert client_for(outsider).post(own, {"decision": "approve"}, format="json").status_code == 404
    assert not ApprovalDecision.objects.exists()
    # the approver: 200; a second decision is a 409 (the request is complete by then)
    answer = client_for(lead).post(url, {"decision": "approve", "comment": "ok"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "approved"
    again = client_for(lead).post(url, {"decision": "approve"}, format="json")
    assert again.status_code == 409


def test_submit_and_gate_over_http(admin, ws, editor, reviewer_factory, make_post, client_for):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    post = make_post()
    client = client_for(editor)
    submitted = client.post(f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/approval/", {}, format="json")
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["stages"][0]["status"] == "in_progress"
    gate = client.get(f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/approval/gate/").json()
    assert gate == {"ok": False, "reason": "in_review", "approved_hash": ""}


def test_comments_anchor_to_a_span_mention_people_and_resolve(
    admin, ws, editor, reviewer_factory, make_post, client_for
):
    lead = reviewer_factory()
    post = make_post("Our best coffee ever")
    target = post.targets.get()
    url = f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/review-comments/"
    answer = client_for(lead).post(
        url,
        {
            "body": f"Legal: avoid 'best' @{editor.email}",
            "target": target.pk,
            "anchor_start": 4,
            "anchor_end": 8,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    comment = answer.json()
    assert comment["anchor_text"] == "best" and comment["mentions"] == [editor.pk]
    assert Notification.objects.filter(recipient=editor, kind="mentioned").count() == 1
    # a span outside the text is refused
    bad = client_for(lead).post(
        url, {"body": "x", "target": target.pk, "anchor_start": 5, "anchor_end": 500}, format="json"
    )
    assert bad.status_code == 400
    # resolve
    done = client_for(editor).patch(f"{url}{comment['id']}/", {"resolved": True}, format="json")
    assert done.status_code == 200 and done.json()["resolved"] is True
    assert client_for(editor).get(url + "?resolved=false").json() == []


def test_the_timeline_and_the_diff_since_the_last_review(
    admin, ws, editor, reviewer_factory, make_post, client_for
):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    post = make_post("Spring menu with the best tea")
    request = services.approval_request_submit(actor=editor, post=post)
    services.approval_decide(actor=lead, request=request, decision="request_changes", comment="No 'best'")
    edit(post, editor, "Spring menu with our tea")
    services.approval_request_submit(actor=editor, post=post)
    client = client_for(lead)
    kinds = [i["kind"] for i in client.get(f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/timeline/").json()]
    assert kinds[0] == "version"
    assert kinds.index("submitted") < kinds.index("decision_request_changes") < kinds.index("submitted", 2)
    diff = client.get(f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/review-diff/").json()
    assert diff["base_version"] == request.post_version and diff["current_version"] > request.post_version
    (row,) = diff["targets"]
    assert (row["before"], row["after"], row["changed"]) == (
        "Spring menu with the best tea",
        "Spring menu with our tea",
        True,
    )
    assert {"op": "replace", "before": "the best", "after": "our"} in row["ops"]


def test_the_bell_counts_unread_and_marks_read(admin, ws, editor, reviewer_factory, make_post, client_for):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    services.approval_request_submit(actor=editor, post=make_post("A"))
    services.approval_request_submit(actor=editor, post=make_post("B"))
    client = client_for(lead)
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    listed = client.get("/api/v1/notifications/").json()["results"]
    assert {n["kind"] for n in listed} == {"review_needed"}
    assert client.post("/api/v1/notifications/read/", {"ids": [listed[0]["id"]]}, format="json").json() == {
        "unread": 1
    }
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"unread": 0}
    # another person's bell is their own
    assert client_for(editor).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_workflow_crud_over_http(admin, ws, editor, reviewer_factory, client_for):
    lead = reviewer_factory()
    client = client_for(admin)
    body = {
        "name": "Legal",
        "stages": [
            {
                "name": "Legal",
                "approver_users": [lead.pk],
                "condition": {"keywords": ["最"]},
                "sla_hours": 24,
                "escalate_to": admin.pk,
            }
        ],
    }
    made = client.post(f"/api/v1/workspaces/{ws.pk}/approval-workflows/", body, format="json")
    assert made.status_code == 201, made.content
    workflow_id = made.json()["id"]
    assert made.json()["stages"][0]["condition"] == {"keywords": ["最"]}
    # an approver from another workspace is a field error
    stranger = WorkspaceMemberFactory(role=Role.REVIEWER).user
    bad = client.patch(
        f"/api/v1/workspaces/{ws.pk}/approval-workflows/{workflow_id}/",
        {"stages": [{"name": "X", "approver_users": [stranger.pk]}]},
        format="json",
    )
    assert bad.status_code == 400 and "stages.0.approver_users" in bad.json()["error"]["fields"]
    policy = client.put(
        f"/api/v1/workspaces/{ws.pk}/approval-policy/",
        {"rules": [{"scope": "all", "workflow": workflow_id}]},
        format="json",
    )
    assert policy.status_code == 200 and policy.json()["rules"][0]["workflow"] == workflow_id
    assert (
        client_for(editor)
        .put(f"/api/v1/workspaces/{ws.pk}/approval-policy/", {"rules": []}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("key", ["accounts", "campaigns", "tags"])
def test_a_condition_naming_another_tenants_ids_is_a_400_and_nothing_changes(
    admin, ws, reviewer_factory, client_for, key
):
    # given: another workspace's account, campaign and tag, and an id of nothing
    from content.tests.factories import CampaignFactory, TagFactory

    lead = reviewer_factory()
    other = WorkspaceFactory()
    theirs = {
        "accounts": SocialAccountFactory(workspace=other).pk,
        "campaigns": CampaignFactory(workspace=other).pk,
        "tags": TagFactory(workspace=other).pk,
    }[key]
    client = client_for(admin)
    base = f"/api/v1/workspaces/{ws.pk}/approval-workflows/"
    for ids in ([theirs], [987654321]):
        # when
        answer = client.post(
            base,
            {
                "name": "Legal",
                "stages": [{"name": "Legal", "approver_users": [lead.pk], "condition": {key: ids}}],
            },
            format="json",
        )
        # then
        assert answer.status_code == 400, answer.content
        assert "stages.0.condition" in answer.json()["error"]["fields"]
        assert str(ids[0]) in answer.json()["error"]["message"]
    from approvals.models import ApprovalWorkflow

    assert not ApprovalWorkflow.objects.filter(workspace=ws, name="Legal").exists()

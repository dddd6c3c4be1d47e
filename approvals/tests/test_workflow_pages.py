"""Settings → Approval workflows: the list with the policy and the route preview, and the create / edit
page. The page calls the same services as the API (same validation, same audit entries)."""

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.models import ApprovalPolicyRule, ApprovalStage, ApprovalWorkflow
from approvals.tests.factories import workflow_with
from core.errors import Conflict
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def stage_fields(index, **values):
    base = {
        "name": "",
        "rule": "any",
        "quorum": "1",
        "sla_hours": "",
        "escalate_after_hours": "0",
        "escalate_to": "",
        "match": "all",
        "keywords": "",
        "approver_emails": "",
        "compliance_findings": "",
        "ORDER": str(index + 1),
    }
    base.update(values)
    return {f"stages-{index}-{key}": value for key, value in base.items()}


def workflow_post(stages, *, initial=0, **values):
    data = {
        "name": "Legal review",
        "active": "on",
        "schedule_when_approved": "on",
        "restart_on_resubmit": "first_stage",
        "stages-TOTAL_FORMS": str(len(stages)),
        "stages-INITIAL_FORMS": str(initial),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    for index, stage in enumerate(stages):
        data.update(stage_fields(index, **stage))
    return data


@pytest.fixture
def lead(reviewer_factory):
    lead = reviewer_factory()
    lead.full_name = "Lena Legal"
    lead.save()
    return lead


def test_the_list_shows_stages_conditions_default_and_policy(admin, ws, lead, editor):
    # given
    workflow_with(
        admin,
        ws,
        [
            {"name": "Manager", "approver_roles": ["manager"], "sla_hours": 8},
            {
                "name": "Legal",
                "approver_users": [lead.pk],
                "rule": "all",
                "condition": {"match": "any", "keywords": ["最"], "finding_kinds": ["adlaw"]},
            },
        ],
        name="Brand",
    )
    # when: an editor (who may view) opens it
    page = signed_in(editor).get(f"/w/{ws.pk}/settings/workflows/")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "Brand" in html and "Default: all posts" in html
    assert "Lena Legal" in html and "Advertising Law" in html and "最" in html
    assert "Any one of" in html and "8 hours" in html and "All approvers" in html
    assert 'data-testid="policy-form"' not in html  # read only for an editor
    assert "/settings/workflows/" in signed_in(admin).get(f"/w/{ws.pk}/").content.decode()


def test_creating_a_workflow_writes_it_and_its_audit_entry(admin, ws, lead):
    data = workflow_post(
        [
            {
                "name": "Legal",
                "approver_users": [str(lead.pk)],
                "rule": "quorum",
                "quorum": "1",
                "sla_hours": "24",
                "finding_kinds": ["adlaw", "disclosure"],
                "keywords": "最, 第一",
                "platforms": ["weibo"],
                "match": "any",
            }
        ]
    )
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/new/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    workflow = ApprovalWorkflow.objects.get(workspace=ws, name="Legal review")
    stage = workflow.stages.get()
    assert stage.condition == {
        "finding_kinds": ["adlaw", "disclosure"],
        "keywords": ["最", "第一"],
        "platforms": ["weibo"],
        "match": "any",
    }
    assert [u.pk for u in stage.approver_users.all()] == [lead.pk] and stage.sla_hours == 24
    assert (
        AuditEvent.objects.filter(action="approval_workflow.create", workspace=ws, actor=admin).count() == 1
    )


def test_editing_reorders_removes_and_adds_stages_with_an_audit_entry(admin, ws, lead):
    # given: A, B, C
    workflow = workflow_with(
        admin,
        ws,
        [{"name": n, "approver_users": [lead.pk]} for n in ("A", "B", "C")],
        name="Chain",
    )
    url = f"/w/{ws.pk}/settings/workflows/{workflow.pk}/"
    assert signed_in(admin).get(url).status_code == 200
    # when: C moves first, B is deleted, D is added at the end
    data = workflow_post(
        [
            {"name": "A", "approver_users": [str(lead.pk)], "ORDER": "2"},
            {"name": "B", "approver_users": [str(lead.pk)], "ORDER": "3", "DELETE": "on"},
            {"name": "C", "approver_users": [str(lead.pk)], "ORDER": "1"},
            {"name": "D", "approver_roles": ["manager"], "ORDER": ""},
        ],
        initial=3,
        name="Chain",
    )
    answer = signed_in(admin).post(url, data)
    # then
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert [s.name for s in workflow.stages.order_by("position")] == ["C", "A", "D"]
    event = AuditEvent.objects.filter(action="approval_workflow.update", workspace=ws).latest("id")
    assert [s["name"] for s in event.after["stages"]] == ["C", "A", "D"]


def test_invalid_input_is_a_400_with_the_message_next_to_the_field_and_nothing_written(admin, ws, lead):
    before = AuditEvent.objects.count()
    # a quorum above the named approvers: the service's rule, shown on the stage's quorum field
    data = workflow_post(
        [{"name": "Legal", "approver_users": [str(lead.pk)], "rule": "quorum", "quorum": "3"}]
    )
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/new/", data)
    html = answer.content.decode()
    assert answer.status_code == 400
    assert 'id="id_stages-0-quorum_error"' in html
    assert "asks for 3 approvals but names only 1 approvers" in html
    # no approver at all: next to the approvers
    data = workflow_post([{"name": "Legal"}])
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/new/", data)
    assert answer.status_code == 400
    assert 'id="id_stages-0-approver_users_error"' in answer.content.decode()
    # no name for the workflow (the API's rule, now in the service)
    data = workflow_post([{"name": "Legal", "approver_users": [str(lead.pk)]}], name="  ")
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/new/", data)
    assert answer.status_code == 400 and 'id="id_name_error"' in answer.content.decode()
    assert not ApprovalWorkflow.objects.filter(workspace=ws).exists()
    assert AuditEvent.objects.count() == before


def test_the_api_refuses_the_same_way(admin, ws, lead):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin)
    body = {"name": " ", "stages": [{"name": "Legal", "approver_users": [lead.pk]}]}
    answer = client.post(f"/api/v1/workspaces/{ws.pk}/approval-workflows/", body, format="json")
    assert answer.status_code == 400 and "name" in answer.json()["error"]["fields"]
    body = {
        "name": "Legal",
        "stages": [
            {"name": "Legal", "approver_users": [lead.pk], "condition": {"finding_kinds": ["gossip"]}}
        ],
    }
    answer = client.post(f"/api/v1/workspaces/{ws.pk}/approval-workflows/", body, format="json")
    assert answer.status_code == 400 and "stages.0.condition" in answer.json()["error"]["fields"]
    # and a finding-kind condition sent by the API is kept (and shown back)
    body["stages"][0]["condition"] = {"finding_kinds": ["adlaw"], "keywords": ["最"], "match": "any"}
    answer = client.post(f"/api/v1/workspaces/{ws.pk}/approval-workflows/", body, format="json")
    assert answer.status_code == 201
    assert answer.json()["stages"][0]["condition"] == body["stages"][0]["condition"]


def test_an_editor_may_not_write(ws, editor, admin, lead):
    workflow = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk]}])
    client = signed_in(editor)
    data = workflow_post([{"name": "Legal", "approver_users": [str(lead.pk)]}])
    assert client.post(f"/w/{ws.pk}/settings/workflows/new/", data).status_code == 403
    assert client.get(f"/w/{ws.pk}/settings/workflows/{workflow.pk}/").status_code == 403
    assert client.post(f"/w/{ws.pk}/settings/workflows/{workflow.pk}/delete/").status_code == 403
    assert client.post(f"/w/{ws.pk}/settings/workflows/", {}).status_code == 403
    assert ApprovalWorkflow.objects.filter(workspace=ws).count() == 1


def test_another_workspaces_workflow_is_a_404(ws, admin):
    other = WorkspaceFactory()
    other_admin = WorkspaceMemberFactory(workspace=other, role=Role.ADMIN).user
    theirs = workflow_with(other_admin, other, [{"name": "X", "approver_users": [other_admin.pk]}])
    client = signed_in(admin)
    assert client.get(f"/w/{ws.pk}/settings/workflows/{theirs.pk}/").status_code == 404
    assert client.post(f"/w/{ws.pk}/settings/workflows/{theirs.pk}/delete/").status_code == 404
    assert ApprovalWorkflow.objects.filter(pk=theirs.pk).exists()


def test_delete_and_the_refusal_for_a_used_workflow(admin, ws, lead, editor, make_post):
    unused = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk]}], apply_to_all=False)
    client = signed_in(admin)
    assert client.post(f"/w/{ws.pk}/settings/workflows/{unused.pk}/delete/").status_code == 302
    assert not ApprovalWorkflow.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="approval_workflow.delete", workspace=ws).exists()
    used = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk]}])
    services.approval_request_submit(actor=editor, post=make_post())
    answer = client.post(f"/w/{ws.pk}/settings/workflows/{used.pk}/delete/", follow=True)
    assert "switch it off" in answer.content.decode()
    assert ApprovalWorkflow.objects.filter(pk=used.pk).exists()


def test_the_policy_is_saved_from_the_page(admin, ws, lead, account):
    workflow = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk]}], apply_to_all=False)
    data = {
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-scope": "accounts",
        "rules-0-accounts": [str(account.pk)],
        "rules-0-workflow": "",
        "rules-0-ORDER": "1",
        "rules-1-scope": "all",
        "rules-1-workflow": str(workflow.pk),
        "rules-1-ORDER": "2",
    }
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/", data)
    assert answer.status_code == 302
    rules = list(ApprovalPolicyRule.objects.filter(workspace=ws).order_by("position"))
    assert [(r.scope, r.workflow_id) for r in rules] == [("accounts", None), ("all", workflow.pk)]
    assert AuditEvent.objects.filter(action="approval_policy.set", workspace=ws).exists()
    # "posts on some accounts" without an account: 400, the message on that rule's accounts
    data["rules-0-accounts"] = []
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/", data)
    assert answer.status_code == 400 and 'id="id_rules-0-accounts_error"' in answer.content.decode()


def test_the_preview_shows_a_skipped_stage_and_why(admin, ws, lead, editor, make_post):
    # given: legal only for posts with an ad-law finding
    workflow_with(
        admin,
        ws,
        [
            {"name": "Manager", "approver_roles": ["manager"]},
            {"name": "Legal", "approver_users": [lead.pk], "condition": {"finding_kinds": ["adlaw"]}},
        ],
        name="Brand",
    )
    plain = make_post("New oolong on the shelves")
    # when
    page = signed_in(editor).get(f"/w/{ws.pk}/settings/workflows/?post={plain.pk}")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-stage="Manager" data-taken="yes"' in html
    assert 'data-stage="Legal" data-taken="no"' in html
    assert "its condition does not match" in html
    assert "Compliance findings: Advertising Law" in html
    # a post of another workspace is not previewed
    other = WorkspaceFactory()
    assert signed_in(editor).get(f"/w/{other.pk}/settings/workflows/?post={plain.pk}").status_code == 404
    assert signed_in(editor).get(f"/w/{ws.pk}/settings/workflows/?post=999999").status_code == 404


def test_the_preview_takes_the_stage_for_a_post_with_such_a_finding(admin, ws, lead, editor, make_post):
    workflow_with(
        admin,
        ws,
        [
            {"name": "Manager", "approver_roles": ["manager"]},
            {"name": "Legal", "approver_users": [lead.pk], "condition": {"finding_kinds": ["adlaw"]}},
        ],
    )
    claim = make_post("全网最好的乌龙茶")
    html = signed_in(editor).get(f"/w/{ws.pk}/settings/workflows/?post={claim.pk}").content.decode()
    assert 'data-stage="Legal" data-taken="yes"' in html and "its condition matches" in html


def test_the_route_preview_agrees_with_submit(admin, ws, lead, editor, make_post):
    from approvals.routing import route_explained

    workflow_with(
        admin,
        ws,
        [
            {"name": "Manager", "approver_roles": ["manager"]},
            {"name": "Legal", "approver_users": [lead.pk], "condition": {"finding_kinds": ["adlaw"]}},
            {"name": "Words", "approver_users": [lead.pk], "condition": {"keywords": ["乌龙"]}},
        ],
    )
    for text in ("全网最好的乌龙茶", "New oolong", "乌龙茶上市"):
        post = make_post(text)
        explained = route_explained(post)
        request = services.approval_request_submit(actor=editor, post=post)
        taken = [s["stage"].name for s in explained["stages"] if s["taken"]]
        assert taken == [s.stage_name for s in request.stage_states.exclude(status="skipped")]


def test_while_a_request_runs_stages_keep_their_place_and_name(admin, ws, lead, editor, make_post):
    workflow = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk], "sla_hours": 4}])
    services.approval_request_submit(actor=editor, post=make_post())
    data = workflow_post(
        [{"name": "A", "approver_users": [str(lead.pk)], "sla_hours": "4"}],
        initial=1,
        name="Renamed",
        active="",
    )
    del data["active"]
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/{workflow.pk}/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    workflow.refresh_from_db()
    assert workflow.name == "Renamed" and not workflow.active and workflow.version == 1
    # changing a stage's SLA then is allowed (the stage stays in its place, under its name) ...
    data["stages-0-sla_hours"] = "8"
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/{workflow.pk}/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert ApprovalStage.objects.get(workflow=workflow).sla_hours == 8
    # ... renaming it (the running request's step is that stage) is a conflict, shown above the stages
    data["stages-0-name"] = "B"
    answer = signed_in(admin).post(f"/w/{ws.pk}/settings/workflows/{workflow.pk}/", data)
    assert answer.status_code == 409 and "Requests are in progress" in answer.content.decode()
    assert ApprovalStage.objects.get(workflow=workflow).name == "A"


def test_the_list_page_queries_do_not_grow_with_workflows(admin, ws, lead, make_post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        workflow_with(
            admin,
            ws,
            [
                {"name": "Manager", "approver_roles": ["manager"], "escalate_to": admin.pk, "sla_hours": 2},
                {"name": "Legal", "approver_users": [lead.pk], "condition": {"finding_kinds": ["adlaw"]}},
            ],
            name=f"Flow {n}",
            apply_to_all=n == 0,
        )
        make_post(f"Post {n}")

    client = signed_in(admin)
    url = f"/w/{ws.pk}/settings/workflows/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(0)
    client.get(url)  # warm up
    at_one = count()
    for n in range(1, 20):
        add(n)
    assert count() == at_one


def test_a_stage_added_while_a_request_runs_applies_to_it_too(admin, ws, lead, editor, make_post):
    # given: a one-stage workflow and a request waiting at that stage
    from approvals.models import ApprovalRequest

    workflow = workflow_with(admin, ws, [{"name": "A", "approver_users": [lead.pk]}])
    running = services.approval_request_submit(actor=editor, post=make_post())
    # when: a second stage is added at the end, and a stage removed is refused
    services.workflow_update(
        actor=admin,
        workflow=workflow,
        stages=[{"name": "A", "approver_users": [lead.pk]}, {"name": "B", "approver_users": [admin.pk]}],
    )
    later = services.approval_request_submit(actor=editor, post=make_post())
    # then: both take the new stage (the running one re-routed: no post skips a stage that applies)
    assert [s.stage_name for s in running.stage_states.order_by("position")] == ["A", "B"]
    assert [s.stage_name for s in later.stage_states.order_by("position")] == ["A", "B"]
    services.approval_decide(actor=lead, request=running, decision="approve")
    running = ApprovalRequest.objects.get(pk=running.pk)
    assert running.status == "in_progress" and running.current_stage.stage_name == "B"
    with pytest.raises(Conflict):
        services.workflow_update(
            actor=admin, workflow=workflow, stages=[{"name": "A", "approver_users": [lead.pk]}]
        )

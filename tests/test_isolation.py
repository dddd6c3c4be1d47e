"""Tenants never see each other.

The matrix walks EVERY route of the project (API and dashboard) whose URL names a workspace or an
organization, fills the other ids from PROVIDERS with objects of a victim's world, and proves that a
signed-in person of another tenant gets 404 for every method the view answers; then that a person asking
for the victim's ids through their OWN workspace or organization URL gets 404 as well. A route with an id
that no provider knows makes the test fail: add a provider for it below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import resolve

from accounts.models import Invitation, Organization, User, Workspace, WorkspaceMember
from accounts.roles import OrgRole, Role, capabilities_for
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from core.api import OrganizationScopedAPIView, ScopedAPIView, WorkspaceScopedAPIView
from tests import all_routes, api_routes, scoped_routes

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """One tenant with one object of each kind: a brand workspace, an agency let into it, and so on."""

    admin: User  # admin of the workspace, owner of the brand and of the agency
    organization: Organization
    workspace: Workspace
    member: WorkspaceMember  # an ordinary member of the workspace
    agency: Organization
    grant: object
    assignment: WorkspaceMember  # an agency person assigned through the grant
    invitation: Invitation
    extras: dict = field(default_factory=dict)  # objects that providers make on demand, by key

    def once(self, key: str, make):
        """The object `make(self)` made the first time this key is asked for, the same one afterwards."""
        if key not in self.extras:
            self.extras[key] = make(self)
        return self.extras[key]


def build_world() -> World:
    admin = UserFactory()
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=admin, role=OrgRole.OWNER)
    workspace = WorkspaceFactory(organization=organization)
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    member = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR)
    agency = AgencyFactory()
    MembershipFactory(organization=agency, user=admin, role=OrgRole.OWNER)
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.MANAGER)
    agency_person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    assignment = WorkspaceMemberFactory(
        workspace=workspace, user=agency_person, role=Role.EDITOR, grant=grant
    )
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=f"invitee-{workspace.pk}@example.com",
        role=Role.VIEWER,
        token_hash=f"{workspace.pk:064d}",
        invited_by=admin,
        expires_at="2999-01-01T00:00:00Z",
    )
    return World(admin, organization, workspace, member, agency, grant, assignment, invitation)


# kwarg -> the id of such an object in a world. Routes under organizations/<organization_id>/ are the
# agency's side, so the organization is the world's agency (which holds the grant and the assignment).
# Objects of other apps are made on demand with `world.once(key, make)`, their factories imported inside
# the provider.
PROVIDERS = {
    "workspace_id": lambda w: w.workspace.pk,
    "organization_id": lambda w: w.agency.pk,
    "member_id": lambda w: w.assignment.pk,
    "invitation_id": lambda w: w.invitation.pk,
    "grant_id": lambda w: w.grant.pk,
    "account_id": lambda w: w.once("account", _social_account).pk,
    "group_id": lambda w: w.once("group", _account_group).pk,
    "platform": lambda w: "weibo",
    # content
    "post_id": lambda w: w.once("post", _post).pk,
    "media_id": lambda w: w.once("media", _media).pk,
    "campaign_id": lambda w: w.once("campaign", _campaign).pk,
    "tag_group_id": lambda w: w.once("tag_group", _tag_group).pk,
    "tag_id": lambda w: w.once("tag", _tag).pk,
    "banned_word_id": lambda w: w.once("banned_word", _banned_word).pk,
    "slot_id": lambda w: w.once("slot", _posting_slot).pk,
    "import_id": lambda w: w.once("import_job", _import_job).pk,
    # publishing
    "webhook_id": lambda w: w.once("webhook", _webhook).pk,
    "delivery_id": lambda w: w.once("webhook_delivery", _webhook_delivery).pk,
    "target_id": lambda w: w.once("post", _post).targets.first().pk,
    "variant_id": lambda w: w.once("wechat_variant", _wechat_variant).pk,  # a WeChat OA variant
    # approvals
    "workflow_id": lambda w: w.once("workflow", _approval_workflow).pk,
    "request_id": lambda w: w.once("approval_request", _approval_request).pk,
    "comment_id": lambda w: w.once("review_comment", _review_comment).pk,
    "link_id": lambda w: w.once("review_link", _review_link).pk,
    # analytics
    "custom_metric_id": lambda w: w.once("custom_metric", _custom_metric).pk,
    "export_id": lambda w: w.once("export_job", _export_job).pk,
    "scheduled_report_id": lambda w: w.once("scheduled_report", _scheduled_report).pk,
    # lifecycle
    "workspace_export_id": lambda w: w.once("workspace_export", _workspace_export).pk,
    # budgets
    "budget_id": lambda w: w.once("budget_line", _budget_line).budget_id,
    "line_id": lambda w: w.once("budget_line", _budget_line).pk,
    "spend_id": lambda w: w.once("spend", _spend).pk,
    "rate_id": lambda w: w.once("exchange_rate", _exchange_rate).pk,
    # competitors
    "competitor_id": lambda w: w.once("competitor", _competitor).pk,
    "rival_import_id": lambda w: w.once("rival_import", _rival_import).pk,
    "benchmark_schedule_id": lambda w: w.once("benchmark_schedule", _benchmark_schedule).pk,
    # objectives
    "objective_id": lambda w: w.once("objective", _objective).pk,
    # inbox
    "item_id": lambda w: w.once("inbox_item", _inbox_item).pk,
    "fan_id": lambda w: w.once("inbox_item", _inbox_item).fan_id,
    "saved_reply_id": lambda w: w.once("saved_reply", _saved_reply).pk,
    "rule_id": lambda w: w.once("inbox_rule", _inbox_rule).pk,
    "view_id": lambda w: w.once("inbox_view", _inbox_view).pk,
    "reply_id": lambda w: w.once("inbox_reply", _inbox_reply).pk,
}
# Kwargs that name no tenant's object (every tenant uses the same values): filled, never swapped.
NOT_OBJECT_IDS = {"workspace_id", "organization_id", "platform"}


def _inbox_item(world: World):
    from inbox.tests.factories import InboxItemFactory

    return InboxItemFactory(conversation__account=world.once("account", _social_account))


def _inbox_reply(world: World):
    from inbox.models import InboxReply

    item = world.once("inbox_item", _inbox_item)
    return InboxReply.objects.create(workspace=world.workspace, item=item, text="谢谢", status="awaiting")


def _inbox_view(world: World):
    from inbox.models import SavedQueueView

    return SavedQueueView.objects.create(
        workspace=world.workspace, user=world.admin, name="差评", query="sentiment=negative"
    )


def _inbox_rule(world: World):
    from inbox.models import InboxRule

    return InboxRule.objects.create(
        workspace=world.workspace, name="Shipping", keywords=["发货"], add_tags=["物流"]
    )


def _saved_reply(world: World):
    from inbox.models import SavedReply

    return SavedReply.objects.create(workspace=world.workspace, name="Thanks", body="Thanks {fan}!")


def _social_account(world: World):
    from channels_app.tests.factories import SocialAccountFactory

    return SocialAccountFactory(workspace=world.workspace)


def _account_group(world: World):
    from channels_app.tests.factories import AccountGroupFactory

    return AccountGroupFactory(workspace=world.workspace)


def _wechat_variant(world: World):
    from channels_app.tests.factories import SocialAccountFactory
    from content.tests.factories import PostTargetFactory

    account = SocialAccountFactory(workspace=world.workspace, platform="wechat_oa")
    return PostTargetFactory(post__workspace=world.workspace, account=account)


def _post(world: World):
    from content.tests.factories import PostTargetFactory

    return PostTargetFactory(
        post__workspace=world.workspace, account=world.once("account", _social_account)
    ).post


def _media(world: World):
    from content.tests.factories import MediaAssetFactory

    return MediaAssetFactory(workspace=world.workspace)


def _campaign(world: World):
    from content.tests.factories import CampaignFactory

    return CampaignFactory(workspace=world.workspace)


def _tag_group(world: World):
    from content.tests.factories import TagGroupFactory

    return TagGroupFactory(workspace=world.workspace)


def _tag(world: World):
    from content.tests.factories import TagFactory

    return TagFactory(group=world.once("tag_group", _tag_group))


def _banned_word(world: World):
    from content.tests.factories import BannedWordFactory

    return BannedWordFactory(workspace=world.workspace)


def _posting_slot(world: World):
    from content.tests.factories import PostingSlotFactory

    return PostingSlotFactory(workspace=world.workspace, account=world.once("account", _social_account))


def _export_job(world: World):
    from analytics.models import ExportJob

    # Done, with a file: the download route would answer if the tenancy check let it through.
    job = ExportJob(workspace=world.workspace, kind="posts", format="csv", status="done", file_name="x.csv")
    job.save()
    from django.core.files.base import ContentFile

    job.file.save("x.csv", ContentFile(b"a,b\r\n"), save=True)
    return job


def _workspace_export(world: World):
    from django.core.files.base import ContentFile

    from lifecycle.models import WorkspaceExport

    # Done, with a file: the download would answer if the tenancy check let it through.
    job = WorkspaceExport.objects.create(workspace=world.workspace, status="done", file_name="x.zip")
    job.file.save("x.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    return job


def _scheduled_report(world: World):
    from analytics.models import ScheduledReport

    report = ScheduledReport.objects.create(workspace=world.workspace, name="Weekly", frequency="weekly")
    report.recipients.add(world.admin)
    return report


def _import_job(world: World):
    from content.models import ImportJob

    return ImportJob.objects.create(workspace=world.workspace, status=ImportJob.Status.READY, total_rows=1)


def _webhook(world: World):
    from publishing.tests.factories import WebhookEndpointFactory

    return WebhookEndpointFactory(workspace=world.workspace)


def _approval_workflow(world: World):
    from approvals.tests.factories import ApprovalWorkflowFactory

    return ApprovalWorkflowFactory(workspace=world.workspace)


def _approval_request(world: World):
    from approvals.tests.factories import ApprovalRequestFactory

    return ApprovalRequestFactory(
        post=world.once("post", _post), workflow=world.once("workflow", _approval_workflow)
    )


def _review_comment(world: World):
    from approvals.tests.factories import PostCommentFactory

    return PostCommentFactory(post=world.once("post", _post))


def _review_link(world: World):
    from approvals.tests.factories import ReviewLinkFactory

    return ReviewLinkFactory(request=world.once("approval_request", _approval_request))


def _custom_metric(world: World):
    from analytics.models import CustomMetric

    return CustomMetric.objects.create(workspace=world.workspace, name="Per 1k", formula="likes / 1000")


def _budget_line(world: World):
    from budgets.tests.factories import BudgetLineFactory

    return BudgetLineFactory(budget__workspace=world.workspace)


def _spend(world: World):
    from django.core.files.base import ContentFile

    from budgets.tests.factories import SpendEntryFactory

    # With a receipt: its download would answer if the tenancy check let it through.
    entry = SpendEntryFactory(line=world.once("budget_line", _budget_line))
    entry.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return entry


def _objective(world: World):
    from objectives.tests.factories import ObjectiveFactory

    return ObjectiveFactory(workspace=world.workspace)


def _exchange_rate(world: World):
    from budgets.tests.factories import ExchangeRateFactory

    return ExchangeRateFactory(workspace=world.workspace)


def _competitor(world: World):
    from competitors.tests.factories import benchmarked_brand

    brand, _account = benchmarked_brand(world.workspace)
    return brand


def _benchmark_schedule(world: World):
    from competitors.models import BenchmarkSchedule

    return BenchmarkSchedule.objects.create(
        workspace=world.workspace, name="weekly", frequency="weekly", addresses=["a@example.com"]
    )


def _rival_import(world: World):
    from competitors.models import RivalImport

    return RivalImport.objects.create(workspace=world.workspace, original_name="rivals.csv", status="done")


def _webhook_delivery(world: World):
    from publishing.tests.factories import WebhookDeliveryFactory

    return WebhookDeliveryFactory(endpoint=world.once("webhook", _webhook))


def fill(route, world: World, override: World | None = None, override_kwarg: str | None = None) -> str:
    unknown = [name for name in route.kwargs if name not in PROVIDERS]
    if unknown:
        pytest.fail(
            f"Route {route} has URL kwarg(s) {unknown} that the isolation matrix cannot fill: add a "
            f"provider for each to PROVIDERS in tests/test_isolation.py (return the id of such an object "
            f"in the world)."
        )
    values = {name: PROVIDERS[name](world) for name in route.kwargs}
    if override_kwarg:
        values[override_kwarg] = PROVIDERS[override_kwarg](override)
    path = route.path(values)
    assert resolve(path).func is route.callback, f"{path} does not resolve to {route}"
    return path


def request(client: Client, method: str, path: str):
    return client.generic(method, path, data="{}", content_type="application/json")


def assert_not_found(client: Client, route, path: str) -> None:
    answers = {method: request(client, method, path).status_code for method in route.allowed_methods()}
    if route.view_class is None:
        # A function view does not say which methods it answers; refusing a method (405) reveals nothing.
        assert set(answers.values()) <= {404, 405} and 404 in answers.values(), (path, answers)
    else:
        assert set(answers.values()) == {404}, (path, answers)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


SCOPED = scoped_routes()
WITH_OBJECT_IDS = [route for route in SCOPED if set(route.kwargs) - NOT_OBJECT_IDS]


def test_the_matrix_sees_the_api_and_the_dashboard():
    # Guards against a resolver walk that silently finds nothing.
    assert sum(route.is_api for route in SCOPED) >= 14
    assert any(not route.is_api for route in SCOPED), "dashboard routes with <workspace_id> are expected"


@pytest.mark.parametrize("route", SCOPED, ids=str)
def test_another_tenant_gets_404_for_every_method(route):
    # given
    victim, attacker = build_world(), build_world()
    path = fill(route, victim)
    # when / then
    assert_not_found(signed_in(attacker.admin), route, path)


@pytest.mark.parametrize("route", WITH_OBJECT_IDS, ids=str)
def test_victim_ids_through_your_own_scope_are_404(route):
    # given: the attacker is admin of their own workspace and owner of their own agency
    victim, attacker = build_world(), build_world()
    client = signed_in(attacker.admin)
    for kwarg in set(route.kwargs) - NOT_OBJECT_IDS:
        # when: every id is the attacker's own except this one, which is the victim's
        path = fill(route, attacker, override=victim, override_kwarg=kwarg)
        # then
        assert_not_found(client, route, path)


# Routes about one person's own things (no workspace or organization in the URL) that name an object by
# an integer id: another person asking for it gets 404 too.
PERSONAL_PROVIDERS = {
    "token_id": lambda w: w.once("token", _personal_token).pk,
    "feed_id": lambda w: w.once("ical_feed", _ical_feed).pk,
}
PERSONAL = [route for route in all_routes() if not route.scope_kwarg and "<int:" in route.route]


def _personal_token(world: World):
    from accounts.services import personal_token_create

    token, _plain = personal_token_create(actor=world.admin, name="script")
    return token


def _ical_feed(world: World):
    from content.services import ical_feed_create

    feed, _secret = ical_feed_create(actor=world.admin, name="calendar")
    return feed


@pytest.mark.parametrize("route", PERSONAL, ids=str)
def test_another_persons_things_are_404(route):
    # given
    victim, attacker = build_world(), build_world()
    unknown = [name for name in route.kwargs if name not in PERSONAL_PROVIDERS]
    assert not unknown, (
        f"{route}: add a provider for {unknown} to PERSONAL_PROVIDERS in tests/test_isolation.py"
    )
    path = route.path({name: PERSONAL_PROVIDERS[name](victim) for name in route.kwargs})
    # when / then
    assert_not_found(signed_in(attacker.admin), route, path)
    if "token" in victim.extras:  # and the victim's token still works
        victim.extras["token"].refresh_from_db()
        assert victim.extras["token"].revoked_at is None


def test_own_scope_urls_are_reachable():
    # The 404s above mean something only if the same URLs with the attacker's own ids work.
    world = build_world()
    client = signed_in(world.admin)
    for route in WITH_OBJECT_IDS:
        if "GET" in route.allowed_methods():
            assert client.get(fill(route, world)).status_code == 200, route


@pytest.mark.parametrize("route", api_routes(), ids=str)
def test_every_api_view_inherits_the_right_scoped_base(route):
    view_class = route.view_class
    assert view_class is not None and issubclass(view_class, ScopedAPIView), (
        f"{route}: API views must inherit a base from core.api"
    )
    if "workspace_id" in route.kwargs:
        assert issubclass(view_class, WorkspaceScopedAPIView), route
    elif "organization_id" in route.kwargs:
        assert issubclass(view_class, OrganizationScopedAPIView), route
    assert view_class.required_capabilities, f"{route}: declare required_capabilities per HTTP method"


def test_sealed_hooks_cannot_be_overridden():
    with pytest.raises(TypeError, match="sealed"):

        class Sneaky(WorkspaceScopedAPIView):
            def get_queryset(self):
                return Workspace.objects.all()

    with pytest.raises(TypeError, match="sealed"):

        class Sneakier(OrganizationScopedAPIView):
            def dispatch(self, request, *args, **kwargs):
                return super().dispatch(request, *args, **kwargs)


# --- agencies -----------------------------------------------------------------------------------------


def api(user: User):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def agency_setup():
    """A client brand with two workspaces; an agency let into the first one up to `editor`."""
    client_org = OrganizationFactory()
    client_admin = MembershipFactory(organization=client_org, role=OrgRole.OWNER).user
    granted = WorkspaceFactory(organization=client_org)
    other = WorkspaceFactory(organization=client_org)
    agency = AgencyFactory()
    agency_owner = MembershipFactory(organization=agency, role=OrgRole.OWNER).user
    person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    response = api(client_admin).post(
        f"/api/v1/workspaces/{granted.pk}/agency-grants/",
        {"agency": agency.pk, "role_ceiling": Role.EDITOR},
        format="json",
    )
    assert response.status_code == 201, response.json()
    grant_id = response.json()["id"]
    return dict(
        client_admin=client_admin,
        granted=granted,
        other=other,
        agency=agency,
        agency_owner=agency_owner,
        person=person,
        grant_id=grant_id,
    )


def assign(setup, role=Role.EDITOR):
    return api(setup["agency_owner"]).post(
        f"/api/v1/organizations/{setup['agency'].pk}/received-grants/{setup['grant_id']}/assignments/",
        {"user": setup["person"].pk, "role": role},
        format="json",
    )


def test_agency_person_sees_exactly_the_granted_workspace(agency_setup):
    # given
    s = agency_setup
    assert assign(s).status_code == 201
    person = api(s["person"])
    # when
    listed = person.get("/api/v1/workspaces/").json()["results"]
    # then
    assert [w["id"] for w in listed] == [s["granted"].pk]
    assert person.get(f"/api/v1/workspaces/{s['granted'].pk}/").status_code == 200
    assert person.get(f"/api/v1/workspaces/{s['other'].pk}/").status_code == 404


def test_unassigned_agency_people_see_nothing(agency_setup):
    # given: a grant exists but nobody was assigned
    person = api(agency_setup["person"])
    # then
    assert person.get("/api/v1/workspaces/").json()["results"] == []
    assert person.get(f"/api/v1/workspaces/{agency_setup['granted'].pk}/").status_code == 404


def test_agency_person_acts_within_the_ceiling(agency_setup):
    # given
    s = agency_setup
    assert assign(s).status_code == 201
    person = api(s["person"])
    workspace_id = s["granted"].pk
    # when
    me = person.get("/api/v1/me/").json()
    # then
    (access,) = me["workspaces"]
    assert access["via"] == "agency"
    assert set(access["capabilities"]) <= capabilities_for(Role.EDITOR)
    assert person.get(f"/api/v1/workspaces/{workspace_id}/members/").status_code == 200
    assert (
        person.patch(f"/api/v1/workspaces/{workspace_id}/", {"name": "x"}, format="json").status_code == 403
    )
    assert person.get(f"/api/v1/workspaces/{workspace_id}/audit-events/").status_code == 403
    # and the agency cannot assign above the ceiling
    s["person"] = MembershipFactory(organization=s["agency"]).user
    refused = assign(s, role=Role.MANAGER)
    assert refused.status_code == 400
    assert "role" in refused.json()["error"]["fields"]


def test_lowering_the_ceiling_lowers_assigned_people_at_once(agency_setup):
    # given
    s = agency_setup
    assert assign(s).status_code == 201
    workspace_id = s["granted"].pk
    # when
    response = api(s["client_admin"]).patch(
        f"/api/v1/workspaces/{workspace_id}/agency-grants/{s['grant_id']}/",
        {"role_ceiling": Role.VIEWER},
        format="json",
    )
    # then
    assert response.status_code == 200
    me = api(s["person"]).get("/api/v1/me/").json()
    assert me["workspaces"][0]["role"] == Role.VIEWER
    assert set(me["workspaces"][0]["capabilities"]) == capabilities_for(Role.VIEWER)


def test_revoking_the_grant_ends_access_at_once(agency_setup):
    # given
    s = agency_setup
    assert assign(s).status_code == 201
    person = api(s["person"])
    workspace_id = s["granted"].pk
    assert person.get(f"/api/v1/workspaces/{workspace_id}/").status_code == 200
    # when
    response = api(s["client_admin"]).delete(
        f"/api/v1/workspaces/{workspace_id}/agency-grants/{s['grant_id']}/"
    )
    # then
    assert response.status_code == 204
    assert person.get(f"/api/v1/workspaces/{workspace_id}/").status_code == 404
    assert person.get("/api/v1/workspaces/").json()["results"] == []
    assert person.get(f"/api/v1/workspaces/{workspace_id}/members/").status_code == 404
    # and the agency no longer sees the grant
    owner = api(s["agency_owner"])
    assert owner.get(f"/api/v1/organizations/{s['agency'].pk}/received-grants/").json()["results"] == []
    assert (
        owner.get(
            f"/api/v1/organizations/{s['agency'].pk}/received-grants/{s['grant_id']}/assignments/"
        ).status_code
        == 404
    )


def test_leaving_the_agency_ends_access(agency_setup):
    # given
    s = agency_setup
    assert assign(s).status_code == 201
    # when
    s["person"].memberships.filter(organization=s["agency"]).delete()
    # then
    assert api(s["person"]).get(f"/api/v1/workspaces/{s['granted'].pk}/").status_code == 404


# --- budgets: an agency person sees only the lines assigned to their agency ------------------------------

BUDGET_KWARGS = {"budget_id", "line_id", "spend_id"}
AGENCY_LINE_ROUTES = [route for route in SCOPED if set(route.kwargs) & BUDGET_KWARGS]


def test_the_agency_line_matrix_sees_the_api_and_the_pages():
    assert any(route.is_api for route in AGENCY_LINE_ROUTES)
    assert any(not route.is_api for route in AGENCY_LINE_ROUTES)


@pytest.mark.parametrize("route", AGENCY_LINE_ROUTES, ids=str)
def test_an_agency_person_gets_404_for_lines_not_of_their_agency(route):
    # given: a manager let in through an agency grant; the world's budget line belongs to the client
    world = build_world()
    person = MembershipFactory(organization=world.agency, role=OrgRole.MEMBER).user
    WorkspaceMemberFactory(workspace=world.workspace, user=person, role=Role.MANAGER, grant=world.grant)
    path = fill(route, world)
    # when / then: every method on the client's budget, line or spend is a 404
    assert_not_found(signed_in(person), route, path)
    # and once the line is the agency's, the same URL opens (the 404 above means something)
    from budgets.models import BudgetLine

    BudgetLine.objects.filter(workspace=world.workspace).update(agency=world.agency)
    if "GET" in route.allowed_methods():
        plan_page = route.route.endswith("/edit/")  # the plan is the client's: 403, yet no longer 404
        assert signed_in(person).get(path).status_code == (403 if plan_page else 200), route

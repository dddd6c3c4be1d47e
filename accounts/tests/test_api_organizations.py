import pytest

from accounts.models import Membership, Organization
from accounts.roles import OrgRole
from accounts.tests.factories import AgencyFactory, MembershipFactory, OrganizationFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_list_shows_only_my_organizations_with_my_role(client_for, user):
    # given
    mine = MembershipFactory(user=user, role=OrgRole.MEMBER)
    OrganizationFactory()
    # when
    response = client_for(user).get("/api/v1/organizations/")
    # then
    assert response.status_code == 200
    assert [(o["id"], o["role"]) for o in response.json()["results"]] == [(mine.organization_id, "member")]


def test_create_makes_the_creator_owner(client_for, user):
    # when
    response = client_for(user).post(
        "/api/v1/organizations/",
        {"name": "Blue Whale", "slug": "blue-whale", "kind": "agency"},
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["slug"], body["kind"], body["role"]) == (
        "Blue Whale",
        "blue-whale",
        "agency",
        "owner",
    )
    organization = Organization.objects.get(pk=body["id"])
    assert Membership.objects.get(organization=organization).user == user
    assert Membership.objects.get(organization=organization).role == OrgRole.OWNER
    assert AuditEvent.objects.filter(action="organization.created", organization=organization).exists()


def test_detail_and_members_for_any_member(client_for):
    # given
    membership = MembershipFactory(role=OrgRole.MEMBER)
    colleague = MembershipFactory(organization=membership.organization, role=OrgRole.OWNER)
    client = client_for(membership.user)
    # when
    detail = client.get(f"/api/v1/organizations/{membership.organization_id}/")
    members = client.get(f"/api/v1/organizations/{membership.organization_id}/members/")
    # then
    assert detail.status_code == 200
    assert detail.json()["role"] == "member"
    assert {m["user"]["email"]: m["role"] for m in members.json()["results"]} == {
        membership.user.email: "member",
        colleague.user.email: "owner",
    }


def test_patch_needs_organization_manage(client_for):
    # given
    membership = MembershipFactory(role=OrgRole.MEMBER)
    url = f"/api/v1/organizations/{membership.organization_id}/"
    # when
    response = client_for(membership.user).patch(url, {"name": "Renamed"}, format="json")
    # then
    assert response.status_code == 403
    membership.organization.refresh_from_db()
    assert membership.organization.name != "Renamed"


def test_admin_renames_the_organization(client_for):
    # given
    membership = MembershipFactory(role=OrgRole.ADMIN)
    url = f"/api/v1/organizations/{membership.organization_id}/"
    # when
    response = client_for(membership.user).patch(url, {"name": "Renamed", "slug": "renamed"}, format="json")
    # then
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["slug"]) == ("Renamed", "renamed")
    event = AuditEvent.objects.get(action="organization.updated")
    assert event.after == {"name": "Renamed", "slug": "renamed"}


def test_patch_to_a_taken_slug_is_refused(client_for):
    # given
    membership = MembershipFactory(role=OrgRole.OWNER)
    AgencyFactory(slug="taken")
    # when
    response = client_for(membership.user).patch(
        f"/api/v1/organizations/{membership.organization_id}/", {"slug": "taken"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["slug"]
    membership.organization.refresh_from_db()
    assert membership.organization.slug != "taken"

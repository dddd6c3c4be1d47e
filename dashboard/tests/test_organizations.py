"""New organization, organization settings and new workspace: the pages call the services the API's
organizations/ and workspaces/ endpoints call, with the same refusals next to their fields."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Organization, Workspace, WorkspaceMember
from accounts.roles import OrgRole, Role
from accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory, WorkspaceFactory
from core.models import AuditEvent
from dashboard.context_processors import LAST_WORKSPACE_SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    membership = MembershipFactory(
        role=OrgRole.OWNER, organization__name="Lotus Tea", organization__slug="lotus"
    )
    client.force_login(membership.user)
    return membership


# --- new organization ------------------------------------------------------------------------------


def test_a_person_without_a_workspace_is_offered_a_new_organization(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("dashboard:organization_new") in html
    assert reverse("dashboard:workspace_new") not in html  # no organization to put one in yet


def test_a_new_organization_makes_its_creator_owner_and_is_audited(client, user):
    # given
    client.force_login(user)
    # when
    response = client.post(
        reverse("dashboard:organization_new"), {"name": "Peony Skincare", "slug": "peony", "kind": "brand"}
    )
    # then
    organization = Organization.objects.get(slug="peony")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('dashboard:workspace_new')}?organization={organization.pk}"
    assert Membership.objects.get(organization=organization, user=user).role == OrgRole.OWNER
    event = AuditEvent.objects.get(action="organization.created", organization=organization)
    assert event.actor == user and event.after["name"] == "Peony Skincare"


def test_a_taken_slug_is_refused_next_to_the_slug_field_and_nothing_is_created(client, user):
    # given
    OrganizationFactory(slug="peony")
    client.force_login(user)
    # when
    response = client.post(reverse("dashboard:organization_new"), {"name": "Peony", "slug": "peony"})
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_slug_error"' in html and "This slug is already taken." in html
    assert Organization.objects.filter(slug="peony").count() == 1
    assert not AuditEvent.objects.filter(action="organization.created").exists()


def test_a_slug_with_spaces_is_refused_with_the_services_message(client, user):
    client.force_login(user)
    response = client.post(reverse("dashboard:organization_new"), {"name": "Peony", "slug": "peony skin"})
    assert response.status_code == 400
    assert "Use letters, numbers, hyphens or underscores." in response.content.decode()
    assert not Organization.objects.exists()


def test_new_organization_needs_sign_in(client):
    response = client.get(reverse("dashboard:organization_new"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- organization settings -------------------------------------------------------------------------


def settings_url(organization) -> str:
    return reverse("dashboard:organization_settings", args=[organization.pk])


def test_the_settings_page_shows_the_organization_and_is_in_the_user_menu(client, owner):
    WorkspaceFactory(organization=owner.organization, name="Lotus Tea China")
    response = client.get(settings_url(owner.organization))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Lotus Tea"' in html and "Lotus Tea China" in html
    assert html.count(settings_url(owner.organization)) >= 1  # the user menu links here


def test_renaming_the_organization_is_saved_and_audited(client, owner):
    # when
    response = client.post(settings_url(owner.organization), {"name": "Lotus Tea Group", "slug": "lotus"})
    # then
    assert response.status_code == 302
    owner.organization.refresh_from_db()
    assert owner.organization.name == "Lotus Tea Group"
    event = AuditEvent.objects.get(action="organization.updated", organization=owner.organization)
    assert event.before == {"name": "Lotus Tea"} and event.after == {"name": "Lotus Tea Group"}


def test_an_empty_name_is_refused_next_to_the_name_field(client, owner):
    response = client.post(settings_url(owner.organization), {"name": "  ", "slug": "lotus"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in html
    owner.organization.refresh_from_db()
    assert owner.organization.name == "Lotus Tea"
    assert not AuditEvent.objects.filter(action="organization.updated").exists()


def test_a_slug_another_organization_has_is_refused(client, owner):
    OrganizationFactory(slug="taken")
    response = client.post(settings_url(owner.organization), {"name": "Lotus Tea", "slug": "taken"})
    assert response.status_code == 400
    assert "This slug is already taken." in response.content.decode()
    owner.organization.refresh_from_db()
    assert owner.organization.slug == "lotus"


def test_a_plain_member_of_the_organization_is_refused(client):
    membership = MembershipFactory(role=OrgRole.MEMBER)
    client.force_login(membership.user)
    assert client.get(settings_url(membership.organization)).status_code == 403
    response = client.post(settings_url(membership.organization), {"name": "Mine now", "slug": "mine"})
    assert response.status_code == 403
    membership.organization.refresh_from_db()
    assert membership.organization.name != "Mine now"


def test_another_organization_is_not_found(client, owner):
    assert client.get(settings_url(OrganizationFactory())).status_code == 404


# --- new workspace ---------------------------------------------------------------------------------


def test_the_switcher_offers_a_new_workspace_to_organization_admins_only(client, owner):
    workspace = WorkspaceFactory(organization=owner.organization)
    html = client.get(reverse("dashboard:workspace_home", args=[workspace.pk])).content.decode()
    assert 'data-testid="switcher-new-workspace"' in html
    member = UserFactory()
    WorkspaceMember.objects.create(workspace=workspace, user=member, role=Role.ADMIN)
    client.force_login(member)
    html = client.get(reverse("dashboard:workspace_home", args=[workspace.pk])).content.decode()
    assert 'data-testid="switcher-new-workspace"' not in html


def test_the_new_workspace_form_offers_the_organizations_the_person_administers(client, owner):
    MembershipFactory(user=owner.user, role=OrgRole.MEMBER, organization__name="Somebody Else's")
    response = client.get(reverse("dashboard:workspace_new"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lotus Tea" in html and "Somebody Else&#x27;s" not in html


def test_a_new_workspace_makes_its_creator_admin_is_audited_and_opens(client, owner):
    # when
    response = client.post(
        reverse("dashboard:workspace_new"),
        {
            "organization": owner.organization.pk,
            "name": "Lotus Tea Japan",
            "slug": "japan",
            "timezone": "Asia/Tokyo",
            "language": "en",
            "currency": "JPY",
        },
    )
    # then
    workspace = Workspace.objects.get(organization=owner.organization, slug="japan")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:workspace_home", args=[workspace.pk])
    assert (workspace.name, workspace.timezone, workspace.currency) == (
        "Lotus Tea Japan",
        "Asia/Tokyo",
        "JPY",
    )
    assert WorkspaceMember.objects.get(workspace=workspace, user=owner.user).role == Role.ADMIN
    assert AuditEvent.objects.filter(
        action="workspace.created", workspace=workspace, actor=owner.user
    ).exists()
    assert client.session[LAST_WORKSPACE_SESSION_KEY] == workspace.pk


def test_a_duplicate_workspace_slug_is_refused_next_to_the_slug_field(client, owner):
    WorkspaceFactory(organization=owner.organization, slug="china")
    response = client.post(
        reverse("dashboard:workspace_new"),
        {
            "organization": owner.organization.pk,
            "name": "China again",
            "slug": "china",
            "timezone": "Asia/Shanghai",
            "language": "zh-hans",
            "currency": "CNY",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        'id="id_slug_error"' in html and "This organization already has a workspace with this slug." in html
    )
    assert Workspace.objects.filter(organization=owner.organization).count() == 1
    assert not AuditEvent.objects.filter(action="workspace.created").exists()


def test_an_organization_the_person_does_not_administer_is_refused_next_to_its_field(client, owner):
    other = MembershipFactory(user=owner.user, role=OrgRole.MEMBER).organization
    response = client.post(
        reverse("dashboard:workspace_new"),
        {
            "organization": other.pk,
            "name": "Sneaky",
            "slug": "sneaky",
            "timezone": "Asia/Shanghai",
            "language": "zh-hans",
            "currency": "CNY",
        },
    )
    assert response.status_code == 400
    assert 'id="id_organization_error"' in response.content.decode()
    assert not Workspace.objects.filter(slug="sneaky").exists()


def test_a_person_who_administers_no_organization_is_refused(client):
    membership = MembershipFactory(role=OrgRole.MEMBER)
    client.force_login(membership.user)
    assert client.get(reverse("dashboard:workspace_new")).status_code == 403

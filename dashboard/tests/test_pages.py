import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from dashboard.context_processors import SECTIONS

pytestmark = pytest.mark.django_db


def test_anonymous_home_goes_to_sign_in(client):
    # when
    response = client.get(reverse("dashboard:home"))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_without_workspace_shows_friendly_page(client, user):
    # given
    client.force_login(user)
    # when
    response = client.get(reverse("dashboard:home"))
    # then
    assert response.status_code == 200
    assert "have a workspace yet" in response.content.decode()


def test_home_opens_first_then_last_used_workspace(client, member_factory):
    # given
    organization = OrganizationFactory(name="Acme")
    first = WorkspaceFactory(organization=organization, name="Alpha")
    second = WorkspaceFactory(organization=organization, name="Beta")
    person = member_factory(first, role=Role.EDITOR).user
    member_factory(second, role=Role.EDITOR, user=person)
    client.force_login(person)
    # when
    before = client.get(reverse("dashboard:home"))
    client.get(reverse("dashboard:workspace_home", args=[second.pk]))
    after = client.get(reverse("dashboard:home"))
    # then
    assert before["Location"] == reverse("dashboard:workspace_home", args=[first.pk])
    assert after["Location"] == reverse("dashboard:workspace_home", args=[second.pk])


def test_workspace_home_shows_navigation_and_grouped_switcher(client, workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    other_org = OrganizationFactory(name="Zeta Group")
    other = WorkspaceFactory(organization=other_org, name="Zeta Brand")
    member_factory(other, role=Role.VIEWER, user=admin)
    client.force_login(admin)
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    for section in SECTIONS:
        assert reverse(f"dashboard:{section.key}", args=[workspace.pk]) in html
    assert reverse("dashboard:members", args=[workspace.pk]) in html
    assert reverse("dashboard:audit", args=[workspace.pk]) in html
    assert workspace.organization.name in html and "Zeta Group" in html
    assert reverse("dashboard:workspace_home", args=[other.pk]) in html


def test_viewer_sees_only_sections_their_role_allows(client, workspace, member_factory):
    # given
    viewer = member_factory(workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert reverse("dashboard:calendar", args=[workspace.pk]) in html
    assert reverse("dashboard:analytics", args=[workspace.pk]) not in html
    assert reverse("dashboard:audit", args=[workspace.pk]) not in html
    assert reverse("dashboard:workspace_settings", args=[workspace.pk]) not in html


def test_stranger_gets_404_for_a_workspace(client, workspace, user):
    # given
    client.force_login(user)
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # then
    assert response.status_code == 404


def test_org_admin_opens_workspace_without_membership(client, workspace):
    # given
    owner = MembershipFactory(organization=workspace.organization, role=OrgRole.OWNER).user
    client.force_login(owner)
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # then
    assert response.status_code == 200
    assert "Your access comes from being an admin of the organization." in response.content.decode()


def test_every_section_of_the_navigation_is_a_real_page(client, workspace, member_factory):
    # given: the admin, who sees every section
    admin = member_factory(workspace, role=Role.ADMIN).user
    client.force_login(admin)
    # when / then: each opens on a page of its own, titled with the section's name
    for section in SECTIONS:
        response = client.get(reverse(f"dashboard:{section.key}", args=[workspace.pk]))
        assert response.status_code == 200, section.key
        assert str(section.label) in response.content.decode(), section.key


def test_a_section_refuses_a_role_without_its_capability(client, workspace, member_factory):
    # given
    viewer = member_factory(workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    # when
    response = client.get(reverse("dashboard:budgets", args=[workspace.pk]))
    # then
    assert response.status_code == 403


def test_base_renders_for_anonymous_without_switcher(client):
    # when
    response = client.get(reverse("dashboard:invitation_accept", args=["nope"]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="workspace-switcher"' not in html
    assert 'data-testid="language-switch"' in html
    assert "This invitation link is not valid." in html


def test_navigation_in_chinese(client, workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    client.force_login(admin)
    # when
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "日历" in html and "审批" in html and "成员与角色" in html


def test_user_menu_links_agency_pages_for_agency_admins(client):
    # given
    from accounts.tests.factories import AgencyFactory

    agency = AgencyFactory(name="Bright Agency")
    person = MembershipFactory(organization=agency, role=OrgRole.ADMIN).user
    client.force_login(person)
    # when
    response = client.get(reverse("dashboard:tokens"))
    # then
    assert reverse("dashboard:agency_home", args=[agency.pk]) in response.content.decode()


def test_pages_outside_a_workspace_keep_the_last_workspace_navigation(client, workspace, member_factory):
    # given
    person = member_factory(workspace, role=Role.EDITOR).user
    client.force_login(person)
    client.get(reverse("dashboard:workspace_home", args=[workspace.pk]))
    # when
    response = client.get(reverse("dashboard:tokens"))
    # then
    assert reverse("dashboard:calendar", args=[workspace.pk]) in response.content.decode()


def test_removed_member_loses_workspace_in_switcher(client, workspace):
    # given
    member = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR)
    kept = WorkspaceFactory(name="Kept Brand")
    WorkspaceMemberFactory(workspace=kept, user=member.user, role=Role.EDITOR)
    member.delete()
    client.force_login(UserFactory._meta.model.objects.get(pk=member.user_id))
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[kept.pk]))
    # then
    html = response.content.decode()
    assert "Kept Brand" in html
    assert reverse("dashboard:workspace_home", args=[workspace.pk]) not in html


def test_sign_in_landing_applies_a_saved_chinese_preference_once(client, workspace, member_factory):
    # given
    person = member_factory(workspace, role=Role.EDITOR).user
    person.language = "zh-hans"
    person.save()
    client.force_login(person)
    # when
    first = client.get(reverse("dashboard:home")).cookies[settings.LANGUAGE_COOKIE_NAME].value
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    later = client.get(reverse("dashboard:home"))
    # then
    assert first == "zh-hans"
    assert settings.LANGUAGE_COOKIE_NAME not in later.cookies


def test_not_found_page_uses_the_dashboard_frame(client, user):
    # given
    client.force_login(user)
    # when
    response = client.get(reverse("dashboard:workspace_home", args=[999999]))
    # then
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

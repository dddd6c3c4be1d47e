"""core.tenancy: accounts answers who may reach a workspace or an organization (core never imports
accounts); with nothing registered, workspace pages and the API fail closed."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import ORG_CAPABILITIES, OrgRole, Role
from accounts.selectors import organization_membership_for, workspace_access_for
from accounts.tests.factories import WorkspaceMemberFactory
from core import tenancy


def test_accounts_registers_its_answers_when_django_starts():
    # given: django.setup() has run AccountsConfig.ready()
    # then
    assert tenancy._registered["workspace_access"] is workspace_access_for
    assert tenancy._registered["organization_membership"] is organization_membership_for
    assert tenancy._registered["organization_capabilities"] is ORG_CAPABILITIES
    assert tenancy.organization_role_allows(OrgRole.MEMBER, "organization.view")
    assert not tenancy.organization_role_allows(OrgRole.MEMBER, "organization.manage")
    assert not tenancy.organization_role_allows("unknown", "organization.view")


@pytest.mark.django_db
def test_without_a_resolver_workspace_pages_and_the_api_refuse(client, monkeypatch):
    # given: an admin of the workspace, signed in; nothing registered
    member = WorkspaceMemberFactory(role=Role.ADMIN)
    client.force_login(member.user)
    api = APIClient()
    api.force_authenticate(member.user)
    monkeypatch.setattr(tenancy, "_registered", {})
    # when / then
    with pytest.raises(ImproperlyConfigured, match="workspace_access"):
        client.get(reverse("dashboard:members", args=[member.workspace_id]))
    with pytest.raises(ImproperlyConfigured, match="workspace_access"):
        api.get(f"/api/v1/workspaces/{member.workspace_id}/")
    with pytest.raises(ImproperlyConfigured, match="organization_capabilities"):
        tenancy.organization_role_allows(OrgRole.OWNER, "organization.view")

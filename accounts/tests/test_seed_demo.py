import pytest
from django.core.management import call_command

from accounts.models import AgencyGrant, Organization, User, WorkspaceMember
from accounts.roles import Role
from accounts.selectors import workspace_access_for, workspaces_for_user

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_brand_agency_and_a_user_per_role_and_is_idempotent(capsys):
    # when
    call_command("seed_demo")
    call_command("seed_demo")
    # then
    brand = Organization.objects.get(slug="lumiere")
    assert brand.kind == Organization.Kind.BRAND
    assert list(brand.workspaces.order_by("name").values_list("name", flat=True)) == [
        "Lumière China",
        "Lumière Global",
    ]
    china = brand.workspaces.get(slug="china")
    roles = set(
        WorkspaceMember.objects.filter(workspace=china, grant__isnull=True).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    grant = AgencyGrant.objects.get(workspace=china, revoked_at__isnull=True)
    assert grant.agency.kind == Organization.Kind.AGENCY
    agency_editor = User.objects.get(email="agency-editor@demo.kawo.test")
    assert [w.slug for w in workspaces_for_user(user=agency_editor)] == ["china"]
    assert workspace_access_for(user=agency_editor, workspace_id=china.pk).role == Role.EDITOR
    assert agency_editor.check_password("kawo-demo-2026")
    out = capsys.readouterr().out
    assert "editor@demo.kawo.test" in out and "kawo-demo-2026" in out
    assert Organization.objects.filter(slug="lumiere").count() == 1

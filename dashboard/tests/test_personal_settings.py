import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import PersonalAccessToken, Workspace
from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory
from accounts.tokens import hash_secret
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_workspace_settings_save_changes_and_audit(client, workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    client.force_login(admin)
    data = {
        "name": "Renamed",
        "slug": workspace.slug,
        "timezone": "Europe/Berlin",
        "language": "en",
        "currency": "EUR",
    }
    # when
    response = client.post(reverse("dashboard:workspace_settings", args=[workspace.pk]), data)
    # then
    workspace.refresh_from_db()
    assert response.status_code == 302
    assert (workspace.name, workspace.timezone, workspace.currency) == ("Renamed", "Europe/Berlin", "EUR")
    event = AuditEvent.objects.get(action="workspace.updated")
    assert set(event.after) == {"name", "timezone", "language", "currency"}


def test_workspace_settings_duplicate_slug_error_next_to_field(client, workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    WorkspaceFactory(organization=workspace.organization, slug="taken")
    client.force_login(admin)
    data = {
        "name": "New name",
        "slug": "taken",
        "timezone": workspace.timezone,
        "language": "en",
        "currency": "CNY",
    }
    # when
    response = client.post(reverse("dashboard:workspace_settings", args=[workspace.pk]), data)
    # then
    workspace.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_slug_error"' in html
    assert "This organization already has a workspace with this slug." in html
    assert workspace.name != "New name"
    assert not AuditEvent.objects.filter(action="workspace.updated").exists()


def test_workspace_settings_invalid_slug_and_unknown_zone(client, workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN).user
    client.force_login(admin)
    data = {
        "name": "X",
        "slug": "no spaces!",
        "timezone": "Mars/Olympus",
        "language": "en",
        "currency": "CNY",
    }
    # when
    response = client.post(reverse("dashboard:workspace_settings", args=[workspace.pk]), data)
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_slug_error"' in html and 'id="id_timezone_error"' in html
    assert Workspace.objects.get(pk=workspace.pk).name != "X"


def test_workspace_settings_refused_for_a_manager(client, workspace, member_factory):
    # given
    manager = member_factory(workspace, role=Role.MANAGER).user
    client.force_login(manager)
    # when
    response = client.get(reverse("dashboard:workspace_settings", args=[workspace.pk]))
    # then
    assert response.status_code == 403


def test_token_created_is_shown_once_and_stored_hashed(client, user):
    # given
    client.force_login(user)
    # when
    created = client.post(reverse("dashboard:tokens"), {"name": "reporting", "expires_in": "30"})
    listed = client.get(reverse("dashboard:tokens"))
    # then
    token = PersonalAccessToken.objects.get(user=user)
    html = created.content.decode()
    start = html.index('id="new-token-value">') + len('id="new-token-value">')
    plain = html[start : html.index("</code>", start)]
    assert plain.startswith("kawo_pat_")
    assert token.token_hash == hash_secret(plain)
    assert token.expires_at is not None
    assert created["Cache-Control"] == "no-store"
    assert plain not in listed.content.decode()
    assert token.prefix in listed.content.decode()


def test_token_without_name_shows_error_and_creates_nothing(client, user):
    # given
    client.force_login(user)
    # when
    response = client.post(reverse("dashboard:tokens"), {"name": "", "expires_in": ""})
    # then
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_token_revoke_only_own(client, user):
    # given
    client.force_login(user)
    client.post(reverse("dashboard:tokens"), {"name": "mine"})
    client.force_login(other := UserFactory())
    client.post(reverse("dashboard:tokens"), {"name": "theirs"})
    theirs = PersonalAccessToken.objects.get(user=other)
    mine = PersonalAccessToken.objects.get(user=user)
    client.force_login(user)
    # when
    foreign = client.post(reverse("dashboard:token_revoke", args=[theirs.pk]))
    own = client.post(reverse("dashboard:token_revoke", args=[mine.pk]))
    # then
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert foreign.status_code == 404 and theirs.revoked_at is None
    assert own.status_code == 302 and mine.revoked_at is not None


def test_profile_saves_name_and_language_and_sets_the_language_cookie(client, user):
    # given
    client.force_login(user)
    # when
    response = client.post(reverse("dashboard:profile"), {"full_name": "Li Lei", "language": "zh-hans"})
    # then
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Li Lei", "zh-hans")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_profile_with_unknown_language_shows_error_and_saves_nothing(client, user):
    # given
    client.force_login(user)
    before = (user.full_name, user.language)
    # when
    response = client.post(reverse("dashboard:profile"), {"full_name": "Changed", "language": "xx"})
    # then
    user.refresh_from_db()
    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()
    assert (user.full_name, user.language) == before

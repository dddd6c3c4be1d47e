"""OAuth connect flow against the platform simulator (Weibo), through the dashboard views."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from channels_app import services, vault
from channels_app.models import OAuthConnectState, SocialAccount
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _start(client, workspace, platform="weibo"):
    response = client.post(reverse("channels:connect", args=[workspace.pk, platform]))
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlparse(location).query)
    return location, query["state"][0], query["redirect_uri"][0]


def _callback(client, platform, **params):
    return client.get(reverse("channels:oauth_callback", args=[platform]), params)


@pytest.fixture
def admin_client(workspace, member_factory):
    member = member_factory(workspace, role=Role.ADMIN)
    client = Client()
    client.force_login(member.user)
    client.member = member
    return client


def test_connect_weibo_creates_a_connected_account(platform_sim, workspace, admin_client):
    # given the person started the flow and the owner authorized on Weibo
    sim_account = platform_sim.create_account("weibo", handle="coffee_cn")
    location, state, redirect_uri = _start(admin_client, workspace)
    assert location.startswith(settings.PLATFORMS["weibo"]["auth_url"])
    code = platform_sim.authorize(
        "weibo",
        sim_account.external_id,
        redirect_uri=redirect_uri,
        client_id=settings.PLATFORMS["weibo"]["client_id"],
    )
    # when the platform sends the person back
    response = _callback(admin_client, "weibo", code=code, state=state)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:accounts", args=[workspace.pk])
    account = SocialAccount.objects.get(workspace=workspace, platform="weibo")
    assert (account.external_id, account.handle) == (sim_account.external_id, "coffee_cn")
    assert account.status == SocialAccount.Status.CONNECTED
    assert account.has_refresh_token
    assert account.connected_by == admin_client.member.user
    credentials = vault.credentials_read(account)
    assert credentials.access_token and credentials.refresh_token
    assert AuditEvent.objects.filter(action="social_account.connected", target_id=str(account.pk)).exists()


def test_state_is_single_use(platform_sim, workspace, admin_client):
    # given a completed connection
    sim_account = platform_sim.create_account("weibo")
    _location, state, redirect_uri = _start(admin_client, workspace)
    client_id = settings.PLATFORMS["weibo"]["client_id"]
    code = platform_sim.authorize(
        "weibo", sim_account.external_id, redirect_uri=redirect_uri, client_id=client_id
    )
    _callback(admin_client, "weibo", code=code, state=state)
    # when the same state comes back with another code
    code2 = platform_sim.authorize(
        "weibo", sim_account.external_id, redirect_uri=redirect_uri, client_id=client_id
    )
    tokens_before = platform_sim.requests("weibo", "token")
    response = _callback(admin_client, "weibo", code=code2, state=state)
    # then it is refused before any platform call
    assert response.status_code == 302
    assert platform_sim.requests("weibo", "token") == tokens_before
    assert SocialAccount.objects.filter(workspace=workspace).count() == 1


def test_state_is_bound_to_the_session_and_the_person(platform_sim, workspace, admin_client, member_factory):
    # given a state started in one browser session
    sim_account = platform_sim.create_account("weibo")
    _location, state, redirect_uri = _start(admin_client, workspace)
    client_id = settings.PLATFORMS["weibo"]["client_id"]
    code = platform_sim.authorize(
        "weibo", sim_account.external_id, redirect_uri=redirect_uri, client_id=client_id
    )
    other_session = Client()
    other_session.force_login(admin_client.member.user)
    other_person = Client()
    other_person.force_login(member_factory(workspace, role=Role.ADMIN).user)
    # when the callback arrives in another session, or for another person
    _callback(other_session, "weibo", code=code, state=state)
    _callback(other_person, "weibo", code=code, state=state)
    # then nothing is connected, and the rightful session can still finish
    assert not SocialAccount.objects.filter(workspace=workspace).exists()
    _callback(admin_client, "weibo", code=code, state=state)
    assert SocialAccount.objects.filter(workspace=workspace).count() == 1


def test_tampered_or_foreign_platform_state_is_refused(platform_sim, workspace, admin_client):
    # given
    _location, state, _redirect = _start(admin_client, workspace)
    # when
    tampered = _callback(admin_client, "weibo", code="x", state=state[:-2] + "AA")
    wrong_platform = _callback(admin_client, "x", code="x", state=state)
    # then
    assert tampered.status_code == wrong_platform.status_code == 302
    assert OAuthConnectState.objects.get().used_at is None
    assert not SocialAccount.objects.exists()


def test_declined_authorization_connects_nothing(platform_sim, workspace, admin_client):
    # given
    _location, state, _redirect = _start(admin_client, workspace)
    # when
    response = admin_client.get(
        reverse("channels:oauth_callback", args=["weibo"]),
        {"error": "access_denied", "state": state},
        follow=True,
    )
    # then
    assert not SocialAccount.objects.exists()
    assert "not granted" in response.content.decode()


def test_disconnect_keeps_the_row_and_reconnect_reuses_it(platform_sim, workspace, admin_client):
    # given a connected account
    sim_account = platform_sim.create_account("weibo")
    client_id = settings.PLATFORMS["weibo"]["client_id"]
    _location, state, redirect_uri = _start(admin_client, workspace)
    code = platform_sim.authorize(
        "weibo", sim_account.external_id, redirect_uri=redirect_uri, client_id=client_id
    )
    _callback(admin_client, "weibo", code=code, state=state)
    account = SocialAccount.objects.get()
    # when disconnected
    response = admin_client.post(reverse("channels:disconnect", args=[workspace.pk, account.pk]))
    # then credentials are gone, the row stays, revoked
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.REVOKED
    assert account.disconnected_at is not None
    assert vault.credentials_read(account) is None
    # when connected again
    _location, state, redirect_uri = _start(admin_client, workspace)
    code = platform_sim.authorize(
        "weibo", sim_account.external_id, redirect_uri=redirect_uri, client_id=client_id
    )
    _callback(admin_client, "weibo", code=code, state=state)
    # then the same row is back
    assert SocialAccount.objects.count() == 1
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.CONNECTED
    assert account.disconnected_at is None
    assert vault.credentials_read(account) is not None
    assert AuditEvent.objects.filter(action="social_account.reconnected", target_id=str(account.pk)).exists()


def test_editor_cannot_connect_and_outsider_gets_404(platform_sim, workspace, member_factory, user):
    # given
    editor = Client()
    editor.force_login(member_factory(workspace, role=Role.EDITOR).user)
    outsider = Client()
    outsider.force_login(user)
    url = reverse("channels:connect", args=[workspace.pk, "weibo"])
    # when / then
    assert editor.post(url).status_code == 403
    assert editor.get(reverse("channels:connect", args=[workspace.pk, "xiaohongshu"])).status_code == 403
    assert outsider.post(url).status_code == 404
    assert not OAuthConnectState.objects.exists()


def test_service_refuses_a_state_started_by_someone_who_lost_the_capability(
    platform_sim, workspace, member_factory
):
    # given a manager started a connection, then was made an editor
    member = member_factory(workspace, role=Role.MANAGER)
    start = services.social_account_connect_start(
        actor=member.user, workspace=workspace, platform="weibo", redirect_uri="http://t/cb", session_key=None
    )
    member.role = Role.EDITOR
    member.save()
    state = parse_qs(urlparse(start.authorization_url).query)["state"][0]
    # when / then
    from core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.social_account_connect_callback(actor=member.user, platform="weibo", state=state, code="c")


def test_pkce_challenge_is_what_the_platform_checks():
    # given the simulator's own S256 implementation (independent of ours)
    from platform_sim.state import s256

    verifier = "a" * 43 + "-._~" + "Z9"
    # when / then: base64url without padding of SHA-256
    assert services.pkce_challenge(verifier) == s256(verifier)
    assert "=" not in services.pkce_challenge(verifier)


def test_a_state_older_than_ten_minutes_is_refused(platform_sim, workspace, admin_client, time_machine):
    # given a flow started, then left for eleven minutes
    sim_account = platform_sim.create_account("weibo")
    _location, state, redirect_uri = _start(admin_client, workspace)
    code = platform_sim.authorize(
        "weibo",
        sim_account.external_id,
        redirect_uri=redirect_uri,
        client_id=settings.PLATFORMS["weibo"]["client_id"],
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    # when
    response = admin_client.get(
        reverse("channels:oauth_callback", args=["weibo"]), {"code": code, "state": state}, follow=True
    )
    # then
    assert "invalid or has expired" in response.content.decode()
    assert not SocialAccount.objects.exists()

"""Connect flows without an authorization page: WeChat app credentials, and X's PKCE flow end to end."""

import logging
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from channels_app import services, vault
from channels_app.connectors.base import Credentials
from channels_app.models import SocialAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(workspace, member_factory):
    client = Client()
    client.force_login(member_factory(workspace, role=Role.ADMIN).user)
    return client


def test_wechat_app_credentials_connect_and_refresh(platform_sim, workspace, admin_client, caplog):
    # given a WeChat Official Account with its AppID and AppSecret
    caplog.set_level(logging.DEBUG)
    sim_account = platform_sim.create_account("wechat_oa")
    url = reverse("channels:connect", args=[workspace.pk, "wechat_oa"])
    # when the form is sent
    response = admin_client.post(url, {"appid": sim_account.app_id, "secret": sim_account.app_secret})
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    account = SocialAccount.objects.get(platform="wechat_oa")
    assert account.status == SocialAccount.Status.CONNECTED
    credentials = vault.credentials_read(account)
    assert credentials.extra["appid"] == sim_account.app_id
    # and a refresh fetches a new token with the stored app credentials (no refresh token on WeChat)
    refreshed = services.social_account_refresh_token(account, force=True)
    assert refreshed.status == SocialAccount.Status.CONNECTED
    assert vault.credentials_read(account).access_token != credentials.access_token
    # and no secret reached a log record
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (sim_account.app_secret, credentials.access_token):
        assert secret not in logged


@pytest.mark.parametrize(
    ("options", "details"),
    [
        ({}, {"service_type": "subscription", "verified": True}),
        ({"service_type": "service", "verified": False}, {"service_type": "service", "verified": False}),
    ],
)
def test_connecting_wechat_records_the_account_kind_and_verification(
    platform_sim, workspace, admin_client, options, details
):
    # given: an Official Account of a kind (subscription/service), verified or not
    sim_account = platform_sim.create_account("wechat_oa", options=options)
    # when
    admin_client.post(
        reverse("channels:connect", args=[workspace.pk, "wechat_oa"]),
        {"appid": sim_account.app_id, "secret": sim_account.app_secret},
    )
    # then: what getaccountbasicinfo said, which sets its mass-send quota and whether it may send previews
    account = SocialAccount.objects.get(platform="wechat_oa")
    assert account.platform_details == details


def test_wrong_app_secret_is_shown_on_the_form(platform_sim, workspace, admin_client):
    # given
    sim_account = platform_sim.create_account("wechat_oa")
    url = reverse("channels:connect", args=[workspace.pk, "wechat_oa"])
    # when
    response = admin_client.post(url, {"appid": sim_account.app_id, "secret": "wrong"})
    # then
    assert response.status_code == 400
    assert "The platform refused" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_x_connects_with_pkce(platform_sim, workspace, admin_client):
    # given the flow started for X (OAuth 2 with PKCE)
    sim_account = platform_sim.create_account("x", handle="kawo_x")
    response = admin_client.post(reverse("channels:connect", args=[workspace.pk, "x"]))
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    code = platform_sim.authorize(
        "x",
        sim_account.external_id,
        redirect_uri=query["redirect_uri"][0],
        client_id=settings.PLATFORMS["x"]["client_id"],
        code_challenge=query["code_challenge"][0],
        code_challenge_method="S256",
    )
    # when
    admin_client.get(
        reverse("channels:oauth_callback", args=["x"]), {"code": code, "state": query["state"][0]}
    )
    # then the simulator accepted our verifier for the challenge
    account = SocialAccount.objects.get(platform="x")
    assert account.external_id == sim_account.external_id
    assert account.status == SocialAccount.Status.CONNECTED


def test_bluesky_connects_with_an_app_password_that_is_not_stored(platform_sim, workspace, admin_client):
    # given a Bluesky account with an app password
    platform_sim.create_account(
        "bluesky", handle="kawo.bsky.social", options={"app_password": "abcd-efgh-ijkl-mnop"}
    )
    url = reverse("channels:connect", args=[workspace.pk, "bluesky"])
    # when
    response = admin_client.post(url, {"handle": "kawo.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"})
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    account = SocialAccount.objects.get(platform="bluesky")
    assert account.handle == "kawo.bsky.social"
    credentials = vault.credentials_read(account)
    assert credentials.refresh_token
    assert "abcd-efgh-ijkl-mnop" not in repr(credentials)


def test_bluesky_wrong_app_password_is_a_form_error(platform_sim, workspace, admin_client):
    # given
    platform_sim.create_account("bluesky", handle="kawo.bsky.social", options={"app_password": "right-one"})
    # when
    response = admin_client.post(
        reverse("channels:connect", args=[workspace.pk, "bluesky"]),
        {"handle": "kawo.bsky.social", "app_password": "wrong-one"},
    )
    # then
    assert response.status_code == 400
    assert "The platform refused" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_refresh_refused_for_another_reason_marks_the_account_error(platform_sim, workspace, admin_client):
    # given a connected WeChat account whose AppSecret was then reset on WeChat's side
    sim_account = platform_sim.create_account("wechat_oa")
    admin_client.post(
        reverse("channels:connect", args=[workspace.pk, "wechat_oa"]),
        {"appid": sim_account.app_id, "secret": sim_account.app_secret},
    )
    account = SocialAccount.objects.get(platform="wechat_oa")
    stored = vault.credentials_read(account)
    vault.credentials_write(
        account, Credentials(access_token=stored.access_token, extra={**stored.extra, "secret": "reset"})
    )
    # when
    account = services.social_account_refresh_token(account, force=True)
    # then
    assert account.status == SocialAccount.Status.ERROR
    assert account.status_message == "invalid appsecret"
    html = admin_client.get(reverse("dashboard:accounts", args=[workspace.pk])).content.decode()
    assert "error: invalid appsecret" in html

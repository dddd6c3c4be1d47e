"""The OAuth connect flow when the platform's token exchange answers something we cannot read: the person
lands on the account matrix with a message saying so (English and Chinese), never a 500, and nothing is
connected. Every platform with an OAuth flow (from the registry), every body fault the simulator injects."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from channels_app.connectors.registry import CONNECTORS
from channels_app.models import SocialAccount
from platform_sim.body_faults import BODY_KINDS

from .contract_cases import case_for

pytestmark = pytest.mark.django_db

OAUTH_PLATFORMS = sorted(p for p, cls in CONNECTORS.items() if cls.capabilities.auth.startswith("oauth2"))
MESSAGE = "answered something we could not read, so the account was not connected"


def _person(workspace, member_factory, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(member_factory(workspace, role=Role.ADMIN).user)
    return client


def _authorized_callback(platform_sim, client, workspace, platform: str) -> dict[str, str]:
    """Start the flow as the person would, and authorize on the platform: the callback's parameters."""
    sim_account = platform_sim.create_account(platform, options=case_for(platform).sim_options)
    response = client.post(reverse("channels:connect", args=[workspace.pk, platform]))
    assert response.status_code == 302, response.content[:500]
    query = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    client_id = next((query[k] for k in ("client_id", "client_key", "app_id") if k in query), "")
    code = platform_sim.authorize(
        platform,
        sim_account.external_id,
        redirect_uri=query.get("redirect_uri") or query["gourl"],  # Bilibili's name for it
        client_id=client_id,
        code_challenge=query.get("code_challenge", ""),
        code_challenge_method=query.get("code_challenge_method", ""),
    )
    return {"code": code, "state": query["state"]}


def _connect_with_garbled_token_answer(platform_sim, client, workspace, platform, fault):
    params = _authorized_callback(platform_sim, client, workspace, platform)
    platform_sim.add_fault(fault, platform=platform, operation="token", count=1)
    return client.get(reverse("channels:oauth_callback", args=[platform]), params, follow=True)


def test_every_oauth_platform_is_covered():
    assert len(OAUTH_PLATFORMS) >= 10 and {"weibo", "x", "youtube"} <= set(OAUTH_PLATFORMS)


def _faults_for(platform: str) -> tuple[str, str]:
    """Two body faults per platform, rotating, so every fault meets several platforms' flows (the
    connector matrix in test_body_faults runs every fault on every token exchange)."""
    i = OAUTH_PLATFORMS.index(platform)
    return BODY_KINDS[i % len(BODY_KINDS)], BODY_KINDS[(i + 1) % len(BODY_KINDS)]


def test_every_fault_meets_a_connect_flow():
    assert {fault for p in OAUTH_PLATFORMS for fault in _faults_for(p)} == set(BODY_KINDS)


@pytest.mark.parametrize("platform", OAUTH_PLATFORMS)
def test_an_unreadable_token_answer_shows_a_message_in_english_and_chinese(
    platform_sim, workspace, member_factory, platform
):
    english_fault, chinese_fault = _faults_for(platform)
    name = CONNECTORS[platform].display_name
    with translation.override("zh-hans"):
        chinese = translation.gettext(
            "%(platform)s answered something we could not read, so the account was not connected. "
            "Try again in a few minutes."
        ) % {"platform": name}
    assert MESSAGE not in chinese, "the message has no Chinese translation"
    for language, fault, message in (
        ("en", english_fault, f"{name} {MESSAGE}"),
        ("zh-hans", chinese_fault, chinese),
    ):
        # given a person who authorized on the platform
        client = _person(workspace, member_factory, language)
        # when the token exchange's answer cannot be read
        response = _connect_with_garbled_token_answer(platform_sim, client, workspace, platform, fault)
        # then the matrix says so in the person's language, and nothing is connected
        assert response.status_code == 200, (language, fault)
        assert response.redirect_chain[-1][0] == reverse("dashboard:accounts", args=[workspace.pk])
        assert message in response.content.decode(), (language, fault)
        assert not SocialAccount.objects.filter(workspace=workspace, platform=platform).exists()
        assert platform_sim.faults()[-1]["fired"] == 1, (language, fault)


# The connect form's fields per credential kind (WeChat app credentials, a Bluesky app password).
FORM_FIELDS = {
    "app_credentials": lambda account, case: {"appid": account.app_id, "secret": account.app_secret},
    "app_password": lambda account, case: {
        "handle": account.handle,
        "app_password": case.credential_fields(account)["password"],
    },
}
CREDENTIAL_PLATFORMS = sorted(p for p, cls in CONNECTORS.items() if cls.capabilities.auth in FORM_FIELDS)


def test_every_credential_kind_has_form_fields():
    kinds = {cls.capabilities.auth for cls in CONNECTORS.values()} - {"assisted"}
    assert {k for k in kinds if not k.startswith("oauth2")} == set(FORM_FIELDS)
    assert CREDENTIAL_PLATFORMS


@pytest.mark.parametrize("fault", ["html_200", "missing_field"])
@pytest.mark.parametrize("platform", CREDENTIAL_PLATFORMS)
def test_an_unreadable_token_answer_is_said_on_the_connect_form(
    platform_sim, workspace, member_factory, platform, fault
):
    # given a person filling in the platform's credentials
    case = case_for(platform)
    client = _person(workspace, member_factory, "en")
    account = platform_sim.create_account(platform, options=case.sim_options)
    fields = FORM_FIELDS[CONNECTORS[platform].capabilities.auth](account, case)
    platform_sim.add_fault(fault, platform=platform, operation="token", count=1)
    # when
    response = client.post(reverse("channels:connect", args=[workspace.pk, platform]), fields)
    # then the form says so, and nothing is connected
    assert response.status_code == 400
    assert f"{CONNECTORS[platform].display_name} {MESSAGE}" in response.content.decode()
    assert not SocialAccount.objects.filter(workspace=workspace, platform=platform).exists()
    assert platform_sim.faults()[0]["fired"] == 1

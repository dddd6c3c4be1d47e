"""No token appears in any log record (raw, before the console handler's redaction filter)."""

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.roles import Role
from channels_app import services, vault
from channels_app.models import SocialAccount
from core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_connect_refresh_and_failures_log_no_secret(platform_sim, workspace, member_factory, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    actor = member_factory(workspace, role=Role.ADMIN).user
    sim_account = platform_sim.create_account("weibo")
    start = services.social_account_connect_start(
        actor=actor,
        workspace=workspace,
        platform="weibo",
        redirect_uri="http://testserver/cb",
        session_key=None,
    )
    state = parse_qs(urlparse(start.authorization_url).query)["state"][0]
    code = platform_sim.authorize(
        "weibo",
        sim_account.external_id,
        redirect_uri="http://testserver/cb",
        client_id=settings.PLATFORMS["weibo"]["client_id"],
    )
    secrets = {code, settings.PLATFORMS["weibo"]["client_secret"]}
    # when: connect, refresh, a refused refresh, a refused connect
    account = services.social_account_connect_callback(actor=actor, platform="weibo", state=state, code=code)
    first = vault.credentials_read(account)
    secrets |= {first.access_token, first.refresh_token}
    SocialAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now() + timedelta(minutes=1))
    services.social_account_refresh_token(account)
    secrets.add(vault.credentials_read(account).access_token)
    platform_sim.revoke_token(platform="weibo", external_id=sim_account.external_id, kind="refresh")
    services.social_account_refresh_token(account, force=True)
    start = services.social_account_connect_start(
        actor=actor,
        workspace=workspace,
        platform="weibo",
        redirect_uri="http://testserver/cb",
        session_key=None,
    )
    state = parse_qs(urlparse(start.authorization_url).query)["state"][0]
    with pytest.raises(ValidationFailed):
        services.social_account_connect_callback(
            actor=actor, platform="weibo", state=state, code="forged-code-1"
        )
    # then
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.REVOKED
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.args!r}" for record in caplog.records
    )
    assert len(caplog.records) >= 3  # the connect, refresh and failure were logged
    assert "forged-code-1" not in logged
    for secret in secrets:
        assert secret and secret not in logged

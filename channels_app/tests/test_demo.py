import pytest

from accounts.roles import Role
from channels_app import services, vault
from channels_app.demo import seed_demo_accounts
from channels_app.models import AccountCredential, Platform, SocialAccount

pytestmark = pytest.mark.django_db


def test_without_the_simulator_rows_have_health_but_no_credentials(workspace, member_factory):
    # given
    member_factory(workspace, role=Role.ADMIN)
    # when
    accounts = seed_demo_accounts(workspace, None)
    # then
    assert sorted(a.platform for a in accounts) == sorted(Platform.values)
    assert not AccountCredential.objects.exists()
    statuses = set(SocialAccount.objects.values_list("status", flat=True))
    assert {"connected", "expiring", "expired", "revoked"} <= statuses


def test_with_the_simulator_accounts_hold_working_simulated_tokens(platform_sim, workspace, member_factory):
    # given
    member_factory(workspace, role=Role.ADMIN)
    # when: seeding twice keeps one row per platform
    seed_demo_accounts(workspace, platform_sim)
    seed_demo_accounts(workspace, platform_sim)
    # then
    weibo = SocialAccount.objects.get(workspace=workspace, platform="weibo")
    assert SocialAccount.objects.filter(workspace=workspace, platform="weibo").count() == 1
    assert vault.credentials_read(weibo).access_token
    refreshed = services.social_account_refresh_token(weibo, force=True)
    assert refreshed.status == SocialAccount.Status.CONNECTED
    assert platform_sim.refresh_calls("weibo", weibo.external_id) == 1
    assisted = SocialAccount.objects.get(workspace=workspace, platform="xiaohongshu")
    assert assisted.assisted and vault.credentials_read(assisted) is None
    # the account id sits where each connector reads it (Douyin publishes nothing without its open_id)
    douyin = SocialAccount.objects.get(workspace=workspace, platform="douyin")
    assert vault.credentials_read(douyin).extra["open_id"] == douyin.external_id

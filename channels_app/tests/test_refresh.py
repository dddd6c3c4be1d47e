"""Token refresh and account health, against the platform simulator (Weibo)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from channels_app import selectors, services, tasks, vault
from channels_app.connectors.base import Credentials
from channels_app.connectors.errors import Transient
from channels_app.models import SocialAccount
from channels_app.tests.factories import SocialAccountFactory
from core.models import AuditEvent


def _connected_weibo(platform_sim, *, expires_in=timedelta(minutes=1), **fields):
    sim_account = platform_sim.create_account("weibo")
    credentials = Credentials(
        access_token=sim_account.access_token,
        refresh_token=sim_account.refresh_token,
        expires_at=timezone.now() + expires_in,
        extra={"uid": sim_account.external_id},
    )
    account = SocialAccountFactory(
        platform="weibo",
        external_id=sim_account.external_id,
        token_expires_at=credentials.expires_at,
        last_refreshed_at=timezone.now() - timedelta(days=30),
        credentials=credentials,
        **fields,
    )
    return account, sim_account


@pytest.mark.django_db
def test_refresh_renews_the_token_and_keeps_the_refresh_token(platform_sim):
    # given an account whose token ends in a minute (Weibo sends no new refresh token)
    account, sim_account = _connected_weibo(platform_sim)
    # when
    account = services.social_account_refresh_token(account)
    # then
    credentials = vault.credentials_read(account)
    assert platform_sim.refresh_calls("weibo", sim_account.external_id) == 1
    assert credentials.access_token != sim_account.access_token
    assert credentials.refresh_token == sim_account.refresh_token
    assert account.has_refresh_token
    assert account.token_expires_at > timezone.now() + timedelta(days=20)
    assert account.status == SocialAccount.Status.CONNECTED
    assert AuditEvent.objects.filter(
        action="social_account.token_refreshed", target_id=str(account.pk)
    ).exists()


@pytest.mark.django_db
def test_a_token_not_yet_due_is_not_refreshed(platform_sim):
    # given
    account, sim_account = _connected_weibo(platform_sim, expires_in=timedelta(days=20))
    # when
    services.social_account_refresh_token(account)
    # then
    assert platform_sim.refresh_calls("weibo", sim_account.external_id) == 0


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refreshes_make_one_platform_call(platform_sim):
    # given
    account, sim_account = _connected_weibo(platform_sim)
    barrier = threading.Barrier(10)
    results, errors = [], []

    def refresh():
        try:
            barrier.wait()
            results.append(
                services.social_account_refresh_token(SocialAccount.objects.get(pk=account.pk)).status
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(10)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert errors == []
    assert results == [SocialAccount.Status.CONNECTED] * 10
    assert platform_sim.refresh_calls("weibo", sim_account.external_id) == 1
    assert vault.credentials_read(account).refresh_token == sim_account.refresh_token


@pytest.mark.django_db
def test_revoked_refresh_token_marks_the_account_revoked_with_the_platform_message(platform_sim):
    # given the owner revoked the app on Weibo
    account, sim_account = _connected_weibo(platform_sim)
    platform_sim.revoke_token(platform="weibo", external_id=sim_account.external_id, kind="refresh")
    # when
    account = services.social_account_refresh_token(account)
    # then
    assert account.status == SocialAccount.Status.REVOKED
    assert "revoked" in account.status_message  # what the platform said
    assert vault.credentials_read(account).refresh_token == sim_account.refresh_token  # nothing overwritten
    assert AuditEvent.objects.filter(action="social_account.refresh_failed").count() == 1


@pytest.mark.django_db
def test_expired_refresh_token_marks_the_account_expired(platform_sim):
    # given
    account, sim_account = _connected_weibo(platform_sim)
    platform_sim.expire_token(platform="weibo", external_id=sim_account.external_id, kind="refresh")
    # when
    account = services.social_account_refresh_token(account)
    # then
    assert account.status == SocialAccount.Status.EXPIRED
    assert "expired" in account.status_message


@pytest.mark.django_db
def test_a_temporary_failure_changes_nothing_and_is_raised(platform_sim):
    # given
    account, sim_account = _connected_weibo(platform_sim)
    platform_sim.add_fault("server_error", platform="weibo", operation="refresh")
    before = vault.credentials_read(account)
    # when
    with pytest.raises(Transient):
        services.social_account_refresh_token(account)
    # then
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.CONNECTED
    assert vault.credentials_read(account) == before


@pytest.mark.django_db
def test_beat_task_refreshes_only_accounts_in_their_window(platform_sim):
    # given one due Weibo account, one far from expiry, one assisted, one disconnected
    due, due_sim = _connected_weibo(platform_sim, expires_in=timedelta(days=1))
    later, later_sim = _connected_weibo(platform_sim, expires_in=timedelta(days=25))
    SocialAccountFactory(platform="xiaohongshu", assisted=True, token_expires_at=None, credentials=False)
    gone, gone_sim = _connected_weibo(platform_sim, expires_in=timedelta(hours=1))
    SocialAccount.objects.filter(pk=gone.pk).update(disconnected_at=timezone.now())
    # when
    count = tasks.refresh_expiring_tokens()
    # then
    assert count == 1
    assert platform_sim.refresh_calls("weibo", due_sim.external_id) == 1
    assert platform_sim.refresh_calls("weibo", later_sim.external_id) == 0
    assert platform_sim.refresh_calls("weibo", gone_sim.external_id) == 0


@pytest.mark.django_db
def test_refresh_window_depends_on_the_platform_and_the_token_lifetime():
    # given
    now = timezone.now()
    x = SocialAccountFactory.build(
        platform="x",
        token_expires_at=now + timedelta(minutes=45),
        last_refreshed_at=now - timedelta(minutes=75),
    )
    douyin = SocialAccountFactory.build(
        platform="douyin",
        token_expires_at=now + timedelta(days=2),
        last_refreshed_at=now - timedelta(days=13),
    )
    kuaishou = SocialAccountFactory.build(
        platform="kuaishou",
        token_expires_at=now + timedelta(hours=40),
        last_refreshed_at=now - timedelta(hours=8),
    )
    # when / then: X's 2 h token waits until 30 min are left; Douyin refreshes days ahead;
    # a 48 h Kuaishou token is not refreshed on every tick
    assert services.refresh_window(x) == timedelta(minutes=30)
    assert not services.needs_refresh(x, now)
    assert services.needs_refresh(douyin, now)
    assert services.refresh_window(kuaishou) == timedelta(hours=12)
    assert not services.needs_refresh(kuaishou, now)


@pytest.mark.django_db
def test_health_marks_expiring_within_seven_days_and_expired_when_past():
    # given accounts without refresh tokens (their access token is the end)
    now = timezone.now()
    fine = SocialAccountFactory(
        platform="linkedin", has_refresh_token=False, token_expires_at=now + timedelta(days=40)
    )
    soon = SocialAccountFactory(
        platform="linkedin", has_refresh_token=False, token_expires_at=now + timedelta(days=5)
    )
    past = SocialAccountFactory(
        platform="linkedin", has_refresh_token=False, token_expires_at=now - timedelta(hours=1)
    )
    renewing = SocialAccountFactory(platform="weibo", token_expires_at=now - timedelta(hours=1))
    # WeChat fetches each token with the app credentials: a short-lived token, or a refresh-token date
    # some flow stored, never makes it "expiring"
    wechat = SocialAccountFactory(
        platform="wechat_oa",
        token_expires_at=now + timedelta(hours=1),
        refresh_expires_at=now + timedelta(hours=1),
        status=SocialAccount.Status.EXPIRING,
    )
    revoked = SocialAccountFactory(
        platform="linkedin",
        has_refresh_token=False,
        status=SocialAccount.Status.REVOKED,
        token_expires_at=now + timedelta(days=2),
    )
    # when
    changed = tasks.update_account_health()
    # then
    statuses = {a.pk: a.status for a in SocialAccount.objects.all()}
    assert changed == 3
    assert statuses[fine.pk] == SocialAccount.Status.CONNECTED
    assert statuses[soon.pk] == SocialAccount.Status.EXPIRING
    assert statuses[past.pk] == SocialAccount.Status.EXPIRED
    assert statuses[renewing.pk] == SocialAccount.Status.CONNECTED  # its refresh token renews it
    assert statuses[revoked.pk] == SocialAccount.Status.REVOKED  # only a reconnect changes that
    assert statuses[wechat.pk] == SocialAccount.Status.CONNECTED
    assert selectors.social_account_health(SocialAccount.objects.get(pk=wechat.pk)).needs_reconnect is False


@pytest.mark.django_db
def test_a_refused_refresh_is_not_retried_by_the_beat(platform_sim):
    # given a refresh the platform refused (dead refresh token)
    account, sim_account = _connected_weibo(platform_sim)
    platform_sim.expire_token(platform="weibo", external_id=sim_account.external_id, kind="refresh")
    services.social_account_refresh_token(account)
    # when the beat runs again
    due = tasks.refresh_expiring_tokens()
    # then only a person reconnecting helps; the platform is not asked again
    assert due == 0
    assert platform_sim.refresh_calls("weibo", sim_account.external_id) == 1
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.EXPIRED

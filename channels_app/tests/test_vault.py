from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from channels_app import vault
from channels_app.connectors.base import Credentials, TokenSet
from channels_app.models import AccountCredential
from channels_app.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def _raw_ciphertexts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ciphertext FROM {AccountCredential._meta.db_table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_credentials_round_trip_through_the_vault():
    # given
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    credentials = Credentials(
        access_token="at-123", refresh_token="rt-456", expires_at=expires, extra={"uid": "42"}
    )
    account = SocialAccountFactory(credentials=credentials)
    # when
    loaded = vault.credentials_read(account)
    # then
    assert loaded == credentials


def test_raw_column_holds_no_plain_token():
    # given
    SocialAccountFactory(
        credentials=Credentials(access_token="SECRET-ACCESS-abc", refresh_token="SECRET-REFRESH-xyz")
    )
    # when
    rows = _raw_ciphertexts()
    # then
    assert len(rows) == 1
    assert "SECRET" not in rows[0]
    assert "access_token" not in rows[0]
    assert rows[0].startswith("gAAAAA")  # a Fernet token


def test_rotation_re_encrypts_every_row_and_the_old_key_can_be_dropped(settings):
    # given rows written under the old key
    old_key = settings.KAWO_FERNET_KEYS[0]
    accounts = [
        SocialAccountFactory(credentials=Credentials(access_token=f"token-{n}", refresh_token=f"r-{n}"))
        for n in range(3)
    ]
    new_key = Fernet.generate_key().decode()
    settings.KAWO_FERNET_KEYS = [new_key, old_key]
    before = _raw_ciphertexts()
    # when
    out = StringIO()
    call_command("rotate_credentials_key", stdout=out)
    # then every row changed and is readable with the new key alone
    assert "Re-encrypted 3 credential rows" in out.getvalue()
    after = _raw_ciphertexts()
    assert set(after).isdisjoint(before)
    settings.KAWO_FERNET_KEYS = [new_key]
    assert [vault.credentials_read(a).access_token for a in accounts] == ["token-0", "token-1", "token-2"]
    new_only = Fernet(new_key.encode())
    assert all(new_only.decrypt(token.encode()) for token in after)


def test_without_rotation_dropping_the_old_key_breaks_decryption(settings):
    # given
    account = SocialAccountFactory()
    # when the old key is dropped without running the rotation
    settings.KAWO_FERNET_KEYS = [Fernet.generate_key().decode()]
    # then
    with pytest.raises(vault.VaultError):
        vault.credentials_read(account)


def test_merge_never_replaces_a_refresh_token_with_an_empty_one():
    # given
    refresh_end = datetime(2031, 1, 1, tzinfo=UTC)
    stored = Credentials(
        access_token="old", refresh_token="keep-me", refresh_expires_at=refresh_end, extra={"uid": "1"}
    )
    new_expiry = datetime.now(UTC) + timedelta(hours=2)
    # when
    merged = vault.merge_token_set(stored, TokenSet(access_token="new", expires_at=new_expiry))
    rotated = vault.merge_token_set(stored, TokenSet(access_token="new2", refresh_token="fresh"))
    # then
    assert (merged.access_token, merged.refresh_token) == ("new", "keep-me")
    assert merged.refresh_expires_at == refresh_end
    assert merged.expires_at == new_expiry
    assert merged.extra == {"uid": "1"}
    assert rotated.refresh_token == "fresh"


def test_rotation_also_re_encrypts_pending_pkce_verifiers(settings, workspace, member_factory):
    # given an X connection in progress (PKCE: its verifier is stored encrypted)
    from accounts.roles import Role
    from channels_app import services
    from channels_app.models import OAuthConnectState

    actor = member_factory(workspace, role=Role.ADMIN).user
    services.social_account_connect_start(
        actor=actor, workspace=workspace, platform="x", redirect_uri="http://t/cb", session_key="s"
    )
    state = OAuthConnectState.objects.get()
    assert state.code_verifier_ciphertext.startswith("gAAAAA")
    old_key = settings.KAWO_FERNET_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.KAWO_FERNET_KEYS = [new_key, old_key]
    # when
    out = StringIO()
    call_command("rotate_credentials_key", stdout=out)
    # then
    assert "1 pending connect states" in out.getvalue()
    state.refresh_from_db()
    settings.KAWO_FERNET_KEYS = [new_key]
    assert len(vault.decrypt_text(state.code_verifier_ciphertext)) >= 43

"""The README's backup and restore, done for real: pg_dump the test database (custom format), pg_restore
it into a fresh database, and find the data there, the encrypted credentials included and readable with
the same KAWO_FERNET_KEYS (and unreadable without them)."""

from __future__ import annotations

import shutil
import subprocess

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.db import connection

from accounts.tests.factories import WorkspaceFactory
from channels_app.models import AccountCredential, SocialAccount
from channels_app.tests.factories import SocialAccountFactory
from channels_app.vault import Credentials, VaultError, credentials_write, decrypt_credentials
from content.models import Post
from content.tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _libpq_env(settings_dict: dict) -> dict:
    import os

    env = dict(os.environ)
    env.update(
        PGHOST=settings_dict["HOST"] or "127.0.0.1",
        PGPORT=str(settings_dict["PORT"] or 5432),
        PGUSER=settings_dict["USER"] or "postgres",
    )
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _connect(source: dict, name: str):
    return psycopg2.connect(
        dbname=name,
        host=source["HOST"] or "127.0.0.1",
        port=source["PORT"] or 5432,
        user=source["USER"] or "postgres",
        password=source.get("PASSWORD") or None,
    )


def test_pg_dump_and_pg_restore_bring_back_the_data_and_usable_credentials(tmp_path, settings):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "the PostgreSQL client tools are needed"
    # given a workspace with a post and a connected account's encrypted token
    workspace = WorkspaceFactory(name="Backup Tea")
    post = PostFactory(workspace=workspace, title="备份之前")
    account = SocialAccountFactory(workspace=workspace)
    credentials_write(account, Credentials(access_token="token-before-backup", refresh_token="r-1"))

    source = connection.settings_dict
    env = _libpq_env(source)
    restored_name = f"{source['NAME']}_restored"
    dump = tmp_path / "kawo.dump"
    # when: the README's backup command, then its restore into a new database
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source["NAME"]], env=env, check=True)
    subprocess.run(["dropdb", "--if-exists", restored_name], env=env, check=True)
    subprocess.run(["createdb", restored_name], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored_name}", str(dump)], env=env, check=True
        )
        # then the restored database has the rows
        restored = _connect(source, restored_name)
        with restored, restored.cursor() as cursor:
            cursor.execute(f"SELECT title FROM {Post._meta.db_table} WHERE id = %s", [post.pk])
            assert cursor.fetchone() == ("备份之前",)
            cursor.execute(
                f"SELECT workspace_id FROM {SocialAccount._meta.db_table} WHERE id = %s", [account.pk]
            )
            assert cursor.fetchone() == (workspace.pk,)
            cursor.execute(
                f"SELECT account_id, ciphertext FROM {AccountCredential._meta.db_table} "
                "WHERE account_id = %s",
                [account.pk],
            )
            account_id, ciphertext = cursor.fetchone()
            restored_credential = AccountCredential(account_id=account_id, ciphertext=ciphertext)
        restored.close()
        # and the credential decrypts with the same keys (KAWO_FERNET_KEYS) through the vault ...
        restored_credential.account = SocialAccount(pk=account.pk, workspace_id=workspace.pk)
        assert decrypt_credentials(restored_credential.ciphertext).access_token == "token-before-backup"
        # ... and not with other keys: the keys are part of the backup
        settings.KAWO_FERNET_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(VaultError):
            decrypt_credentials(restored_credential.ciphertext)
    finally:
        subprocess.run(["dropdb", "--if-exists", restored_name], env=env, check=True)

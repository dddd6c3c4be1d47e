"""The token vault: credentials at rest are Fernet tokens, never plain text.

Keys come from `settings.KAWO_FERNET_KEYS`, newest first. `MultiFernet` encrypts with the first key and
decrypts with any of them, so rotation is: put a new key first, run `manage.py rotate_credentials_key`
(which re-encrypts every row under the newest key), then drop the old key from the settings.

Callers never see ciphertext or the column: they use `credentials_read` / `credentials_write` (and the
services use those). Decrypted `Credentials` live only in memory, for the duration of one platform call.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .connectors.base import Credentials, TokenSet


class VaultError(Exception):
    """Ciphertext that none of the configured keys can open (a key was dropped too early)."""


@lru_cache(maxsize=8)
def _multifernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "KAWO_FERNET_KEYS is empty: set it to one or more Fernet keys (newest first). "
            "Create one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key())'"
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("KAWO_FERNET_KEYS holds a malformed key") from exc


def _fernet() -> MultiFernet:
    return _multifernet_for(tuple(settings.KAWO_FERNET_KEYS))


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise VaultError("credentials cannot be decrypted with the configured keys") from None


def rotate_text(token: str) -> str:
    """The same secret, re-encrypted under the newest key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise VaultError("credentials cannot be decrypted with the configured keys") from None


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def credentials_to_json(credentials: Credentials) -> str:
    return json.dumps(
        {
            "access_token": credentials.access_token,
            "refresh_token": credentials.refresh_token,
            "expires_at": _dt(credentials.expires_at),
            "refresh_expires_at": _dt(credentials.refresh_expires_at),
            "extra": credentials.extra,
        },
        separators=(",", ":"),
    )


def credentials_from_json(text: str) -> Credentials:
    data = json.loads(text)
    return Credentials(
        access_token=data.get("access_token", ""),
        refresh_token=data.get("refresh_token", ""),
        expires_at=_parse_dt(data.get("expires_at")),
        refresh_expires_at=_parse_dt(data.get("refresh_expires_at")),
        extra=data.get("extra") or {},
    )


def encrypt_credentials(credentials: Credentials) -> str:
    return encrypt_text(credentials_to_json(credentials))


def decrypt_credentials(token: str) -> Credentials:
    return credentials_from_json(decrypt_text(token))


def merge_token_set(previous: Credentials | None, tokens: TokenSet) -> Credentials:
    """New credentials after an exchange or refresh.

    An empty refresh token in `tokens` means "keep the stored one": a refresh NEVER replaces a stored
    refresh token (or its expiry) with nothing. `extra` is merged, newest values winning.
    """
    previous = previous or Credentials()
    keep_refresh = not tokens.refresh_token
    return Credentials(
        access_token=tokens.access_token or previous.access_token,
        refresh_token=tokens.refresh_token or previous.refresh_token,
        expires_at=tokens.expires_at,
        refresh_expires_at=(
            (tokens.refresh_expires_at or previous.refresh_expires_at)
            if keep_refresh
            else tokens.refresh_expires_at
        ),
        extra={**previous.extra, **tokens.extra},
    )


# --- model accessors: the only code that touches AccountCredential.ciphertext ----------------------------


def credentials_read(account) -> Credentials | None:
    """The account's decrypted credentials, or None (assisted or disconnected accounts have none)."""
    from .models import AccountCredential

    row = AccountCredential.objects.filter(account_id=account.pk).only("ciphertext").first()
    if row is None:
        return None
    return decrypt_credentials(row.ciphertext)


def credentials_read_many(accounts) -> dict[int, Credentials | None]:
    """`credentials_read` for many accounts in one query: {account id: credentials or None}."""
    from .models import AccountCredential

    ids = {a.pk for a in accounts}
    rows = dict(AccountCredential.objects.filter(account_id__in=ids).values_list("account_id", "ciphertext"))
    return {pk: decrypt_credentials(rows[pk]) if pk in rows else None for pk in ids}


def credentials_write(account, credentials: Credentials) -> None:
    from .models import AccountCredential

    AccountCredential.objects.update_or_create(
        account_id=account.pk, defaults={"ciphertext": encrypt_credentials(credentials)}
    )


def credentials_wipe(account) -> int:
    from .models import AccountCredential

    deleted, _details = AccountCredential.objects.filter(account_id=account.pk).delete()
    return deleted


def credentials_rotate_all(*, batch_size: int = 500) -> tuple[int, int]:
    """Re-encrypt every stored credential (and pending PKCE verifier) under the newest key.

    Returns how many credential rows and how many connect states were re-encrypted. Each batch is one
    transaction; the rows are locked while re-encrypted, so a concurrent refresh cannot write a new token
    that this then overwrites with the old one.
    """
    from django.db import transaction
    from django.utils import timezone

    from .models import AccountCredential, OAuthConnectState

    count = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                AccountCredential.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not rows:
                break
            now = timezone.now()
            for row in rows:
                row.ciphertext = rotate_text(row.ciphertext)
                row.updated_at = now
            AccountCredential.objects.bulk_update(rows, ["ciphertext", "updated_at"])
            count += len(rows)
            last_pk = rows[-1].pk
    with transaction.atomic():
        states = list(
            OAuthConnectState.objects.select_for_update()
            .filter(used_at__isnull=True)
            .exclude(code_verifier_ciphertext="")
        )
        for state in states:
            state.code_verifier_ciphertext = rotate_text(state.code_verifier_ciphertext)
        OAuthConnectState.objects.bulk_update(states, ["code_verifier_ciphertext"])
    return count, len(states)

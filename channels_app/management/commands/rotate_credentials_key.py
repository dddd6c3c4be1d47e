"""Re-encrypt every stored credential under the newest key of KAWO_FERNET_KEYS.

Rotation: put a new key first in KAWO_FERNET_KEYS (keep the old ones after it), deploy, run this command,
then drop the old keys. Every row then decrypts with the new key alone.
"""

from django.core.management.base import BaseCommand, CommandError

from channels_app.vault import VaultError, credentials_rotate_all


class Command(BaseCommand):
    help = "Re-encrypt all social account credentials under the newest KAWO_FERNET_KEYS key."

    def handle(self, *args, **options):
        try:
            credentials, states = credentials_rotate_all()
        except VaultError as exc:
            raise CommandError(f"{exc}: keep every key that is still in use in KAWO_FERNET_KEYS") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {credentials} credential rows and {states} pending connect states "
                "under the newest key."
            )
        )

"""Run in a subprocess by test_sqlite_path.py: the embedded defaults (SQLite, kawo.settings.local).

Migrates a fresh SQLite file (the snapshot table is an ordinary one there), ingests a small batch twice
through `snapshots_ingest`, and prints JSON with what was stored and what the selectors read back."""

import json
import os
import uuid
from datetime import UTC, date, datetime

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawo.settings.local")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Organization, Workspace  # noqa: E402
from analytics import selectors  # noqa: E402
from analytics.models import AccountDailyMetric, MetricSnapshot, MetricUnavailable, PostDailyMetric  # noqa: E402
from analytics.partitions import partitions_ensure  # noqa: E402
from analytics.services import SnapshotRow, UnavailableRow, snapshots_ingest  # noqa: E402
from channels_app.models import SocialAccount  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Smoke", slug="smoke")
    workspace = Workspace.objects.create(organization=organization, name="Smoke", slug="smoke")
    account = SocialAccount.objects.create(
        workspace=workspace, platform="weibo", external_id="1", handle="smoke", assisted=False
    )
    pull = uuid.uuid4()
    moment = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)  # 2027-01-02 in Shanghai, the default zone
    later = datetime(2027, 1, 1, 17, 30, tzinfo=UTC)
    rows = [
        SnapshotRow(account.pk, "followers_count", 100, moment, pull),
        SnapshotRow(account.pk, "followers_count", 105, later, pull),
        SnapshotRow(account.pk, "attitudes_count", 7, moment, pull, platform_post_id="w-1"),
    ]
    gaps = [UnavailableRow(account.pk, "comments_count", "error", pull, platform_post_id="w-1")]
    first = snapshots_ingest(rows, workspace=workspace, unavailable=gaps)
    snapshots_ingest(rows, workspace=workspace, unavailable=gaps)
    daily = selectors.account_daily(
        workspace, metric="followers", start=date(2027, 1, 1), end=date(2027, 1, 3)
    )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "received": first.received,
                "snapshots": MetricSnapshot.objects.count(),
                "account_days": list(AccountDailyMetric.objects.values_list("date", "value")),
                "post_days": PostDailyMetric.objects.count(),
                "unavailable": MetricUnavailable.objects.count(),
                "daily": [(str(d.date), d.value) for d in daily],
                "partitions_created": partitions_ensure(),
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()

import uuid
from datetime import datetime

from analytics.services import SnapshotRow

PULL = uuid.UUID("00000000-0000-0000-0000-0000000000a1")


def reading(account, metric, value, at: datetime, *, post="", target=None, pull=PULL) -> SnapshotRow:
    return SnapshotRow(
        account_id=account.pk,
        metric=metric,
        value=value,
        captured_at=at,
        pull_id=pull,
        platform_post_id=post,
        target_id=target.pk if target is not None else None,
    )

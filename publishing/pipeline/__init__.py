"""The publish pipeline (DESIGN.md "Publishing pipeline"): dispatcher, publish step, poller, reconciler.

The database is the schedule. Every status change of a target goes through
content.services.post_target_move (the one transition table); this module keeps its own bookkeeping in
PublishJob (the lease, "not before", retry counts) and PublishAttempt (the attempt log).

    scheduled --dispatch--> queued(lease) --publish_attempt--> publishing --> published
                                 ^   |                             |   |---> failed (reason)
                                 |   +--> failed (missed, gate,    |   +---> unknown --settle--> published
                                 |        reconnect the account)   |                    \\--> queued (the
                                 +---- 429 / 5xx / refreshed token +                       platform shows
                                       (not before Retry-After / backoff)                  it has nothing)

Locks are taken post first, then target, then job (publishing/README.md, "Lock order"). A task acts
only when the target is queued AND the job's `attempt_id` is the one in its message, so duplicated
messages, a second beat or a re-leased target never send twice. The attempt row is written before the
platform is called. A worker killed after that leaves the target "publishing" with a lease that runs
out: the sweeper marks it unknown and the reconciler reads the platform; nothing is ever retried
blindly.

Split by noun (config, transitions, dispatcher, attempt, polling, reconciler, assisted);
callers import from here.
"""

from .assisted import (  # noqa: F401
    _hand_over,
)
from .attempt import (  # noqa: F401
    _fail_reconnect,
    _Prepared,
    _record,
    _refresh_and_requeue,
    publish_attempt,
)
from .batch import (  # noqa: F401
    _prepare,
    publish_batch,
    send_threads,
)
from .config import (  # noqa: F401
    REASON_APPROVAL,
    REASON_COMPLIANCE,
    REASON_MISSED,
    REASON_OVERDUE,
    REASON_RECONNECT,
    REASON_REJECTED,
    REASON_RETRIES,
    Outcome,
    _hostname,
    _setting,
    _workspace_settings,
    assisted_overdue_for,
    batch_size,
    grace_for,
    lease_seconds,
    logger,
    max_in_flight,
    retry_policy,
    settle_delay,
)
from .dispatcher import (  # noqa: F401
    CLAIM_LOCK_KEY,
    _claim_lock,
    _claim_locked,
    _lease,
    _lease_many,
    _to_unknown,
    claim_due,
    dispatch,
    release_ready,
    settle_due,
    sweep_expired,
)
from .polling import (  # noqa: F401
    poll,
)
from .reconciler import (  # noqa: F401
    settle,
)
from .transitions import (  # noqa: F401
    _block,
    _blocking_findings,
    _connector,
    _enqueue,
    _enqueue_publish,
    _error_summary,
    _fail,
    _gate_wait,
    _local,
    _lock,
    _move,
    _move_many,
    _next_attempt_number,
    _notify,
    _published,
    _request_summary,
    _requeue,
    _responsible_user_id,
    _team,
    _webhook,
    publishing_inline,
)

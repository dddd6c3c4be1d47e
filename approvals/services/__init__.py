"""Writes for approvals. Every function is keyword-only, takes `actor=`, is atomic and writes the audit
log; notifications and webhooks are queued inside the same transaction (sent only if it commits).

Variant statuses move only through content.models.check_transition (the one transition table):
submit: draft -> in_review; approved: in_review -> approved; changes requested / rejected:
in_review -> draft; an edit that the gate no longer lets through: approved/scheduled -> draft.

Split by noun (posts, edits, workflows, approvers, requests, decisions, comments, inbox, sla);
callers import from here.
"""

from .approvers import (  # noqa: F401
    _is_approver,
    _needed,
    stage_approver_users,
)
from .comments import (  # noqa: F401
    MENTION,
    _comment,
    _mentioned,
    comment_create,
    comment_resolve,
)
from .decisions import (  # noqa: F401
    Decision,
    _decide,
    approval_bulk_approve,
    approval_decide,
)
from .edits import (  # noqa: F401
    approval_override_create,
    approval_reroute,
    approval_reroute_workspace,
    approval_sync_after_edit,
)
from .inbox import (  # noqa: F401
    notification_preferences_set,
    notifications_mark_read,
)
from .posts import (  # noqa: F401
    _label,
    lock_post,
    move_targets,
)
from .requests import (  # noqa: F401
    _advance,
    _can_submit,
    _resubmission,
    _schedule_after_approval,
    _start_stage,
    _submit_one,
    _webhook,
    approval_batch_submit,
    approval_request_cancel,
    approval_request_submit,
)
from .sla import (  # noqa: F401
    sla_sweep,
)
from .workflows import (  # noqa: F401
    UNSET,
    _clean_stage,
    _stage_summary,
    _users_in_workspace,
    _write_stages,
    policy_rules_set,
    workflow_create,
    workflow_delete,
    workflow_update,
)

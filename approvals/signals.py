"""What approvals announces to the apps above it, which it never imports (DESIGN.md "Layers").

`approval_event` is sent inside the transaction of the change it reports (nothing a receiver writes
survives a rollback), with `workspace`, `event` ("approval.requested", "approval.approved",
"approval.rejected", "approval.changes_requested") and `payload` (request, post, version, content_hash,
status and what the event adds). publishing connects it to its outgoing webhooks (publishing/apps.py).
Receivers' errors propagate: a failing receiver aborts the change, as a failing webhook_emit always did.
"""

from django.dispatch import Signal

approval_event = Signal()

"""The inbox's writes. Callers import from here (inbox.services), not from the modules."""

from .deliveries import inbox_push_key_create
from .ingest import IngestResult, inbox_message_ingest
from .item_actions import ACTIONS as ITEM_ACTIONS
from .item_actions import inbox_item_platform_action, item_actions_offered
from .items import (
    STATUS_TRANSITIONS,
    assignable,
    check_version,
    inbox_item_assign,
    inbox_item_update,
    inbox_items_assign,
    inbox_items_close,
    inbox_note_add,
)
from .replies import (
    inbox_reply_send,
    reply_check,
    saved_reply_create,
    saved_reply_delete,
    saved_reply_render,
    saved_reply_update,
)
from .reply_approval import can_approve, inbox_reply_approve, inbox_reply_reject
from .rule_apply import inbox_rules_apply, notify_assigned
from .rules import (
    inbox_rule_create,
    inbox_rule_delete,
    inbox_rule_move,
    inbox_rule_update,
    inbox_rules_reorder,
    inbox_rules_test,
)
from .saved_views import saved_view_create, saved_view_delete
from .settings import inbox_settings_get, inbox_settings_update

__all__ = [
    "ITEM_ACTIONS",
    "inbox_item_platform_action",
    "item_actions_offered",
    "STATUS_TRANSITIONS",
    "IngestResult",
    "assignable",
    "can_approve",
    "check_version",
    "inbox_item_assign",
    "inbox_item_update",
    "inbox_items_assign",
    "inbox_items_close",
    "inbox_message_ingest",
    "inbox_note_add",
    "inbox_push_key_create",
    "inbox_reply_approve",
    "inbox_reply_reject",
    "inbox_reply_send",
    "inbox_rule_create",
    "inbox_rule_delete",
    "inbox_rule_move",
    "inbox_rule_update",
    "inbox_rules_apply",
    "inbox_rules_reorder",
    "inbox_rules_test",
    "inbox_settings_get",
    "inbox_settings_update",
    "notify_assigned",
    "reply_check",
    "saved_reply_create",
    "saved_reply_delete",
    "saved_reply_render",
    "saved_reply_update",
    "saved_view_create",
    "saved_view_delete",
]

"""The inbox's writes. Callers import from here (inbox.services), not from the modules."""

from .deliveries import inbox_push_key_create
from .ingest import IngestResult, inbox_message_ingest
from .items import (
    STATUS_TRANSITIONS,
    assignable,
    check_version,
    inbox_item_assign,
    inbox_item_update,
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
from .settings import inbox_settings_get, inbox_settings_update

__all__ = [
    "STATUS_TRANSITIONS",
    "IngestResult",
    "assignable",
    "check_version",
    "inbox_item_assign",
    "inbox_item_update",
    "inbox_items_close",
    "inbox_message_ingest",
    "inbox_note_add",
    "inbox_push_key_create",
    "inbox_reply_send",
    "inbox_settings_get",
    "inbox_settings_update",
    "reply_check",
    "saved_reply_create",
    "saved_reply_delete",
    "saved_reply_render",
    "saved_reply_update",
]

"""The inbox's writes. Callers import from here (inbox.services), not from the modules."""

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
]

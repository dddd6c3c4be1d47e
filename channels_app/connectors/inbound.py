"""What connectors hand the inbox: one `InboundMessage` per comment, reply, mention or direct message, as
plain data (the inbox persists it). A connector reads a page of them with `fetch_inbound` (polling) or
parses a pushed payload into them (webhooks); `Page.cursor` is what to ask for next time (the platform's
since_id, cursor or max id), opaque to the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class InboundAuthor:
    external_id: str
    handle: str = ""
    display_name: str = ""
    avatar_url: str = ""
    followers: int | None = None


@dataclass(frozen=True)
class InboundMessage:
    kind: str  # "comment", "reply", "mention", "direct_message" (inbox.models.ItemKind)
    external_id: str  # the platform's id of this message
    author: InboundAuthor
    text: str
    sent_at: datetime
    # Which conversation it belongs to: the post's id for comments/replies/mentions, the DM thread's id.
    thread_id: str
    parent_id: str = ""  # the comment it answers, where the platform says
    thread_title: str = ""  # our post's text (a snippet), where the platform returns it
    url: str = ""
    edited_at: datetime | None = None
    removed: bool = False  # the platform says it was deleted
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundPage:
    messages: list[InboundMessage]
    cursor: str = ""  # ask with this next time ("" = from the start)
    # Threads (our posts) listed in full in `messages`: a message of one of them that is not there any
    # more was deleted on the platform (Weibo says nothing else about a deletion).
    complete_threads: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplyTarget:
    """What a reply answers, as the platform knows it (from the inbox item)."""

    kind: str  # the item's kind
    external_id: str  # the message answered
    thread_id: str  # its conversation's id (the post, or "dm:<fan>")
    author_id: str = ""  # the fan's id (DMs are sent to them)
    author_handle: str = ""  # Mastodon: the @acct a reply addresses
    raw: dict[str, Any] = field(default_factory=dict)
    # Messenger / Instagram DMs past the 24-hour window: "HUMAN_AGENT" (inbox.reply_windows decides)
    messaging_tag: str = ""


@dataclass(frozen=True)
class ReplyResult:
    external_id: str  # our reply's id on the platform
    sent_at: datetime | None = None

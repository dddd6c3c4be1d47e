"""Fans' side of the simulator: comments on an account's posts, replies, mentions and direct messages that
tests and the demo add, edit and delete through /_sim/fan-messages, and that each platform's inbox
endpoints (Weibo comments/show and mentions, Mastodon notifications) list in the platform's own shape.

Our own replies made through a platform's reply call are stored here too (`author_id` = our account), so a
test can prove that exactly one reply landed. Ids are numeric strings that grow, as the platforms' since_id
paging assumes; an edit keeps the id and sets `edited_at`; a deletion keeps the row with `deleted`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .state import SimState, now

KINDS = ("comment", "reply", "mention", "direct_message")


@dataclass
class FanMessage:
    id: str
    platform: str
    account_id: str  # our account the message is to (or, for our own replies, from)
    kind: str
    text: str
    author_id: str
    author_handle: str = ""
    author_name: str = ""
    author_followers: int = 0
    post_id: str = ""  # the post it comments on / the mentioning post's own id; DM: the conversation id
    parent_id: str = ""  # the comment it answers
    created_at: float = field(default_factory=now)
    edited_at: float | None = None
    deleted: bool = False
    in_comment: bool = False  # a mention made in a comment (Weibo comments/mentions), not in a post
    created_seq: int = 0  # the order of arrival (Mastodon's `mention` notification id)
    seq: int = 0  # the last change, edits included (Mastodon's `update` notification id)
    hidden: bool = False  # hidden by the account (Meta is_hidden / hide): shown to its author only
    liked: bool = False  # liked by the account
    attachment_url: str = ""  # our reply's attachment (Facebook attachment_url, a Messenger image)
    extra: dict[str, Any] = field(default_factory=dict)  # how it was sent (Messenger messaging_type, tag)

    def public(self) -> dict[str, Any]:
        return asdict(self)


def store(state: SimState) -> dict[tuple[str, str], FanMessage]:
    """The simulator's fan messages (SimState.fan_messages: /_sim/reset empties them too)."""
    return state.fan_messages


def add(
    state: SimState, *, platform: str, account_id: str, kind: str, text: str, author_id: str, **fields
) -> FanMessage:
    messages = store(state)
    message_id = fields.pop("id", None) or str(5_000_000_000 + state.next_id())
    message = FanMessage(
        id=message_id,
        platform=platform,
        account_id=account_id,
        kind=kind,
        text=text,
        author_id=author_id,
        **fields,
    )
    message.created_seq = message.seq = state.next_id()
    messages[(platform, message.id)] = message
    return message


def get(state: SimState, platform: str, message_id: str) -> FanMessage | None:
    return store(state).get((platform, message_id))


def edit(message: FanMessage, state: SimState, text: str) -> FanMessage:
    message.text = text
    message.edited_at = now()
    message.seq = state.next_id()
    return message


def of_account(
    state: SimState, platform: str, account_id: str, *, kinds: tuple[str, ...] = KINDS, include_deleted=False
) -> list[FanMessage]:
    """Newest first."""
    rows = [
        m
        for m in store(state).values()
        if m.platform == platform
        and m.account_id == account_id
        and m.kind in kinds
        and (include_deleted or not m.deleted)
    ]
    return sorted(rows, key=lambda m: int(m.id), reverse=True)


def page(
    rows: list[FanMessage], *, since_id: str = "", max_id: str = "", count: int = 20
) -> list[FanMessage]:
    """since_id / max_id paging over newest-first rows: ids > since_id and <= max_id, at most `count`."""
    if since_id:
        rows = [m for m in rows if int(m.id) > int(since_id)]
    if max_id:
        rows = [m for m in rows if int(m.id) <= int(max_id)]
    return rows[:count]

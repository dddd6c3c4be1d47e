"""Bluesky mentions and replies for the inbox, and our answers.

Reading, two ways:
- With an AppView (bsky.social): `app.bsky.notification.listNotifications`, asked through the PDS with
  `atproto-proxy` naming the AppView, newest first, paged with `cursor` until a page reaches what the
  last poll saw (the cursor kept here is the newest notification's indexedAt). Reasons "mention" and
  "reply" are kept (likes, reposts and follows are not fan messages); a reply is a comment in the thread
  of its root post.
- Without one (a lone PDS, like the suite's peer): the PDS answers the call with 400 InvalidRequest "No
  service configured for app.bsky.notification.listNotifications" (when asked without `atproto-proxy`;
  with it, a PDS that cannot reach the named AppView fails with a 5xx, so that answer is checked by asking
  once more without the header). Then the PDS's own records are read (repo_inbound.py). XRPCNotSupported,
  MethodNotImplemented, 404 and 501 mean the same. The cursor remembers the mode; a PDS-mode poll asks
  the PDS (without the header) first, so an AppView added later is used from then on.

Answering (`reply`): an `app.bsky.feed.post` record whose `reply` holds strong refs (uri + cid) to the
thread's root and to the post answered (the parent), created in our repo with createRecord. The refs come
from what the poll stored (`raw`), else from reading the parent record. Bluesky has no idempotency key: a
timeout after createRecord was sent is Unknown and never re-sent blindly (inbox.services.replies).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..base import Credentials
from ..errors import Rejected, Transient, Unknown
from ..http import need
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget
from .repo_inbound import BlueskyRepoInbound

PAGE_SIZE = 50
MAX_PAGES = 5
NOTIFICATIONS = "app.bsky.notification.listNotifications"
NO_SERVICE_CODES = frozenset({"XRPCNotSupported", "MethodNotImplemented"})


def _parse(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


def no_appview(exc: Rejected | Transient) -> bool:
    """The server says it has no AppView to answer app.bsky.* reads."""
    return (
        exc.platform_code in NO_SERVICE_CODES
        or exc.status_code in (404, 501)
        or (
            exc.platform_code == "InvalidRequest" and exc.platform_message.startswith("No service configured")
        )
    )


def _strong_ref(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and isinstance(value.get("uri"), str) and value.get("cid"):
        return {"uri": value["uri"], "cid": str(value["cid"])}
    return None


class BlueskyInbound(BlueskyRepoInbound):
    """Mixed into BlueskyConnector (channels_app.connectors.bluesky.connector)."""

    def _notifications(
        self, credentials: Credentials, params: dict, *, proxied: bool
    ) -> tuple[dict | None, bool]:
        """A page of notifications (None when the service has no AppView) and whether it was asked with
        `atproto-proxy`."""
        from .connector import APPVIEW_PROXY

        headers = {"atproto-proxy": self.app.get("appview_proxy") or APPVIEW_PROXY} if proxied else {}
        try:
            body = self._xrpc(
                "GET",
                NOTIFICATIONS,
                operation="inbound",
                token=credentials.access_token,
                params=params,
                headers=headers,
            )
            return body, proxied
        except (Rejected, Transient) as exc:
            if no_appview(exc):
                return None, proxied
            if proxied:  # the named AppView failed: does this PDS have one at all?
                return self._notifications(credentials, params, proxied=False)
            raise

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        pds_mode = cursor.startswith("{")
        seen_until = "" if pds_mode else cursor
        params: dict = {"limit": PAGE_SIZE}
        proxied = not pds_mode
        notifications: list[dict] = []
        for _page in range(MAX_PAGES):
            body, proxied = self._notifications(credentials, params, proxied=proxied)
            if body is None:
                return self.fetch_inbound_from_repos(credentials, cursor=cursor)
            page = need(body, "notifications")
            # ">=": one indexed in the same millisecond as the last seen is read again; ingest dedupes it.
            fresh = [n for n in page if not seen_until or n.get("indexedAt", "") >= seen_until]
            notifications.extend(fresh)
            if len(fresh) < len(page) or not body.get("cursor"):
                break
            params["cursor"] = body["cursor"]
        messages = [
            self._notification_message(n) for n in notifications if n.get("reason") in ("mention", "reply")
        ]
        messages.sort(key=lambda m: m.sent_at)
        newest = max([n.get("indexedAt", "") for n in notifications] + [seen_until])
        return InboundPage(messages, cursor=newest)

    def _notification_message(self, note: dict) -> InboundMessage:
        record = note.get("record") or {}
        author = note.get("author") or {}
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        root_ref, parent_ref = _strong_ref(reply.get("root")), _strong_ref(reply.get("parent"))
        root = (reply.get("root") or {}).get("uri", "")
        parent = (reply.get("parent") or {}).get("uri", "")
        uri = note.get("uri", "")
        raw: dict[str, Any] = {"source": "bluesky", "cid": note.get("cid", "")}
        if root_ref and parent_ref:
            raw["root"], raw["parent"] = root_ref, parent_ref
        return InboundMessage(
            kind="comment" if note.get("reason") == "reply" else "mention",
            external_id=uri,
            author=InboundAuthor(
                external_id=author.get("did", ""),
                handle=author.get("handle", ""),
                display_name=author.get("displayName", "") or "",
                avatar_url=author.get("avatar", "") or "",
            ),
            text=record.get("text", ""),
            sent_at=_parse(record.get("createdAt") or note.get("indexedAt")),
            thread_id=root or uri,
            parent_id=parent if parent != root else "",
            url=f"https://bsky.app/profile/{author.get('handle', '')}/post/{uri.rsplit('/', 1)[-1]}",
            raw=raw,
        )

    def _reply_refs(self, to: ReplyTarget) -> tuple[dict[str, str], dict[str, str]]:
        """(root, parent) strong refs for an answer to `to`."""
        from .connector import _is_not_found, parse_at_uri

        cid = to.raw.get("cid") if isinstance(to.raw.get("cid"), str) else ""
        root = _strong_ref(to.raw.get("root"))
        if cid and (root or not to.raw.get("parent")):
            parent = {"uri": to.external_id, "cid": cid}
            return root or parent, parent
        parsed = parse_at_uri(to.external_id)
        if parsed is None:
            raise Rejected(f"bluesky reply: {to.external_id!r} is not a post's at:// URI")
        try:
            body = self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                operation="reply_parent",
                params={"repo": parsed[0], "collection": parsed[1], "rkey": parsed[2]},
            )
        except Rejected as exc:
            if _is_not_found(exc):
                advice = "The post you are answering was deleted."
                raise Rejected(f"bluesky reply: {advice}", platform_message=advice) from exc
            raise
        parent = {"uri": body.get("uri") or to.external_id, "cid": body.get("cid") or ""}
        value = body.get("value") if isinstance(body.get("value"), dict) else {}
        root = (
            _strong_ref((value.get("reply") or {}).get("root"))
            if isinstance(value.get("reply"), dict)
            else None
        )
        return root or parent, parent

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        """A post in the fan's thread: `reply.root` the thread's first post, `reply.parent` the fan's."""
        from .connector import POST_COLLECTION, _now_iso

        root, parent = self._reply_refs(to)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": _now_iso(),
            "reply": {"root": root, "parent": parent},
        }
        facets = self._facets(text)
        if facets:
            record["facets"] = facets
        body = self._xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            operation="reply",
            token=credentials.access_token,
            unsafe=True,
            json={"repo": self._did(credentials), "collection": POST_COLLECTION, "record": record},
        )
        uri = body.get("uri") or ""
        if not uri.startswith("at://"):
            raise Unknown("bluesky reply: the server answered without the new post's URI")
        return ReplyResult(external_id=uri, sent_at=_parse(record["createdAt"]))

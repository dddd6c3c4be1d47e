"""Bluesky mentions and replies read from the PDS's own records, for a PDS without an AppView.

A lone PDS (the suite's peer, a self-hosted one) serves no `app.bsky.*` reads, but it serves every repo
it hosts: `com.atproto.sync.listRepos` names them with their current `rev`, and
`com.atproto.repo.listRecords` lists a repo's `app.bsky.feed.post` records newest first (record keys are
TIDs, so key order is time order). That is what Bluesky's own feed generators read (from the firehose,
`com.atproto.sync.subscribeRepos`; listRecords gives the same records without decoding CAR/CBOR frames).

One poll:
- lists the repos; a repo whose `rev` is the one the cursor remembers has not changed and is not read;
- reads a changed repo's newest posts (up to MAX_RECORD_PAGES pages of 100) and keeps the ones for us:
  a reply whose `reply.root` or `reply.parent` is one of our account's posts, a post whose facets mention
  our DID (`app.bsky.richtext.facet#mention`), and our own replies in those threads (`from_us`);
- compares them with what the cursor remembers (at-uri -> cid): a new uri is new, a changed cid is an
  edit (putRecord), a remembered uri of that repo no longer listed, within what was read, was deleted.

The cursor is JSON: {"mode": "pds", "revs": {did: rev}, "seen": {uri: cid}}; `seen` keeps the newest
SEEN_LIMIT records, so a deletion of anything older is not noticed. Only repos on the same PDS are read:
fans on other servers are visible only through an AppView (see inbound.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..base import Credentials
from ..errors import Rejected
from ..inbound import InboundAuthor, InboundMessage, InboundPage

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
MENTION = "app.bsky.richtext.facet#mention"
REPOS_PER_PAGE = 1000
MAX_REPO_PAGES = 20
RECORDS_PER_PAGE = 100
MAX_RECORD_PAGES = 3
SEEN_LIMIT = 2000


def read_cursor(cursor: str) -> dict[str, Any]:
    """The PDS-mode state from a cursor; an AppView cursor (an indexedAt) or nothing gives a fresh one."""
    try:
        state = json.loads(cursor) if cursor.startswith("{") else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict) or state.get("mode") != "pds":
        state = {}
    revs = state.get("revs") if isinstance(state.get("revs"), dict) else {}
    seen = state.get("seen") if isinstance(state.get("seen"), dict) else {}
    return {"mode": "pds", "revs": dict(revs), "seen": dict(seen)}


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _repo_of(uri: str) -> str:
    return uri[len("at://") :].split("/", 1)[0] if uri.startswith("at://") else ""


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ref(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    uri, cid = value.get("uri"), value.get("cid")
    return {"uri": uri, "cid": cid if isinstance(cid, str) else ""} if isinstance(uri, str) else {}


def _mentions(record: dict, did: str) -> bool:
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or [] if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and feature.get("$type") == MENTION and feature.get("did") == did:
                return True
    return False


class BlueskyRepoInbound:
    """Mixed into BlueskyConnector through BlueskyInbound (channels_app.connectors.bluesky.inbound)."""

    def _list_repos(self) -> list[dict]:
        repos: list[dict] = []
        params: dict[str, Any] = {"limit": REPOS_PER_PAGE}
        for _page in range(MAX_REPO_PAGES):
            body = self._xrpc("GET", "com.atproto.sync.listRepos", operation="inbound_repos", params=params)
            page = [r for r in body.get("repos") or [] if isinstance(r, dict) and r.get("did")]
            repos.extend(page)
            if not body.get("cursor") or len(page) < REPOS_PER_PAGE:
                break
            params["cursor"] = body["cursor"]
        return [r for r in repos if r.get("active", True)]

    def _newest_posts(self, did: str) -> tuple[list[dict], bool]:
        """The repo's newest posts, newest first, and whether that is all of them."""
        records: list[dict] = []
        params: dict[str, Any] = {"repo": did, "collection": POST, "limit": RECORDS_PER_PAGE}
        for _page in range(MAX_RECORD_PAGES):
            try:
                body = self._xrpc(
                    "GET", "com.atproto.repo.listRecords", operation="inbound_records", params=params
                )
            except Rejected as exc:
                if exc.platform_message.startswith("Could not find repo"):
                    return [], True  # gone between listRepos and now
                raise
            page = [r for r in body.get("records") or [] if isinstance(r, dict) and r.get("uri")]
            records.extend(page)
            if not body.get("cursor") or len(page) < RECORDS_PER_PAGE:
                return records, True
            params["cursor"] = body["cursor"]
        return records, False

    def _author(self, did: str) -> InboundAuthor:
        handle, display_name = "", ""
        try:
            handle = self._xrpc(
                "GET", "com.atproto.repo.describeRepo", operation="inbound_author", params={"repo": did}
            ).get("handle", "")
            profile = self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                operation="inbound_author",
                params={"repo": did, "collection": PROFILE, "rkey": "self"},
            ).get("value")
            display_name = (profile or {}).get("displayName", "") if isinstance(profile, dict) else ""
        except Rejected:
            pass  # no profile record: the handle (or the DID) names the fan
        return InboundAuthor(external_id=did, handle=handle or "", display_name=display_name or "")

    def _for_us(self, record: dict, *, our_did: str, seen: dict[str, str], ours: bool) -> bool:
        value = record.get("value") if isinstance(record.get("value"), dict) else {}
        reply = value.get("reply") if isinstance(value.get("reply"), dict) else {}
        root, parent = _ref(reply.get("root")).get("uri", ""), _ref(reply.get("parent")).get("uri", "")
        if ours:
            # Our answer in a thread we follow: under our post, or to a fan's post we already hold.
            return bool(reply) and (_repo_of(root) == our_did or root in seen or parent in seen)
        return _repo_of(root) == our_did or _repo_of(parent) == our_did or _mentions(value, our_did)

    def _repo_message(
        self, record: dict, author: InboundAuthor, *, ours: str, edited: bool
    ) -> InboundMessage:
        uri, value = record["uri"], record.get("value") or {}
        reply = value.get("reply") if isinstance(value.get("reply"), dict) else {}
        root, parent = _ref(reply.get("root")), _ref(reply.get("parent"))
        root_uri, parent_uri = root.get("uri", ""), parent.get("uri", "")
        # Ours: an answer (as inbox.services.replies records the ones sent from the inbox). A fan's post in
        # our thread is a comment; one mentioning us elsewhere (a stranger's thread too) is a mention.
        if author.external_id == ours:
            kind = "reply"
        elif ours in (_repo_of(root_uri), _repo_of(parent_uri)):
            kind = "comment"
        else:
            kind = "mention"
        raw: dict[str, Any] = {"source": "bluesky", "via": "pds", "cid": record.get("cid", "")}
        if root:
            raw["root"], raw["parent"] = root, parent
        return InboundMessage(
            kind=kind,
            external_id=uri,
            author=author,
            text=value.get("text", "") if isinstance(value.get("text"), str) else "",
            sent_at=_time(value.get("createdAt")),
            thread_id=root_uri or uri,
            parent_id=parent_uri if parent_uri != root_uri else "",
            url=self._web_url(author.handle or author.external_id, _rkey(uri)),
            edited_at=datetime.now(UTC) if edited else None,
            raw=raw,
        )

    def fetch_inbound_from_repos(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        our_did = self._did(credentials)
        state = read_cursor(cursor)
        revs, seen = state["revs"], state["seen"]
        messages: list[InboundMessage] = []
        repos = self._list_repos()
        # Our own repo last: our answers are recognised by the fans' posts they answer.
        repos.sort(key=lambda r: r["did"] == our_did)
        for repo in repos:
            did = repo["did"]
            if revs.get(did) and revs[did] == repo.get("rev"):
                continue
            records, complete = self._newest_posts(did)
            listed = {r["uri"] for r in records}
            oldest = _rkey(records[-1]["uri"]) if records else ""
            author = None
            for record in reversed(records):  # oldest first: a thread builds up in order
                if not self._for_us(record, our_did=our_did, seen=seen, ours=did == our_did):
                    continue
                uri, cid = record["uri"], record.get("cid", "")
                if seen.get(uri) == cid:
                    continue
                if author is None:
                    author = self._author(did)
                messages.append(self._repo_message(record, author, ours=our_did, edited=uri in seen))
                seen[uri] = cid
            for uri in [u for u in seen if _repo_of(u) == did and u not in listed]:
                if complete or _rkey(uri) >= oldest:
                    messages.append(self._removed(uri))
                    del seen[uri]
            revs[did] = repo.get("rev", "")
        if len(seen) > SEEN_LIMIT:
            seen = dict(sorted(seen.items(), key=lambda kv: _rkey(kv[0]))[-SEEN_LIMIT:])
        messages.sort(key=lambda m: (m.removed, m.sent_at))
        cursor = json.dumps({"mode": "pds", "revs": revs, "seen": seen}, separators=(",", ":"))
        return InboundPage(messages, cursor=cursor)

    def _removed(self, uri: str) -> InboundMessage:
        did = _repo_of(uri)
        return InboundMessage(
            kind="comment",
            external_id=uri,
            author=InboundAuthor(external_id=did),
            text="",
            sent_at=datetime.now(UTC),
            thread_id=uri,
            removed=True,
            raw={"source": "bluesky", "via": "pds"},
        )

"""The fans' repos on the simulated PDS, for a PDS without an AppView (issue 16).

A lone PDS serves every repo it hosts; the inbox reads them when listNotifications is refused
(channels_app/connectors/bluesky/repo_inbound.py). Here:
- `com.atproto.sync.listRepos` lists our simulated accounts and every fan DID that wrote to one of them
  (platform_sim.fans, author ids starting "did:"), each with `head` and `rev`; `rev` changes whenever
  the repo's records change (a post, an edit, a deletion), as a commit's rev does.
- `com.atproto.repo.listRecords`, `getRecord` and `describeRepo` of a fan's DID answer from the fans'
  store: a fan's comment is an `app.bsky.feed.post` whose `reply` root and parent are our post (or the
  comment it answers), a mention carries an `app.bsky.richtext.facet#mention` of our DID; record keys are
  the message ids (numeric, so key order is time order, as TIDs are).
- An account created with `options={"appview": False}` stands for a PDS without an AppView:
  listNotifications answers 400 "No service configured" even with `atproto-proxy`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import fans
from ..kit import Ctx, operation
from .bluesky import POST, PROFILE, SPEC, _bearer_hint, _iso, cid_for, xrpc_error


def fan_messages_of(ctx: Ctx, did: str) -> list[fans.FanMessage]:
    """The fan's live messages, newest first (by id)."""
    rows = [m for m in fans.store(ctx.state).values() if m.platform == "bluesky" and m.author_id == did]
    return sorted([m for m in rows if not m.deleted], key=lambda m: int(m.id), reverse=True)


def fan_dids(ctx: Ctx) -> list[str]:
    return sorted(
        {
            m.author_id
            for m in fans.store(ctx.state).values()
            if m.platform == "bluesky"
            and m.author_id.startswith("did:")
            and not ctx.state.account("bluesky", m.author_id)
        }
    )


def _uri(message: fans.FanMessage) -> str:
    return f"at://{message.author_id}/{POST}/{message.id}"


def _our_post_ref(ctx: Ctx, account_id: str, rkey: str) -> dict[str, str]:
    post = ctx.state.get_post("bluesky", rkey)
    if post is not None and post.extra.get("uri"):
        return {"uri": post.extra["uri"], "cid": post.extra["cid"]}
    uri = f"at://{account_id}/{POST}/{rkey}"
    return {"uri": uri, "cid": cid_for(uri.encode(), codec=0x71)}


def fan_record(ctx: Ctx, message: fans.FanMessage) -> dict[str, Any]:
    value: dict[str, Any] = {"$type": POST, "text": message.text, "createdAt": _iso(message.created_at)}
    if message.post_id and message.kind in ("comment", "reply"):
        root = _our_post_ref(ctx, message.account_id, message.post_id)
        parent = root
        if message.parent_id:
            answered = fans.get(ctx.state, "bluesky", message.parent_id)
            if answered is not None and answered.author_id != message.account_id:
                parent = {"uri": _uri(answered), "cid": fan_record(ctx, answered)["cid"]}
            else:  # our own answer: a post in our repo
                parent = _our_post_ref(ctx, message.account_id, message.parent_id)
        value["reply"] = {"root": root, "parent": parent}
    else:
        account = ctx.state.account("bluesky", message.account_id)
        tag = f"@{account.handle}" if account else ""
        start = message.text.encode().find(tag.encode()) if tag else -1
        start, end = (start, start + len(tag.encode())) if start >= 0 else (0, 0)
        feature = {"$type": "app.bsky.richtext.facet#mention", "did": message.account_id}
        value["facets"] = [{"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}]
    cid = cid_for(json.dumps(value, sort_keys=True).encode(), codec=0x71)
    return {"uri": _uri(message), "cid": cid, "value": value}


def _rev(parts: list[str]) -> str:
    return "3" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _all_messages_of(ctx: Ctx, did: str) -> list[fans.FanMessage]:
    return [m for m in fans.store(ctx.state).values() if m.platform == "bluesky" and m.author_id == did]


@operation(SPEC, "inbound_repos", auth=False)
async def list_repos(request: Request, ctx: Ctx) -> Response:
    repos = []
    for account in [a for a in ctx.state.accounts.values() if a.platform == "bluesky"]:
        posts = ctx.state.posts_of("bluesky", account.external_id, include_deleted=True)
        rev = _rev([f"{p.id}:{p.deleted}" for p in posts])
        repos.append({"did": account.external_id, "rev": rev})
    for did in fan_dids(ctx):
        rev = _rev([f"{m.id}:{m.seq}:{m.deleted}" for m in _all_messages_of(ctx, did)])
        repos.append({"did": did, "rev": rev})
    for repo in repos:
        repo["head"] = cid_for(repo["rev"].encode(), codec=0x71)
        repo["active"] = True
    return JSONResponse({"repos": repos})


def fan_list_records(request: Request, ctx: Ctx, did: str) -> Response:
    q = request.query_params
    try:
        limit = int(q.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return xrpc_error("InvalidRequest", "limit must be between 1 and 100")
    rows = fan_messages_of(ctx, did) if q.get("collection") == POST else []
    if q.get("cursor"):
        rows = [m for m in rows if int(m.id) < int(q["cursor"])]
    page = rows[:limit]
    body: dict[str, Any] = {"records": [fan_record(ctx, m) for m in page]}
    if page:
        body["cursor"] = page[-1].id
    return JSONResponse(body)


def fan_describe_repo(ctx: Ctx, did: str) -> Response:
    handle = next((m.author_handle for m in _all_messages_of(ctx, did) if m.author_handle), "handle.invalid")
    return JSONResponse(
        {"handle": handle, "did": did, "didDoc": {"id": did}, "collections": [POST], "handleIsCorrect": True}
    )


def fan_get_record(request: Request, ctx: Ctx, did: str) -> Response:
    q = request.query_params
    uri = f"at://{did}/{q.get('collection', '')}/{q.get('rkey', '')}"
    messages = _all_messages_of(ctx, did)
    if q.get("collection") == PROFILE and q.get("rkey") == "self" and messages:
        value = {"$type": PROFILE, "displayName": messages[0].author_name}
        return JSONResponse({"uri": uri, "cid": cid_for(json.dumps(value).encode(), 0x71), "value": value})
    message = fans.get(ctx.state, "bluesky", q.get("rkey", ""))
    if q.get("collection") != POST or message is None or message.deleted or message.author_id != did:
        return xrpc_error("RecordNotFound", f"Could not locate record: {uri}")
    return JSONResponse(fan_record(ctx, message))


def is_fan_repo(ctx: Ctx, repo: str) -> bool:
    return repo in fan_dids(ctx)


def fan_repo_answer(request: Request, ctx: Ctx, what: str) -> Response | None:
    """listRecords / getRecord / describeRepo of a fan's repo; None: `repo` is not a fan's DID."""
    repo = request.query_params.get("repo", "")
    if not is_fan_repo(ctx, repo):
        return None
    if what == "list":
        return fan_list_records(request, ctx, repo)
    if what == "get":
        return fan_get_record(request, ctx, repo)
    return fan_describe_repo(ctx, repo)


async def without_appview(request: Request) -> bool:
    """The caller's account stands for a PDS without an AppView (options {"appview": false})."""
    account = await _bearer_hint(request, request.app.state.sim)
    return account is not None and account.options.get("appview") is False

"""One atproto script, run unchanged against the simulator and against Bluesky's own PDS.

`run_atproto_script(base_url, handle, app_password, image)` drives atproto's `Client` (default
configuration, only the base URL given) through every call the Bluesky connector makes, and returns what
an outside client observes: record shapes, blob MIME types, error classes and XRPC error bodies.
`normalize` then turns values that differ by nature between two servers (DIDs, record keys, CIDs, JWTs,
timestamps, the handle) into their format, so the two runs can be compared with `==` and a value of the
wrong format (a `did:web`, a numeric rkey) still shows up as a difference.
"""

from __future__ import annotations

import re
from typing import Any

from atproto import Client, models
from atproto_client.exceptions import RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.models.utils import get_model_as_dict

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
UNKNOWN_BYTES = b"plain bytes that no file-type sniffer recognises\n"

DID_PLC = re.compile(r"did:plc:[a-z2-7]{24}")
# A TID: 13 base32-sortable characters; the first one keeps the top bit clear.
TID = re.compile(r"^[2-7a-j][2-7a-z]{12}$")
AT_URI = re.compile(r"at://(did:plc:<id>)/([a-zA-Z.]+)/([^/\s]+)")
CID = re.compile(r"\b(bafyrei|bafkrei)[a-z2-7]{52}\b")
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def error_of(exc: RequestErrorBase) -> dict[str, Any]:
    """What a client sees of a failed call: the exception class, the status and the XRPC body."""
    response = exc.response
    content = response.content if response is not None else None
    body: Any = (
        {"error": content.error, "message": content.message} if isinstance(content, XrpcError) else content
    )
    return {"raised": type(exc).__name__, "status": response.status_code if response else None, "body": body}


def attempt(call) -> dict[str, Any]:
    try:
        result = call()
    except RequestErrorBase as exc:
        return error_of(exc)
    return {"ok": get_model_as_dict(result) if hasattr(result, "model_dump") else result}


def run_atproto_script(base_url: str, handle: str, app_password: str, image: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}

    # Login as atproto's README shows it: it also reads app.bsky.actor.getProfile, an AppView call.
    out["login_default"] = attempt(lambda: Client(base_url).login(handle, app_password))
    out["login_wrong_password"] = attempt(lambda: Client(base_url).login(handle, "zzzz-zzzz-zzzz-zzzz"))

    client = Client(base_url)
    client.login(handle, app_password, fetch_bsky_profile=False)  # the documented way on a lone PDS
    session = client.com.atproto.server.get_session()
    did = session.did
    out["session"] = get_model_as_dict(session)

    # Token exchange and refresh, as the connector does them (createSession, refreshSession).
    created = client.com.atproto.server.create_session(
        models.ComAtprotoServerCreateSession.Data(identifier=handle, password=app_password)
    )
    out["create_session"] = get_model_as_dict(created)
    refresh_header = {"Authorization": f"Bearer {created.refresh_jwt}"}
    refresh = client.com.atproto.server.refresh_session
    out["refresh_session"] = attempt(lambda: refresh(headers=refresh_header))
    out["refresh_again"] = attempt(lambda: refresh(headers=refresh_header))
    out["bad_token"] = attempt(
        lambda: client.com.atproto.server.get_session(headers={"Authorization": "Bearer not-a-jwt"})
    )

    # Profile: the connector reads the profile record; the AppView profile is not the PDS's to serve.
    out["profile_record"] = attempt(
        lambda: client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=did, collection=PROFILE, rkey="self")
        )
    )
    out["app_view_profile"] = attempt(lambda: client.get_profile(did))
    out["app_view_feed"] = attempt(lambda: client.get_author_feed(did))
    out["unknown_method"] = attempt(lambda: client.invoke_query("com.example.notAMethod"))

    # Publish text, read it back.
    text_post = client.send_post("conformance: hello", profile_identify=did)
    out["send_post"] = get_model_as_dict(text_post)
    text_rkey = text_post.uri.rsplit("/", 1)[1]
    out["get_post"] = attempt(lambda: client.get_post(text_rkey, did))

    # Blobs: atproto sends Content-Type */*; the server decides the MIME type from the bytes.
    out["upload_image"] = attempt(lambda: client.upload_blob(image))
    out["upload_unknown"] = attempt(lambda: client.upload_blob(UNKNOWN_BYTES))
    image_post = client.send_image("conformance: picture", image, "a small picture", profile_identify=did)
    out["send_image"] = get_model_as_dict(image_post)
    image_rkey = image_post.uri.rsplit("/", 1)[1]
    out["get_image_post"] = attempt(lambda: client.get_post(image_rkey, did))

    # List (newest first), delete, and read what is gone or never was.
    out["list_records"] = attempt(
        lambda: client.com.atproto.repo.list_records(
            models.ComAtprotoRepoListRecords.Params(repo=did, collection=POST, limit=10)
        )
    )
    out["delete_post"] = attempt(lambda: client.delete_post(text_post.uri))
    out["delete_again"] = attempt(lambda: client.delete_post(text_post.uri))
    out["get_deleted"] = attempt(lambda: client.get_post(text_rkey, did))
    out["get_unknown_repo"] = attempt(
        lambda: client.get_post("3zzzzzzzzzzzz", "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")
    )
    # Leave the repo as it was found, so the script can run again on the same account.
    client.delete_post(image_post.uri)
    return {"did": did, "results": out}


def normalize(value: Any, *, handle: str) -> Any:
    """Replace values that differ by nature with their format; anything of the wrong format stays."""
    if isinstance(value, dict):
        return {key: normalize(item, handle=handle) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize(item, handle=handle) for item in value]
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    if not isinstance(value, str):
        return value
    if JWT.match(value) and value.startswith("eyJ"):
        return "<jwt>"
    if DATETIME.match(value):
        return "<datetime>"
    if TID.match(value):
        return "<tid>"
    if EMAIL.match(value):
        return "<email>"  # each server makes up its own test address
    text = value.replace(handle, "<handle>")
    text = DID_PLC.sub("did:plc:<id>", text)
    text = AT_URI.sub(lambda m: f"at://{m[1]}/{m[2]}/" + ("<tid>" if TID.match(m[3]) else m[3]), text)
    return CID.sub(lambda m: f"<cid {m[1]}>", text)

"""Pointing tweepy and google-api-python-client at the simulator, through each library's documented hooks.

Neither library is patched; each gets a transport object it documents as replaceable:

- tweepy 4.17.0's `Client` has no base-URL argument: `BaseClient.request` builds
  `"https://api.twitter.com" + route`, and `OAuth2UserHandler` posts to
  `https://api.twitter.com/2/oauth2/token`. `tweepy.API` has `host`/`upload_host`, but prefixes them
  with `https://`, which a plain-HTTP simulator on a sub-path cannot serve. All three expose their
  `requests.Session` (`Client.session`, `API.session`, and the handler *is* a session), and requests
  documents `Session.mount(prefix, adapter)`. `XHostAdapter` is mounted for X's hosts and rewrites
  `https://<x host>/<path>` to `<sim>/x/<path>` just before sending; the request is otherwise untouched.
- googleapiclient honours `client_options={"api_endpoint": ...}` for ordinary calls, but media uploads
  keep the discovery document's `https://` scheme and `/upload/...` root path and only take the
  endpoint's host (`discovery._fix_up_media_path_base_url`). `build(http=...)` is the documented way
  to supply the transport: `SimHttp` (an `httplib2.Http`) sends `https://<sim host>/<path>` to
  `<sim>/youtube/<path>`, and google-auth's `AuthorizedHttp` wraps it exactly as googleapiclient does
  itself when given credentials (`googleapiclient._auth.authorized_http`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import google_auth_httplib2
import httplib2
import requests
import tweepy
from googleapiclient.discovery import build
from requests.adapters import HTTPAdapter

X_HOSTS = ("api.twitter.com", "upload.twitter.com", "api.x.com", "upload.x.com")

# Bytes that start like an MP4: the simulator checks types and sizes, not frames.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42"


def mp4_bytes(size: int) -> bytes:
    return MP4_HEAD + bytes(i % 251 for i in range(size - len(MP4_HEAD)))


class XHostAdapter(HTTPAdapter):
    """Send requests for X's hosts to the simulator's X mount (`<sim>/x`), path and query kept."""

    def __init__(self, x_mount: str):
        super().__init__()
        self.x_mount = x_mount.rstrip("/")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        if parts.hostname in X_HOSTS:
            request.url = self.x_mount + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def route_x_to_sim(session: requests.Session, x_mount: str) -> requests.Session:
    adapter = XHostAdapter(x_mount)
    for host in X_HOSTS:
        session.mount(f"https://{host}/", adapter)
    return session


def tweepy_client(x_mount: str, access_token: str) -> tweepy.Client:
    """tweepy's v2 client with an OAuth 2.0 user access token (tweepy's `bearer_token` argument)."""
    client = tweepy.Client(access_token)
    route_x_to_sim(client.session, x_mount)
    return client


def tweepy_api(x_mount: str, access_token: str) -> tweepy.API:
    """tweepy's v1.1 client (media upload), authorised with the same OAuth 2.0 user token."""
    api = tweepy.API(tweepy.OAuth2BearerHandler(access_token))
    route_x_to_sim(api.session, x_mount)
    return api


def tweepy_oauth2_handler(x_mount: str, *, client_id: str, client_secret: str, redirect_uri: str, scope):
    handler = tweepy.OAuth2UserHandler(
        client_id=client_id, client_secret=client_secret, redirect_uri=redirect_uri, scope=scope
    )
    route_x_to_sim(handler, x_mount)
    return handler


class SimHttp(httplib2.Http):
    """httplib2 transport that sends `https://<sim host>/...` (googleapiclient's media upload URL once
    it took the endpoint's host) to the simulator's YouTube mount over plain HTTP."""

    def __init__(self, sim_url: str, mount: str = "youtube"):
        super().__init__(timeout=60)
        # As googleapiclient.http.build_http() sets up its own Http: a 308 is "Resume Incomplete" in a
        # resumable upload, not a redirect.
        self.redirect_codes = self.redirect_codes - {308}
        self.sim_url = sim_url.rstrip("/")
        self.https_sim = "https://" + urlsplit(self.sim_url).netloc + "/"
        self.mount = mount

    def request(self, uri, method="GET", body=None, headers=None, *args, **kwargs):
        if uri.startswith(self.https_sim):
            uri = f"{self.sim_url}/{self.mount}/" + uri[len(self.https_sim) :]
        return super().request(uri, method, body, headers, *args, **kwargs)


def youtube_service(sim_url: str, credentials):
    """`youtube` v3 built from the discovery document shipped with google-api-python-client."""
    return build(
        "youtube",
        "v3",
        static_discovery=True,
        http=google_auth_httplib2.AuthorizedHttp(credentials, http=SimHttp(sim_url)),
        client_options={"api_endpoint": f"{sim_url}/youtube/"},
        cache_discovery=False,
    )

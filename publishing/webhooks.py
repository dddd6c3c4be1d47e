"""The HTTP side of outgoing webhooks: signing, the URL safety check, and one POST.

No database here: services.py decides what to send and records the outcome.

Signature: `X-Kawo-Signature: sha256=<hex>` where hex is HMAC-SHA256, keyed with the endpoint's secret,
of the bytes `"<X-Kawo-Timestamp>." + body`. Receivers recompute it over the raw body and compare in
constant time, and refuse timestamps older than a few minutes (replay). See publishing/README.md.

SSRF: a webhook URL is something a customer types and our servers then POST to, so it must not reach
our own network. `check_url` refuses non-http(s) URLs, credentials in the URL, and hosts that are or
resolve to loopback, private, link-local, multicast, reserved or unspecified addresses. The check runs
at creation (a field error) and again before each send (DNS may change), and the request then goes to
the address that was checked (`pin`: no second lookup that DNS rebinding could answer differently).
Redirects are followed only to the same host name (at most MAX_REDIRECTS), each checked again.

`settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (environment variable of the same name), or DEBUG, turns
the address part off: for receivers inside an on-premises network, development, and tests that deliver
to a receiver on 127.0.0.1. Schemes are always checked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Kawo-Signature"
TIMESTAMP_HEADER = "X-Kawo-Timestamp"
EVENT_HEADER = "X-Kawo-Event"
DELIVERY_HEADER = "X-Kawo-Delivery"
EVENT_ID_HEADER = "X-Kawo-Event-Id"
USER_AGENT = "KAWO-OSS-Webhooks/1.0"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS = 3
EXCERPT_CHARS = 500
MAX_RESPONSE_BYTES = 64 * 1024  # read no more than this of a receiver's answer
# A whole attempt (all hops, a trickling answer) ends after this; shorter than the claim lease.
MAX_ATTEMPT_SECONDS = 30.0


class UnsafeURL(ValueError):
    """The URL may not be used for a webhook; the message says why (translated)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: float = 300.0) -> bool:
    """What a receiver does (also used by our tests): constant-time compare and a freshness window."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def private_addresses_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("The host name could not be resolved.")) from None


def check_url(url: str, *, allow_private: bool | None = None) -> str | None:
    """Raise UnsafeURL unless `url` is an http(s) URL whose host is a public address.

    Returns the checked address to connect to (see `pin`), or None when private addresses are allowed
    (then the URL is used as it is)."""
    allow_private = private_addresses_allowed() if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL(_("Enter a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(_("Only http and https URLs can receive webhooks."))
    if not parts.hostname:
        raise UnsafeURL(_("Enter a valid URL."))
    if parts.username or parts.password:
        raise UnsafeURL(_("Put credentials in the receiver's check of the signature, not in the URL."))
    if allow_private:
        return None
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeURL(_("Webhooks cannot be sent to local or private addresses."))
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = _resolve(host, port)
    if not addresses or not all(_is_public(address) for address in addresses):
        raise UnsafeURL(_("Webhooks cannot be sent to local or private addresses."))
    return addresses[0]


def pin(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The request for `url` sent to the already-checked `address`, so that a DNS answer that changes
    between the check and the connection (DNS rebinding) cannot redirect it: the URL names the address,
    the Host header names the host, and for https the TLS server name (SNI, and the certificate check)
    is still the host name. Returns (url, extra headers, httpx request extensions)."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = host + (f":{parts.port}" if parts.port else "")
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return pinned, {"Host": parts.netloc}, extensions


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int


def encode_body(envelope: dict) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True, default=str).encode("utf-8")


def _same_host(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    if (first.hostname or "").lower() != (second.hostname or "").lower():
        return False
    # Staying on the scheme, or upgrading http -> https, is fine; downgrading is not.
    return second.scheme == first.scheme or (first.scheme, second.scheme) == ("http", "https")


class _TooSlow(Exception):
    pass


def _excerpt(response: httpx.Response, deadline: float) -> str:
    raw = b""
    for chunk in response.iter_bytes():
        raw += chunk
        if len(raw) >= MAX_RESPONSE_BYTES:
            break
        if time.monotonic() > deadline:
            raise _TooSlow
    return raw[:MAX_RESPONSE_BYTES].decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def post(
    *,
    url: str,
    secret: str,
    event: str,
    delivery_id: str,
    event_id: str,
    body: bytes,
    client: httpx.Client | None = None,
) -> SendResult:
    """POST the body once (following same-host redirects only); never raises for HTTP or network errors."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    started = time.monotonic()
    deadline = started + MAX_ATTEMPT_SECONDS

    def result(ok: bool, code: int | None, excerpt: str = "", error: str = "") -> SendResult:
        return SendResult(ok, code, excerpt, error[:300], int((time.monotonic() - started) * 1000))

    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                address = check_url(target)
            except UnsafeURL as exc:
                return result(False, None, error=str(exc))
            if time.monotonic() > deadline:
                return result(False, None, error="timeout (attempt took too long)")
            request_url, request_headers, extensions = target, headers, {}
            if address is not None:
                request_url, host_header, extensions = pin(target, address)
                request_headers = {**headers, **host_header}
            try:
                with http.stream(
                    "POST", request_url, content=body, headers=request_headers, extensions=extensions
                ) as response:
                    excerpt = _excerpt(response, deadline)
            except _TooSlow:
                return result(False, None, error="timeout (answer took too long)")
            except httpx.TimeoutException as exc:
                return result(False, None, error=f"timeout ({type(exc).__name__})")
            except httpx.HTTPError as exc:
                return result(False, None, error=f"connection failed ({type(exc).__name__})")
            if response.is_redirect:
                location = response.headers.get("location", "")
                next_url = urljoin(target, location)
                if not location or not _same_host(target, next_url):
                    return result(
                        False, response.status_code, excerpt, "redirect to another host not followed"
                    )
                target = next_url
                continue
            return result(response.is_success, response.status_code, excerpt)
        return result(False, None, error="too many redirects")
    finally:
        if own_client:
            http.close()

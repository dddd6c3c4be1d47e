"""The WeChat Official Account message server (developers.weixin.qq.com, 消息推送 / 消息加解密):

- Every request carries `timestamp`, `nonce` and `signature` = SHA1 of the sorted, joined
  [token, timestamp, nonce]. GET with `echostr` is WeChat checking the URL: answer echostr as is.
- Plain mode: the POST body is the message XML. Safe (encrypted) mode (`encrypt_type=aes`): the body is
  `<xml><ToUserName/><Encrypt/></xml>`, and `msg_signature` = SHA1 of sorted [token, timestamp, nonce,
  Encrypt]. Encrypt is base64 of AES-256-CBC (key = base64(EncodingAESKey + "="), IV = its first 16 bytes,
  PKCS#7 padding to 32-byte blocks) of 16 random bytes + 4-byte big-endian length + the XML + the appid.
- A text message: ToUserName (our original id gh_...), FromUserName (the fan's openid), CreateTime,
  MsgType, Content, MsgId. Events (subscribe, CLICK ...) carry Event instead of Content.
Nothing here touches the database; inbox.services.deliveries stores and processes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels_app.connectors.inbound import InboundAuthor, InboundMessage


class PushRefused(Exception):
    """The request is not a genuine, fresh push: the view answers 4xx and stores nothing."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def check_signature(expected: str, *parts: str) -> None:
    if not expected or not hmac.compare_digest(signature(*parts), expected):
        raise PushRefused("bad signature")


def _key(encoding_aes_key: str) -> bytes:
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise ValueError("an EncodingAESKey is 43 characters (32 bytes)")
    return key


def decrypt(encrypted: str, *, encoding_aes_key: str, app_id: str) -> bytes:
    key = _key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= 32:
            raise ValueError("bad padding")
        plain = plain[:-pad]
        (length,) = struct.unpack(">I", plain[16:20])
        xml, from_app = plain[20 : 20 + length], plain[20 + length :].decode()
    except (ValueError, struct.error, UnicodeDecodeError) as exc:
        raise PushRefused(f"cannot decrypt: {exc}", 400) from None
    if from_app != app_id:
        raise PushRefused("encrypted for another appid")
    return xml


def encrypt(xml: bytes, *, encoding_aes_key: str, app_id: str, random16: bytes) -> str:
    """The reverse of `decrypt` (our replies in safe mode, and tests)."""
    key = _key(encoding_aes_key)
    plain = random16 + struct.pack(">I", len(xml)) + xml + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def parse_xml(body: bytes) -> dict[str, str]:
    """The XML's top-level fields. Entity declarations are refused (no expansion attacks)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise PushRefused("document type declarations are not accepted", 400)
    try:
        root = ET.fromstring(body)  # noqa: S314 - small (size-checked) body without a DTD
    except ET.ParseError as exc:
        raise PushRefused(f"not XML: {exc}", 400) from None
    return {child.tag: (child.text or "") for child in root}


def message_of(fields: dict[str, str]) -> InboundMessage | None:
    """A fan's message as an inbox message (events such as subscribe are not messages: None)."""
    kind = fields.get("MsgType", "")
    if kind == "event" or not fields.get("FromUserName"):
        return None
    openid = fields["FromUserName"]
    text = fields.get("Content", "") if kind == "text" else f"[{kind}]"
    try:
        sent_at = datetime.fromtimestamp(int(fields.get("CreateTime", "0")), UTC)
    except ValueError:
        sent_at = datetime.now(UTC)
    external_id = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime', '')}"
    return InboundMessage(
        kind="direct_message",
        external_id=external_id,
        author=InboundAuthor(external_id=openid),
        text=text,
        sent_at=sent_at,
        thread_id=f"dm:{openid}",
        raw={"source": "wechat_oa", "MsgType": kind},
    )

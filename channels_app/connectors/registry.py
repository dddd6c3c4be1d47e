"""The one explicit registry of connectors: platform key -> class. No registration by import side effect."""

from __future__ import annotations

from .base import Connector

CONNECTORS: dict[str, type[Connector]] = {}


def connector_class(platform: str) -> type[Connector]:
    try:
        return CONNECTORS[platform]
    except KeyError:
        raise LookupError(f"no connector for platform {platform!r}") from None

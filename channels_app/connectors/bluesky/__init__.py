"""Bluesky: handle + app password, XRPC calls to the account's PDS (see connector.py)."""

from .connector import BlueskyConnector

__all__ = ["BlueskyConnector"]

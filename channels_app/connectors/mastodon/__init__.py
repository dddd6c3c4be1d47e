from .connector import MastodonConnector

__all__ = ["MastodonConnector"]

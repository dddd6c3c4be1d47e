from .connector import InstagramConnector

__all__ = ["InstagramConnector"]

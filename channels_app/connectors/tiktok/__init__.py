from .connector import TikTokConnector

__all__ = ["TikTokConnector"]

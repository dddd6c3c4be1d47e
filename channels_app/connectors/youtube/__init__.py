from .connector import YouTubeConnector

__all__ = ["YouTubeConnector"]

from .connector import FacebookConnector

__all__ = ["FacebookConnector"]

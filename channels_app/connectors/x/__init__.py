from .connector import XConnector

__all__ = ["XConnector"]

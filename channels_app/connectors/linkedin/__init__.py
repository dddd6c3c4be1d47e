from .connector import LinkedInConnector

__all__ = ["LinkedInConnector"]

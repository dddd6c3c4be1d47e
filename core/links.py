"""Links that leave the site (emails, platforms that fetch our media): absolute, on KAWO["SITE_URL"]."""

from __future__ import annotations

from django.conf import settings


def absolute_url(url: str) -> str:
    """`url` on the site's public address; a URL that is already absolute (a storage's own host) stays."""
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.KAWO['SITE_URL'].rstrip('/')}/{url.lstrip('/')}"

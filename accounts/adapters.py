"""django-allauth adapter: allauth's emails speak as the product, not as the bare host name."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

PRODUCT_NAME = "KAWO OSS"


@dataclass(frozen=True)
class ProductSite:
    """What allauth's email templates read as `current_site` (name and domain)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites, allauth's "site" is the request's host, so emails would greet
        # people "from 127.0.0.1:8000". Keep the host people used (links, "registered on ...") and give
        # it the product's name; allauth's own (translated) wording stays as it is.
        site = get_current_site(allauth_context.request)
        super().send_mail(
            template_prefix, email, {"current_site": ProductSite(PRODUCT_NAME, site.domain), **context}
        )

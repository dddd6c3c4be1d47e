"""django-allauth adapter: allauth's emails speak as the product, not as the bare host name, and a
throttled sign-in says when to try again."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit as allauth_ratelimit
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.utils.translation import ngettext

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

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's failed-login throttle, with the wait in the message ("Try again later" tells a
        person nothing). The per-account rate is listed first in ACCOUNT_RATE_LIMITS, so attempts on an
        account already locked do not use up the shared per-IP allowance of an office behind one NAT."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            key = self._get_login_attempts_cache_key(request, **credentials)
            minutes = max(1, math.ceil(login_wait_seconds(request, key=key) / 60))
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-in attempts. Try again in %(minutes)s minute.",
                    "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="too_many_login_attempts",
            ) from None


def login_wait_seconds(request, *, key: str) -> float:
    """How long until allauth's `login_failed` throttle lets this person try again: for each of its
    rates that is full, when the oldest attempt it counts leaves its window; the longest of those."""
    now, wait = time.time(), 0.0
    for rate in allauth_ratelimit.parse_rates(settings.ACCOUNT_RATE_LIMITS.get("login_failed")):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]  # newest first
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return wait

"""`{{ key|platform_label }}`: a platform's name in the reader's language, where a page has only the
platform's key (a dict built for the API as well as the page)."""

from django import template

from channels_app.models import Platform

register = template.Library()


@register.filter
def platform_label(key: str) -> str:
    try:
        return str(Platform(key).label)
    except ValueError:
        return key

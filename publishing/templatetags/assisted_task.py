"""The post page's "Open on your phone" box: the assisted task page's absolute URL and its QR code."""

from __future__ import annotations

import segno
from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.links import absolute_url

register = template.Library()


def task_url(target) -> str:
    """The absolute address of a target's assisted task page (the one emailed and shown as a QR code)."""
    return absolute_url(reverse("publishing:assisted_task", args=[target.workspace_id, target.pk]))


def qr_svg(url: str) -> str:
    """`url` as an inline SVG QR code, made on the server (no script, no outside service)."""
    return segno.make(url).svg_inline(scale=4, border=2, title=url)


@register.simple_tag
def assisted_task_link(target) -> dict:
    url = task_url(target)
    return {"url": url, "qr": mark_safe(qr_svg(url))}  # noqa: S308 - segno's own SVG, the URL escaped by it

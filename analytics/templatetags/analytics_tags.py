"""Numbers on the analytics pages, formatted for the active language (thousands grouped, percentages,
changes with an up or down arrow)."""

from __future__ import annotations

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def number_format(value: float, places: int, **_ignored) -> str:
    """The active language's decimal and thousands separators, grouped by three: CLDR, and so
    Intl.NumberFormat in the charts, groups both our languages by three ("70,500"), while Django's
    zh-hans format groups by four ("7,0500"); the page and its charts must agree."""
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR") or ",",
        force_grouping=True,
    )


@register.filter
def figure(value, decimals=0):
    """A count with the locale's grouping ("12,345"); an em dash when there is no value."""
    if value is None or value == "":
        return "—"
    places = int(decimals)
    return number_format(round(float(value), places), places, use_l10n=True, force_grouping=True)


@register.filter
def percent(value, decimals=2):
    """A ratio as a percentage (0.0534 -> "5.34%")."""
    if value is None or value == "":
        return "—"
    # Django's number_format cuts a float's digits off; round first so 21.05 shows as 21.1.
    places = int(decimals)
    shown = number_format(round(float(value) * 100, places), places, use_l10n=True, force_grouping=True)
    return f"{shown}%"


@register.filter
def change_badge(change_ratio):
    """The change against the previous period: an arrow and a percentage, colored by direction."""
    if change_ratio is None:  # nothing to compare with: no arrow (the previous figure shows "—")
        return ""
    if change_ratio > 0:
        arrow, kind, label = "▲", "up", _("Up")
    elif change_ratio < 0:
        arrow, kind, label = "▼", "down", _("Down")
    else:
        arrow, kind, label = "▶", "flat", _("No change")
    return format_html(
        '<span class="chg chg-{}" data-change="{}"><span aria-label="{}">{}</span> {}</span>',
        kind,
        kind,
        label,
        arrow,
        percent(abs(change_ratio), 1),
    )


@register.filter
def lookup(mapping, key):
    return (mapping or {}).get(key)

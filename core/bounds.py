"""The range of dates and times the product accepts, everywhere input is read.

Social posts, reports and budgets live between 2000 and 2099. Outside that, input is a typo (year 232)
or an attack on date arithmetic: PostgreSQL stores year 232, but zoneinfo then answers local mean time
offsets such as +08:05:43 before 1901, which breaks the API's own date format. `install()` bounds the
one parser each framework uses, so no field can be forgotten: DRF's DateTimeField and DateField (every
API serializer, declared or generated from a model) and Django's forms.DateTimeField and DateField
(every dashboard form). The error is the field's own, in the usual 400 shape or next to the form field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django import forms
from django.utils.translation import gettext as _
from rest_framework import fields as drf_fields

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def out_of_range_message() -> str:
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def in_range(value) -> bool:
    """Whether a date or datetime (aware: compared in UTC) lies in the accepted range."""
    if value is None:
        return True
    if isinstance(value, datetime):
        return EARLIEST <= (value.astimezone(UTC) if value.tzinfo else value).date() <= LATEST
    return EARLIEST <= value <= LATEST


def _bounded_drf(parse):
    def to_internal_value(self, value):
        parsed = parse(self, value)
        if not in_range(parsed):
            raise drf_fields.ValidationError(out_of_range_message(), code="out_of_range")
        return parsed

    to_internal_value.bounded = True
    return to_internal_value


def _bounded_form(to_python):
    def bounded(self, value):
        parsed = to_python(self, value)
        if not in_range(parsed):
            raise forms.ValidationError(out_of_range_message(), code="out_of_range")
        return parsed

    bounded.bounded = True
    return bounded


def install() -> None:
    """Bound the parsers (idempotent: CoreConfig.ready calls it once per process)."""
    for cls in (drf_fields.DateTimeField, drf_fields.DateField):
        if not getattr(cls.to_internal_value, "bounded", False):
            cls.to_internal_value = _bounded_drf(cls.to_internal_value)
    for cls in (forms.DateTimeField, forms.DateField):
        if not getattr(cls.to_python, "bounded", False):
            cls.to_python = _bounded_form(cls.to_python)

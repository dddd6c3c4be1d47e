"""The rules shared by the budget, spend and rate services: one message per field, for the API and the
dashboard alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import ValidationFailed

from ..money import decimals_of, is_currency, minor_units

MAX_AMOUNT = Decimal("99999999999999")  # 14 digits before the point: the columns' room


class Errors:
    """Collects field errors; `raise_if_any()` raises one ValidationFailed naming all of them."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def __contains__(self, field: str) -> bool:
        return field in self.fields

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, fields=self.fields)


def as_decimal(value) -> Decimal | None:
    """A Decimal from a Decimal, an int or a string; never from a float (binary fractions are not
    money). None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def check_currency(errors: Errors, field: str, code) -> str:
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    if not is_currency(code):
        errors.add(field, _("Choose a currency from the list (an ISO 4217 code such as CNY or USD)."))
    return code


def check_amount(
    errors: Errors, field: str, value, currency: str, *, positive: bool = True, allow_none: bool = False
) -> Decimal | None:
    """The amount as a Decimal; an error when it is not a number, not above (or at least) zero, too large,
    or has more decimals than the currency's minor unit (JPY has none, CNY two, BHD three)."""
    if value in (None, "") and allow_none:
        return None
    number = as_decimal(value)
    if number is None:
        errors.add(field, _("Enter an amount such as 1200 or 1200.50."))
        return None
    if positive and number <= 0:
        errors.add(field, _("Enter an amount above zero."))
    elif number < 0:
        errors.add(field, _("Enter zero or more."))
    elif abs(number) > MAX_AMOUNT:
        errors.add(field, _("That amount is too large."))
    elif field not in errors and currency and is_currency(currency):
        digits = minor_units(currency)
        if decimals_of(number) > digits:
            if digits == 0:
                errors.add(
                    field, _("%(currency)s has no minor unit: enter a whole amount.") % {"currency": currency}
                )
            else:
                errors.add(
                    field,
                    _("%(currency)s has %(digits)d decimal places: enter at most that many.")
                    % {"currency": currency, "digits": digits},
                )
    return number

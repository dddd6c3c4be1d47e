"""Money done right: `Decimal` only, ISO 4217 currencies with their minor units, rounding at presentation.

Which currencies exist, and their names in the reader's language, come from Babel (the Unicode CLDR):
every currency that is legal tender somewhere today. CLDR's own "digits" are how many decimals people
usually *print* (0 for Iraqi dinar, Indonesian rupiah ...), which is not ISO 4217's minor unit, so the
minor units are ISO's, from the short table below (every active code whose minor unit is not 2; the rest
have 2). An amount may not carry more decimals than its currency's minor unit.

Arithmetic on amounts runs in `money_context()` (50 significant digits: sums of many conversions never
round); only `money_format` rounds, half up, to the currency's minor unit, when a person reads it.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.core import get_global
from babel.numbers import format_currency, get_currency_name
from django.utils import translation

# ISO 4217 (list one, current edition): active codes whose minor unit is not 2.
ISO_MINOR_UNITS_NOT_TWO: dict[str, int] = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # thousandths
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # ten-thousandths (units of account)
    "CLF": 4, "UYW": 4,
}  # fmt: skip
MAX_MINOR_UNITS = 4  # the database columns keep 4 decimals: enough for every currency above
MONEY_PRECISION = 50


@cache
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 code that is legal tender in some territory today (CLDR's territory data)."""
    codes = set()
    for entries in get_global("territory_currencies").values():
        for code, _start, end, tender in entries:
            if end is None and tender:
                codes.add(code)
    return frozenset(codes)


def is_currency(code: str) -> bool:
    return code in currency_codes()


def minor_units(code: str) -> int:
    """ISO 4217's number of decimals of the currency (2 unless the table says otherwise)."""
    return ISO_MINOR_UNITS_NOT_TWO.get(code, 2)


def decimals_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money_context() -> decimal.Context:
    """Exact enough for any sum of converted amounts; use as `with decimal.localcontext(money_context())`."""
    return decimal.Context(prec=MONEY_PRECISION, rounding=ROUND_HALF_UP)


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or "en").lower()
    return "zh_Hans_CN" if language.startswith("zh") else "en"


def currency_name(code: str, language: str | None = None) -> str:
    """The currency's name in the reader's language (人民币, US Dollar); the code if CLDR has none."""
    try:
        return get_currency_name(code, locale=babel_locale(language))
    except Exception:  # noqa: BLE001 - an unknown code reads as itself rather than failing a page
        return code


def currency_choices(language: str | None = None, first: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, "CNY · 人民币") for every currency, the ones in `first` at the top, the rest by code."""
    codes = [code for code in first if is_currency(code)]
    codes += sorted(currency_codes() - set(codes))
    return [(code, f"{code} · {currency_name(code, language)}") for code in codes]


def money_round(amount: Decimal, code: str) -> Decimal:
    """The amount rounded half up to the currency's minor unit: for presentation only."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(code)), rounding=ROUND_HALF_UP)


def money_format(amount: Decimal | None, code: str, language: str | None = None) -> str:
    """ "¥1,234.50", "US$12.00", "￥1,234.50" (by language), rounded to the currency's minor unit."""
    if amount is None:
        return "—"
    digits = minor_units(code)
    pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
    return format_currency(
        money_round(amount, code), code, format=pattern, locale=babel_locale(language), currency_digits=False
    )


def money_plain(amount: Decimal | None, code: str) -> str:
    """The rounded amount as a plain decimal string ("1234.50"): for charts and files."""
    return "" if amount is None else str(money_round(amount, code))

"""Money: ISO 4217 minor units, Decimal only (no float anywhere in the app), rounding at presentation."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from budgets.money import (
    ISO_MINOR_UNITS_NOT_TWO,
    currency_choices,
    currency_codes,
    currency_name,
    minor_units,
    money_format,
    money_round,
)
from budgets.services.checks import Errors, as_decimal, check_amount

APP = Path(__file__).resolve().parents[1]


def _app_sources():
    for path in APP.rglob("*.py"):
        if "tests" in path.parts:
            continue
        yield path


def test_no_float_anywhere_in_the_apps_code_or_models():
    # given: every module of the app (models, migrations, services, views, serializers)
    offenders = []
    for path in _app_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            # then: no float literal, no float() call, no FloatField, no serializers.FloatField
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                offenders.append(f"{path.name}:{node.lineno} float literal")
            elif isinstance(node, ast.Name) and node.id == "float":
                offenders.append(f"{path.name}:{node.lineno} float")
            elif isinstance(node, ast.Attribute) and node.attr == "FloatField":
                offenders.append(f"{path.name}:{node.lineno} FloatField")
    assert offenders == [], offenders
    assert len(list(_app_sources())) > 10  # the scan saw the app


def test_every_model_amount_is_a_decimal_field():
    from django.apps import apps
    from django.db import models

    for model in apps.get_app_config("budgets").get_models():
        for model_field in model._meta.get_fields():
            assert not isinstance(model_field, models.FloatField), f"{model.__name__}.{model_field.name}"
    assert isinstance(apps.get_model("budgets", "SpendEntry")._meta.get_field("amount"), models.DecimalField)


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("CNY", 2),
        ("USD", 2),
        ("EUR", 2),
        ("HKD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("CLF", 4),
    ],
)
def test_minor_units_are_iso_4217s(code, digits):
    assert minor_units(code) == digits


def test_the_table_names_only_real_codes_and_cldr_knows_the_common_ones():
    assert all(len(code) == 3 and code.isupper() for code in ISO_MINOR_UNITS_NOT_TWO)
    assert {"CNY", "USD", "EUR", "JPY", "HKD", "GBP", "KRW", "SGD", "TWD", "AUD"} <= currency_codes()
    assert "DEM" not in currency_codes()  # no longer tender anywhere


def test_currency_names_follow_the_language():
    assert currency_name("CNY", "zh-hans") == "人民币"
    assert currency_name("USD", "en") == "US Dollar"
    choices = currency_choices("zh-hans", first=("CNY", "USD"))
    assert choices[0] == ("CNY", "CNY · 人民币") and choices[1][0] == "USD"


def test_rounding_happens_at_presentation_only_half_up():
    assert money_round(Decimal("1.005"), "CNY") == Decimal("1.01")
    assert money_round(Decimal("2.5"), "JPY") == Decimal("3")
    assert money_format(Decimal("1234.5"), "CNY", "en") == "CN¥1,234.50"
    assert money_format(Decimal("1234.5"), "JPY", "en") == "¥1,235"
    assert money_format(Decimal("0.0005"), "BHD", "en").endswith("0.001")
    assert money_format(None, "CNY") == "—"


def test_amounts_are_read_as_decimals_never_floats():
    assert as_decimal("1,200.50") == Decimal("1200.50")
    assert as_decimal(12) == Decimal(12)
    assert as_decimal(0.1) is None  # a float is refused, not converted
    assert as_decimal("NaN") is None and as_decimal("abc") is None


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        ("12.345", "CNY", "CNY has 2 decimal places"),
        ("1.5", "JPY", "JPY has no minor unit"),
        ("0", "USD", "above zero"),
        ("-3", "USD", "above zero"),
        ("x", "USD", "Enter an amount"),
    ],
)
def test_amount_rules_name_the_field(value, currency, message):
    errors = Errors()
    check_amount(errors, "amount", value, currency)
    assert message in errors.fields["amount"][0]


def test_an_amount_with_the_currencys_decimals_passes():
    errors = Errors()
    assert check_amount(errors, "amount", "12.345", "BHD") == Decimal("12.345")
    assert errors.fields == {}

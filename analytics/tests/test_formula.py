"""Custom metric formulas are evaluated without eval: numbers, common metric names, + - * / and
parentheses only."""

import pytest

from analytics.formula import FormulaError, formula_evaluate, formula_names, formula_parse


def test_interactions_per_thousand_followers():
    # given KAWO's example of a brand's own metric
    formula = "engagements / followers * 1000"
    # when
    value = formula_evaluate(formula, {"engagements": 45, "followers": 1500})
    # then
    assert value == pytest.approx(30.0)
    assert formula_names(formula) == {"engagements", "followers"}


def test_parentheses_unary_minus_and_precedence():
    assert formula_evaluate("(likes + comments) * 2 - -shares", {"likes": 1, "comments": 2, "shares": 3}) == 9


def test_division_by_zero_and_missing_metrics_give_no_value():
    assert formula_evaluate("engagements / followers", {"engagements": 5, "followers": 0}) is None
    assert formula_evaluate("engagements / reach", {"engagements": 5}) is None


@pytest.mark.parametrize(
    "formula",
    [
        "secret_sauce / followers",  # not a metric of the registry
        "__import__('os').system('true')",  # a call
        "views.__class__",  # attribute access
        "views ** 2",  # no power (9 ** 9 ** 9 would never finish)
        "9 ** 9 ** 9",
        "views // 2",
        "views % 2",
        "views[0]",
        "'text'",
        "views if likes else reach",
        "views > 1",
        "True + views",
        "lambda: 1",
        "1e400 * views",  # not finite
        "10000000000000 * views",  # a constant too big to be a real formula
        "(" * 200 + "views" + ")" * 200,  # too long / too deep
        "",
    ],
)
def test_refused(formula):
    with pytest.raises(FormulaError):
        formula_parse(formula)

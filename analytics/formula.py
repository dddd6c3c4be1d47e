"""Custom metrics: a formula over common metrics, checked and evaluated without `eval`.

Allowed: numbers, the names of common metrics (analytics.metrics COMMON_METRICS), `+ - * /`, unary
minus/plus and parentheses. Everything else (attribute access, calls, subscripts, comparisons, `**`,
`//`, `%`, names outside the registry, strings) is refused when the formula is saved, so evaluation is
a walk over a small tree of known shapes. Numbers are floats; a division by zero, a missing metric or a
result that is not finite gives None ("no value"), never an error in a report.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping

from django.utils.translation import gettext as _

from .metrics import COMMON_METRICS

MAX_LENGTH = 300
MAX_NODES = 100
MAX_CONSTANT = 1e12

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class FormulaError(ValueError):
    """The formula is not one we evaluate; the message says why (shown to the person who wrote it)."""


def formula_parse(formula: str) -> ast.Expression:
    """Parse and check a formula; FormulaError if anything in it is not allowed."""
    if len(formula) > MAX_LENGTH:
        raise FormulaError(_("A formula has at most %(count)d characters.") % {"count": MAX_LENGTH})
    try:
        tree = ast.parse(formula, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise FormulaError(_("The formula is not a valid expression.")) from error
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(_("The formula is too long."))
    for node in nodes:
        _check(node)
    return tree


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Expression | ast.Load):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise FormulaError(_("Only + - * / and parentheses are allowed."))
        if isinstance(node.op, ast.Div) and _is_constant_zero(node.right):
            # A divisor without a metric in it is the same number every period: zero means the
            # formula never has a value, which is a mistake to show now, not a blank column later.
            raise FormulaError(_("The formula divides by zero: divide by a metric or a number other than 0."))
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.UAdd | ast.USub):
            raise FormulaError(_("Only + - * / and parentheses are allowed."))
        return
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(_("Only numbers and metric names are allowed."))
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            raise FormulaError(_("Numbers in a formula are at most 1,000,000,000,000."))
        return
    if isinstance(node, ast.Name):
        if node.id not in COMMON_METRICS:
            raise FormulaError(
                _("Unknown metric: %(name)s. Known: %(known)s.")
                % {"name": node.id, "known": ", ".join(sorted(COMMON_METRICS))}
            )
        return
    if isinstance(node, ast.BinOp | ast.operator | ast.unaryop):
        return
    raise FormulaError(_("Only numbers, metric names, + - * / and parentheses are allowed."))


def _is_constant_zero(node: ast.AST) -> bool:
    if any(isinstance(child, ast.Name) for child in ast.walk(node)):
        return False
    try:
        return _evaluate(node, {}) in (None, 0.0)
    except (ValueError, TypeError, ArithmeticError):  # refused by _check on its own node
        return False


def formula_names(formula: str) -> set[str]:
    """The metric names a (valid) formula uses."""
    return {node.id for node in ast.walk(formula_parse(formula)) if isinstance(node, ast.Name)}


def formula_evaluate(formula: str | ast.Expression, values: Mapping[str, float | None]) -> float | None:
    """The formula's value given each metric's value (a missing or None metric makes the result None)."""
    tree = formula if isinstance(formula, ast.Expression) else formula_parse(formula)
    result = _evaluate(tree.body, values)
    if result is None or not math.isfinite(result):
        return None
    return result


def _evaluate(node: ast.AST, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        return None if value is None else float(value)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, values)
        right = _evaluate(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div) and right == 0:
            return None
        return _OPERATORS[type(node.op)](left, right)
    raise FormulaError(_("Unexpected element in a formula."))  # formula_parse refuses it first

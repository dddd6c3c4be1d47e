"""The audit log never shows a raw code: every action the code records (`audit_record(action=...)`,
found by reading the source, f-strings expanded over the values they take) has a label, and so does
every literal key of a before/after dict passed with it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from approvals.models import ApprovalDecision
from dashboard.audit_labels import AUDIT_ACTION_LABELS, AUDIT_FIELD_LABELS
from inbox.services import ITEM_ACTIONS

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "tests", "migrations", "var", "peers"}
# What the f-string actions of the code expand to.
FORMATTED = {
    "approval.{decision}": [f"approval.{value}" for value in ApprovalDecision.Kind.values],
    "inbox.item_{action}": [f"inbox.item_{action}" for action in ITEM_ACTIONS],
}


def audit_calls():
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
            ):
                yield path.relative_to(ROOT), {k.arg: k.value for k in node.keywords if k.arg}


def actions_of(value) -> list[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, ast.JoinedStr):
        pattern = "".join(
            part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
            for part in value.values
        )
        assert pattern in FORMATTED, f"teach FORMATTED what {pattern!r} expands to"
        return FORMATTED[pattern]
    return []


def test_every_recorded_action_has_a_label():
    # given
    calls = list(audit_calls())
    assert len(calls) > 50  # the reader found the code
    # when
    missing = sorted(
        {
            f"{action} ({path})"
            for path, kw in calls
            for action in actions_of(kw.get("action"))
            if action not in AUDIT_ACTION_LABELS
        }
    )
    # then
    assert not missing, "actions without a label in dashboard/audit_labels.py:\n" + "\n".join(missing)


def test_every_literal_before_after_key_has_a_label():
    # given
    keys = {
        (key.value, str(path))
        for path, kw in audit_calls()
        for name in ("before", "after")
        if isinstance(kw.get(name), ast.Dict)
        for key in kw[name].keys
        if isinstance(key, ast.Constant)
    }
    assert keys
    # then
    missing = sorted(f"{key} ({path})" for key, path in keys if key not in AUDIT_FIELD_LABELS)
    assert not missing, "before/after keys without a label in dashboard/audit_labels.py:\n" + "\n".join(
        missing
    )

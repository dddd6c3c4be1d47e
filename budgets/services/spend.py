"""Spend entries (paid or committed) and their approval. Atomic, audited; the budget row is locked while
its spend changes, so threshold alerts and hard caps see one change at a time.

Control: spend whose amount, converted to the budget's currency at its own date, is above the budget's
approval threshold waits (status pending) until a person with budget.approve, other than the one who
entered it, approves it; until then it counts in no total but "waiting". Changing an approved entry's
amount, currency or date weighs it again. (The approvals app approves posts only: its requests pin a
post's version and content hash, so spend has this small approval of its own, with the same audit and
notification patterns.)
"""

from __future__ import annotations

import decimal
from datetime import date
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from approvals.models import BudgetNotificationKind
from content.models import Post
from core.audit import audit_record
from core.errors import Conflict, NotFound, PermissionRefused

from .. import notifications, selectors
from ..models import Budget, BudgetLine, CapMode, SpendEntry, SpendKind, SpendStatus
from ..money import money_context, money_format
from .alerts import budget_alerts_check
from .budgets import _campaign_in, _money_snapshot
from .checks import Errors, check_amount, check_currency

SPEND_FIELDS = ["line", "kind", "spent_on", "vendor", "amount", "currency", "campaign", "note"]
EDITABLE = {*SPEND_FIELDS, "posts", "receipt", "remove_receipt"}
RECEIPT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".heic"}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


def _line_of(budget: Budget, value, errors: Errors, *, agency_id: int | None = None) -> BudgetLine | None:
    """The line of the budget; for an agency person (`agency_id`), only a line of their agency."""
    line_id = value.pk if isinstance(value, BudgetLine) else value
    try:
        line_id = int(line_id)
    except (TypeError, ValueError):
        line_id = None
    found = selectors.lines_of(budget, agency_id=agency_id).filter(pk=line_id).first() if line_id else None
    if found is None:
        errors.add("line", _("Choose a line of this budget."))
    return found


def _check_scope(entry: SpendEntry, agency_id: int | None) -> None:
    """An agency person reaches only spend on their agency's lines: any other entry does not exist."""
    if agency_id is not None and entry.line.agency_id != agency_id:
        raise NotFound(_("Not found."))


def _posts_in(workspace, values, errors: Errors) -> list[Post]:
    ids = []
    for value in values or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors.add("posts", _("Choose posts of this workspace."))
            return []
    found = list(Post.objects.filter(workspace=workspace, pk__in=ids))
    if len(found) != len(set(ids)):
        errors.add("posts", _("Choose posts of this workspace."))
    return found


def _check_receipt(receipt, errors: Errors) -> None:
    if receipt is None:
        return
    name = getattr(receipt, "name", "") or ""
    if PurePath(name).suffix.lower() not in RECEIPT_SUFFIXES:
        errors.add("receipt", _("Upload a PDF or an image (JPEG, PNG, WebP, HEIC)."))
    elif (getattr(receipt, "size", 0) or 0) > RECEIPT_MAX_BYTES:
        errors.add("receipt", _("A receipt is at most 10 MB."))


def _check_spend(
    budget: Budget, data: dict, *, entry: SpendEntry | None, rates, agency_id: int | None = None
) -> tuple[dict, decimal.Decimal]:
    """The cleaned fields and the amount in the budget's currency; ValidationFailed naming each field."""
    workspace = budget.workspace
    errors = Errors()
    clean = {"line": _line_of(budget, data.get("line"), errors, agency_id=agency_id)}
    kind = data.get("kind") or SpendKind.ACTUAL
    if kind not in SpendKind.values:
        errors.add("kind", _("Choose paid or committed."))
    clean["kind"] = kind
    spent_on = data.get("spent_on")
    if not isinstance(spent_on, date):
        errors.add("spent_on", _("Enter the date of the spend."))
    elif not budget.starts_on <= spent_on <= budget.ends_on:
        errors.add(
            "spent_on",
            _("The date must be within the budget's period, %(start)s to %(end)s.")
            % {"start": budget.starts_on.isoformat(), "end": budget.ends_on.isoformat()},
        )
    clean["spent_on"] = spent_on
    vendor = (data.get("vendor") or "").strip()
    if len(vendor) > 200:
        errors.add("vendor", _("A vendor's name has at most 200 characters."))
    clean["vendor"] = vendor
    clean["currency"] = currency = check_currency(errors, "currency", data.get("currency") or budget.currency)
    clean["amount"] = amount = check_amount(errors, "amount", data.get("amount"), currency)
    clean["campaign"] = _campaign_in(workspace, data.get("campaign"), errors)
    clean["note"] = (data.get("note") or "").strip()
    converted = None
    if "currency" not in errors and "amount" not in errors and "spent_on" not in errors:
        converted = rates.convert(amount, currency, budget.currency, spent_on)
        if converted is None:
            errors.add(
                "currency",
                _(
                    "There is no exchange rate from %(currency)s to %(budget_currency)s on or before "
                    "%(date)s: add one on the exchange rates page."
                )
                % {"currency": currency, "budget_currency": budget.currency, "date": spent_on.isoformat()},
            )
    line = clean["line"]
    if converted is not None and line is not None and line.cap_mode == CapMode.HARD:
        totals = selectors.budget_totals(budget, rates=rates)
        item = next(item for item in totals.lines if item.line.pk == line.pk)
        with decimal.localcontext(money_context()):
            taken = item.figures.used + item.figures.pending
            if entry is not None and entry.line_id == line.pk and entry.pk in totals.converted:
                taken -= totals.converted[entry.pk]
            left = line.planned - taken
        if converted > left:
            errors.add(
                "amount",
                _("“%(line)s” has a hard cap: %(left)s of %(planned)s is left.")
                % {
                    "line": str(line),
                    "left": money_format(max(left, decimal.Decimal(0)), budget.currency),
                    "planned": money_format(line.planned, budget.currency),
                },
            )
    errors.raise_if_any()
    return clean, converted


def _needs_approval(budget: Budget, converted) -> bool:
    return budget.approval_threshold is not None and converted > budget.approval_threshold


def _ask_approvers(budget: Budget, entry: SpendEntry, converted) -> None:
    approvers = [
        p
        for p in selectors.members_who_can(budget.workspace, C.BUDGET_APPROVE, line=entry.line)
        if p.pk != entry.created_by_id
    ]

    def message():
        return _("Spend of %(amount)s (%(vendor)s) on “%(budget)s” waits for your approval.") % {
            "amount": money_format(entry.amount, entry.currency),
            "vendor": entry.vendor or str(entry.line),
            "budget": budget.name,
        }

    notifications.notify(
        approvers, kind=BudgetNotificationKind.SPEND_APPROVAL, budget=budget, message=message
    )


def _snapshot(entry: SpendEntry) -> dict:
    data = _money_snapshot(entry, SPEND_FIELDS)
    # Named apart from other objects' kinds and statuses, so the audit log can put them in words.
    data["spend_kind"] = data.pop("kind")
    data["spend_status"] = entry.status
    data["posts"] = sorted(post.pk for post in entry.posts.all()) if entry.pk else []
    data["receipt"] = entry.receipt_name
    return data


def _store_receipt(entry: SpendEntry, receipt) -> None:
    entry.receipt_name = (getattr(receipt, "name", "") or "receipt")[-255:]
    entry.receipt.save(entry.receipt_name, receipt, save=False)


@transaction.atomic
def spend_entry_create(
    *,
    workspace,
    actor,
    budget: Budget,
    line,
    spent_on: date,
    amount,
    currency: str = "",
    kind: str = SpendKind.ACTUAL,
    vendor: str = "",
    campaign=None,
    posts=(),
    note: str = "",
    receipt=None,
    agency_id: int | None = None,
) -> SpendEntry:
    """Record spend (paid, or committed: signed but unpaid) on a line of the budget. ValidationFailed
    names the field: a date outside the period, an amount with more decimals than its currency has, no
    exchange rate at that date, a hard-capped line it would overrun ... With `agency_id` (an agency
    person's entry, budgets.selectors.agency_of) the line must be one assigned to that agency."""
    if budget.workspace_id != workspace.pk:
        raise ValueError("the budget is not in this workspace")
    budget = Budget.objects.select_for_update().select_related("workspace").get(pk=budget.pk)
    rates = selectors.rates_of(workspace)
    data = {
        "line": line,
        "spent_on": spent_on,
        "amount": amount,
        "currency": currency,
        "kind": kind,
        "vendor": vendor,
        "campaign": campaign,
        "note": note,
    }
    clean, converted = _check_spend(budget, data, entry=None, rates=rates, agency_id=agency_id)
    errors = Errors()
    linked = _posts_in(workspace, posts, errors)
    _check_receipt(receipt, errors)
    errors.raise_if_any()
    pending = _needs_approval(budget, converted)
    entry = SpendEntry(
        workspace=workspace,
        budget=budget,
        status=SpendStatus.PENDING if pending else SpendStatus.APPROVED,
        created_by=actor if getattr(actor, "pk", None) else None,
        **clean,
    )
    if receipt is not None:
        _store_receipt(entry, receipt)
    entry.save()
    entry.posts.set(linked)
    audit_record(
        actor=actor, action="spend.create", target=entry, workspace=workspace, after=_snapshot(entry)
    )
    if pending:
        _ask_approvers(budget, entry, converted)
    budget_alerts_check(budget=budget)
    return entry


@transaction.atomic
def spend_entry_update(
    *, workspace, actor, entry: SpendEntry, agency_id: int | None = None, **changes
) -> SpendEntry:
    """Change any of line, kind, spent_on, vendor, amount, currency, campaign, note, posts, receipt
    (a new file) or remove_receipt. A change of amount, currency or date weighs the entry again against
    the approval threshold (an approved entry above it waits again). With `agency_id`, the entry's line
    and any new line must be that agency's."""
    if entry.workspace_id != workspace.pk:
        raise ValueError("the spend entry is not in this workspace")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    budget = Budget.objects.select_for_update().select_related("workspace").get(pk=entry.budget_id)
    entry = SpendEntry.objects.select_related("line").get(pk=entry.pk)
    _check_scope(entry, agency_id)
    before = _snapshot(entry)
    rates = selectors.rates_of(workspace)
    data = {name: getattr(entry, name) for name in SPEND_FIELDS} | {
        k: v for k, v in changes.items() if k in SPEND_FIELDS
    }
    clean, converted = _check_spend(budget, data, entry=entry, rates=rates, agency_id=agency_id)
    errors = Errors()
    linked = _posts_in(workspace, changes["posts"], errors) if "posts" in changes else None
    _check_receipt(changes.get("receipt"), errors)
    errors.raise_if_any()
    weighed_again = any(clean[name] != getattr(entry, name) for name in ("amount", "currency", "spent_on"))
    for name, value in clean.items():
        setattr(entry, name, value)
    ask = False
    if weighed_again or entry.status == SpendStatus.REJECTED:
        pending = _needs_approval(budget, converted)
        ask = pending and entry.status != SpendStatus.PENDING
        entry.status = SpendStatus.PENDING if pending else SpendStatus.APPROVED
        entry.decided_by, entry.decided_at, entry.decision_note = None, None, ""
    if changes.get("remove_receipt") and entry.receipt:
        entry.receipt.delete(save=False)
        entry.receipt_name = ""
    if changes.get("receipt") is not None:
        _store_receipt(entry, changes["receipt"])
    entry.save()
    if linked is not None:
        entry.posts.set(linked)
    after = _snapshot(entry)
    audit_record(
        actor=actor,
        action="spend.update",
        target=entry,
        workspace=workspace,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    if ask:
        _ask_approvers(budget, entry, converted)
    budget_alerts_check(budget=budget)
    return entry


@transaction.atomic
def spend_entry_delete(*, workspace, actor, entry: SpendEntry, agency_id: int | None = None) -> None:
    if entry.workspace_id != workspace.pk:
        raise ValueError("the spend entry is not in this workspace")
    _check_scope(entry, agency_id)
    Budget.objects.select_for_update().filter(pk=entry.budget_id).first()
    audit_record(
        actor=actor, action="spend.delete", target=entry, workspace=workspace, before=_snapshot(entry)
    )
    if entry.receipt:
        receipt = entry.receipt
        transaction.on_commit(lambda: receipt.storage.delete(receipt.name))
    entry.delete()


@transaction.atomic
def spend_entry_decide(
    *, workspace, actor, entry: SpendEntry, approve: bool, note: str = "", agency_id: int | None = None
) -> SpendEntry:
    """Approve (it counts from now on) or reject (it never counts) spend that waits. The person who
    entered it cannot decide it. The caller checks budget.approve."""
    if entry.workspace_id != workspace.pk:
        raise ValueError("the spend entry is not in this workspace")
    budget = Budget.objects.select_for_update().select_related("workspace").get(pk=entry.budget_id)
    entry = SpendEntry.objects.select_related("created_by", "line").get(pk=entry.pk)
    _check_scope(entry, agency_id)
    if entry.status != SpendStatus.PENDING:
        raise Conflict(_("This spend does not wait for approval."), code="not_pending")
    if entry.created_by_id is not None and entry.created_by_id == getattr(actor, "pk", None):
        raise PermissionRefused(_("Someone else must approve spend you entered."), code="own_spend")
    entry.status = SpendStatus.APPROVED if approve else SpendStatus.REJECTED
    entry.decided_by = actor
    entry.decided_at = timezone.now()
    entry.decision_note = (note or "").strip()[:500]
    entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="spend.approve" if approve else "spend.reject",
        target=entry,
        workspace=workspace,
        before={"spend_status": SpendStatus.PENDING},
        after={"spend_status": entry.status, "note": entry.decision_note},
    )

    def message():
        params = {
            "amount": money_format(entry.amount, entry.currency),
            "vendor": entry.vendor or str(entry.line),
            "budget": budget.name,
        }
        if approve:
            return _("Your spend of %(amount)s (%(vendor)s) on “%(budget)s” was approved.") % params
        return _("Your spend of %(amount)s (%(vendor)s) on “%(budget)s” was rejected.") % params

    notifications.notify(
        [entry.created_by], kind=BudgetNotificationKind.SPEND_DECIDED, budget=budget, message=message
    )
    budget_alerts_check(budget=budget)
    return entry

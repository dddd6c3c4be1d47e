"""Exchange rates, entered one by one or imported from a CSV file (no network: rates are the team's
own, e.g. from their bank or finance department). A rate holds from its date until a later one."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import ExchangeRate
from .checks import Errors, as_decimal, check_currency

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 1024 * 1024


def _check_rate(data: dict, errors: Errors, prefix: str = "") -> dict:
    on = data.get("on")
    if not isinstance(on, date):
        errors.add(prefix + "on", _("Enter the date the rate holds from."))
    base = check_currency(errors, prefix + "base", data.get("base"))
    quote = check_currency(errors, prefix + "quote", data.get("quote"))
    if base and base == quote and prefix + "quote" not in errors:
        errors.add(prefix + "quote", _("Choose two different currencies."))
    rate = as_decimal(data.get("rate"))
    if rate is None or rate <= 0:
        errors.add(prefix + "rate", _("Enter a rate above zero, such as 7.1234."))
    elif rate >= 10**14 or -rate.as_tuple().exponent > 10:
        errors.add(prefix + "rate", _("Use at most 14 digits before and 10 after the point."))
    return {"on": on, "base": base, "quote": quote, "rate": rate}


@transaction.atomic
def exchange_rate_set(*, workspace, actor, on: date, base: str, quote: str, rate, source: str = "entered"):
    """1 `base` = `rate` `quote` from `on`; replaces that day's rate for the pair if there is one."""
    errors = Errors()
    clean = _check_rate({"on": on, "base": base, "quote": quote, "rate": rate}, errors)
    errors.raise_if_any()
    found = (
        ExchangeRate.objects.select_for_update()
        .filter(workspace=workspace, on=clean["on"], base=clean["base"], quote=clean["quote"])
        .first()
    )
    before = {"rate": str(found.rate)} if found else None
    if found is None:
        found = ExchangeRate.objects.create(workspace=workspace, source=source, **clean)
    else:
        found.rate, found.source = clean["rate"], source
        found.save(update_fields=["rate", "source", "updated_at"])
    audit_record(
        actor=actor,
        action="exchange_rate.set",
        target=found,
        workspace=workspace,
        before=before,
        after={"on": str(found.on), "base": found.base, "quote": found.quote, "rate": str(found.rate)},
    )
    return found


@transaction.atomic
def exchange_rate_delete(*, workspace, actor, rate: ExchangeRate) -> None:
    if rate.workspace_id != workspace.pk:
        raise ValueError("the rate is not in this workspace")
    audit_record(
        actor=actor,
        action="exchange_rate.delete",
        target=rate,
        workspace=workspace,
        before={"on": str(rate.on), "base": rate.base, "quote": rate.quote, "rate": str(rate.rate)},
    )
    rate.delete()


@transaction.atomic
def exchange_rates_import(*, workspace, actor, file) -> int:
    """A CSV with the columns date, currency, in, rate (1 currency = rate in), e.g.
    `2026-01-02,USD,CNY,7.1234`. All rows or none: the first problems are named by row (field `file`)."""
    raw = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else bytes(file)
    if len(raw) > IMPORT_MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 1 MB."), field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(_("Save the file as UTF-8 CSV."), field="file") from None
    rows = list(csv.reader(io.StringIO(text)))
    if rows and [cell.strip().lower() for cell in rows[0]][:4] == ["date", "currency", "in", "rate"]:
        rows = rows[1:]
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationFailed(
            _("The file has no rates: one row per rate, date,currency,in,rate."), field="file"
        )
    if len(rows) > IMPORT_MAX_ROWS:
        raise ValidationFailed(_("At most 5000 rates per file."), field="file")
    problems, clean_rows = [], []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row] + [""] * 4
        try:
            on = date.fromisoformat(cells[0])
        except ValueError:
            on = None
        errors = Errors()
        clean = _check_rate(
            {"on": on, "base": cells[1].upper(), "quote": cells[2].upper(), "rate": cells[3]}, errors
        )
        if errors.fields:
            message = next(iter(errors.fields.values()))[0]
            problems.append(_("Row %(row)d: %(problem)s") % {"row": number, "problem": message})
        clean_rows.append(clean)
    if problems:
        raise ValidationFailed(" ".join(problems[:5]), field="file")
    for clean in clean_rows:
        ExchangeRate.objects.update_or_create(
            workspace=workspace,
            on=clean["on"],
            base=clean["base"],
            quote=clean["quote"],
            defaults={"rate": clean["rate"], "source": "imported"},
        )
    audit_record(
        actor=actor,
        action="exchange_rate.import",
        workspace=workspace,
        after={"rows": len(clean_rows), "file": (getattr(file, "name", "") or "")[-100:]},
    )
    return len(clean_rows)

"""The composer's "Platform settings" of one variant, drawn from its connector's declared options
(channels_app.connectors.options): one field per option, with the value typed (a refused save), stored (an
edit) or none, and the service's messages next to it."""

from __future__ import annotations

from channels_app.connectors.options import LIST, MEDIA, SECONDS
from channels_app.connectors.registry import CONNECTORS

from ..forms import ComposerForm, option_field
from ..models import MediaAsset


def _shown(spec, value) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if spec.kind == LIST and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def settings_rows(account, form: ComposerForm, stored: dict | None, errors: dict) -> list[dict]:
    """[{spec, name, value, errors, asset}] for the account's platform; `stored`: the variant's saved
    options when editing (None for a new post)."""
    cls = CONNECTORS.get(account.platform)
    rows = []
    for spec in cls.post_options if cls else ():
        name = option_field(account.pk, spec.name)
        value = form.data.get(name, "") if form.is_bound else _shown(spec, (stored or {}).get(spec.name))
        rows.append(
            {
                "spec": spec,
                "name": name,
                "value": value,
                "errors": errors.get(f"options.{spec.name}", []),
                "asset": None,
            }
        )
    media_ids = [int(r["value"]) for r in rows if r["spec"].kind == MEDIA and str(r["value"]).isdigit()]
    if media_ids:
        assets = MediaAsset.objects.filter(workspace_id=account.workspace_id, pk__in=media_ids)
        found = {asset.pk: asset for asset in assets}
        for row in rows:
            if row["spec"].kind == MEDIA and str(row["value"]).isdigit():
                row["asset"] = found.get(int(row["value"]))
    return rows


def takes_cover_frame(rows: list[dict]) -> bool:
    return any(r["spec"].kind == SECONDS for r in rows)

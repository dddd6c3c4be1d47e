"""Whether an inbox rule's conditions hold for one message. Pure: no database, so the rules page can test
a sample text with exactly what ingest runs.

Keywords: a keyword with Chinese (or any CJK) characters matches as a substring ("发货" in "什么时候发货");
a Latin keyword matches as a whole word, case-insensitively ("refund" matches "Refund please!" and
"我要refund", not "refunded"). Any one keyword is enough. VIP: the fan's handle (with or without "@") or
platform id, compared case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN_WORD = r"[A-Za-z0-9_\u00c0-\u024f]"


@dataclass(frozen=True)
class Sample:
    """What the conditions look at."""

    text: str
    account_id: int | None = None
    kind: str = ""
    followers: int | None = None
    fan_handle: str = ""
    fan_external_id: str = ""
    sentiment: str = ""


def keyword_in(keyword: str, text: str) -> bool:
    keyword = keyword.strip()
    if not keyword:
        return False
    if _CJK.search(keyword):
        return keyword.casefold() in text.casefold()
    pattern = rf"(?<!{_LATIN_WORD}){re.escape(keyword)}(?!{_LATIN_WORD})"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _vip_key(value: str) -> str:
    return value.strip().lstrip("@").casefold()


def rule_matches(rule, sample: Sample) -> bool:
    """All the rule's set conditions hold for the sample."""
    if rule.keywords and not any(keyword_in(k, sample.text or "") for k in rule.keywords):
        return False
    if rule.account_id and rule.account_id != sample.account_id:
        return False
    if rule.kind and rule.kind != sample.kind:
        return False
    if rule.min_followers is not None and (sample.followers or 0) < rule.min_followers:
        return False
    if rule.vip:
        wanted = {_vip_key(v) for v in rule.vip if _vip_key(v)}
        fan = {_vip_key(sample.fan_handle), _vip_key(sample.fan_external_id)} - {""}
        if not wanted & fan:
            return False
    return not (rule.sentiment and rule.sentiment != sample.sentiment)


def sample_of(item) -> Sample:
    fan = item.fan
    return Sample(
        text=item.text,
        account_id=item.account_id,
        kind=item.kind,
        followers=fan.followers if fan else None,
        fan_handle=fan.handle if fan else "",
        fan_external_id=fan.external_id if fan else "",
        sentiment=item.sentiment,
    )

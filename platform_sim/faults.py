"""Fault rules: what the simulator does instead of (or on top of) answering normally.

A rule matches on platform, account (external id), token, operation and path (substring); every field
left empty matches anything. `count` limits how many times it fires (None: always); `probability` with
`seed` makes it fire on a reproducible fraction of matching requests.

Kinds:
- latency          sleep `ms` milliseconds, then carry on (combines with one other kind)
- rate_limit       the platform's rate-limit error, HTTP 429 (or the platform's own status), with
                   `Retry-After: <retry_after>` and `x-rate-limit-reset: <epoch>` headers. `scope`
                   "account" (default): the account's own limit; "app": the platform's app-wide limit
                   where it has a distinct one (X: `x-app-limit-24hour-remaining: 0`; Meta #4; Weibo
                   10022; YouTube quotaExceeded), else its usual rate-limit error
- server_error     the platform's system error with HTTP `status` (default 500)
- timeout_before   sleep `seconds`, then 504; nothing is stored
- timeout_after    run the operation (the post IS stored), then stall `seconds` before answering
- token_expired    the platform's expired-token error
- token_revoked    the platform's revoked/invalid-token error
- html_200, not_json, wrong_shape, missing_field (`field`), truncated: body faults (body_faults.py):
                   the operation runs, then its answer is garbled
- rejected         the platform's invalid-request error (its `bad_request`, HTTP `status`, default 400)
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

from .body_faults import BODY_KINDS

KINDS = (
    "latency",
    "rate_limit",
    "server_error",
    "timeout_before",
    "timeout_after",
    "token_expired",
    "token_revoked",
    *BODY_KINDS,
    "rejected",
)


@dataclass
class FaultRule:
    kind: str
    id: int = 0
    platform: str = ""
    account: str = ""
    token: str = ""
    operation: str = ""
    path: str = ""
    count: int | None = None
    probability: float = 1.0
    seed: int | None = None
    ms: int = 0
    seconds: float = 0.0
    status: int = 0
    retry_after: float = 30.0
    scope: str = "account"
    field: str = ""  # missing_field: the key to remove (empty: all of them)
    fired: int = 0
    _rng: random.Random = dataclasses.field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.scope not in ("account", "app"):
            raise ValueError(f"scope must be 'account' or 'app', not {self.scope!r}")
        self._rng = random.Random(self.seed)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {
            "kind",
            "platform",
            "account",
            "token",
            "operation",
            "path",
            "count",
            "probability",
            "seed",
            "ms",
            "seconds",
            "status",
            "retry_after",
            "scope",
            "field",
        }
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def matches(self, *, platform: str, operation: str, path: str, account: str, token: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if self.platform and self.platform != platform:
            return False
        if self.operation and self.operation != operation:
            return False
        if self.path and self.path not in path:
            return False
        if self.account and self.account != account:
            return False
        if self.token and self.token != token:
            return False
        # Probability last, so the seeded sequence only advances for otherwise matching requests.
        return not (self.probability < 1.0 and self._rng.random() >= self.probability)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "platform": self.platform,
            "account": self.account,
            "operation": self.operation,
            "path": self.path,
            "count": self.count,
            "probability": self.probability,
            "seed": self.seed,
            "ms": self.ms,
            "seconds": self.seconds,
            "status": self.status,
            "retry_after": self.retry_after,
            "scope": self.scope,
            "field": self.field,
            "fired": self.fired,
        }


class FaultBook:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._next = 1

    def clear(self) -> None:
        self.rules = []

    def add(self, rule: FaultRule) -> FaultRule:
        rule.id = self._next
        self._next += 1
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def match(self, **request: str) -> tuple[list[FaultRule], FaultRule | None]:
        """Latency rules that apply, and the first other rule that applies (oldest first)."""
        latency: list[FaultRule] = []
        terminal: FaultRule | None = None
        for rule in self.rules:
            if rule.kind == "latency":
                if rule.matches(**request):
                    rule.fired += 1
                    latency.append(rule)
            elif terminal is None and rule.matches(**request):
                rule.fired += 1
                terminal = rule
        return latency, terminal

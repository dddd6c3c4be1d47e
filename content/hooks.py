"""What content asks of the apps above it, without importing them (DESIGN.md "Layers").

content sits below approvals and publishing, yet scheduling must pass the approval gate, an edit must
reset approvals, and the content pages show approval and publishing state. content calls the functions
here; approvals and publishing register what answers them in their `AppConfig.ready()`
(approvals/apps.py, publishing/apps.py).

With nothing registered:
- `assert_schedulable` refuses (ImproperlyConfigured): nothing reaches "scheduled" unless the approval
  gate said yes; a missing gate fails closed, never open.
- `on_post_edited` does nothing (no approvals to reset or re-route).
- the page reads show nothing (no missed posts, no publish jobs, no approval request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

HOOKS = frozenset(
    {
        # approvals
        "assert_schedulable",  # (post, *, actor, override) -> None, or raises to refuse
        "on_post_edited",  # (post, *, actor, content_changed) -> None, after every edit
        "latest_approval",  # (workspace, post) -> the post's latest approval request or None
        "submit_for_approval",  # (post, *, actor) -> the request; raises DomainError with the reason
        "approval_route",  # (post) -> {"workflow", "stages", "skipped"} or None (no approval needed)
        # publishing
        "missed_post_ids",  # (post_ids) -> the ids among them with a variant missed by the pipeline
        "targets_publishing",  # (workspace, target_ids) -> {target_id: {"job", "attempts", ...}}
    }
)

_registered: dict[str, Callable[..., Any]] = {}


def register(name: str, func: Callable[..., Any]) -> None:
    """Called from a higher app's ready(): `func` answers the hook `name` (one answer per hook)."""
    if name not in HOOKS:
        raise ValueError(f"content has no hook {name!r}")
    _registered[name] = func


def registered(name: str) -> Callable[..., Any] | None:
    return _registered.get(name)


# --- approvals --------------------------------------------------------------------------------------


def assert_schedulable(post, *, actor, override: bool = False):
    """Called before a post reaches "scheduled": the approval gate refuses by raising."""
    check = _registered.get("assert_schedulable")
    if check is None:
        raise ImproperlyConfigured(
            "content.hooks has no assert_schedulable: the approvals app registers the gate in its ready()"
        )
    return check(post, actor=actor, override=override)


def on_post_edited(post, *, actor, content_changed: bool = True) -> None:
    """Called after every edit. `content_changed`: what gets published changed, so an approval of the old
    content no longer holds; either way the stages that apply may have changed (a campaign, tags)."""
    reset = _registered.get("on_post_edited")
    if reset is not None:
        reset(post, actor=actor, content_changed=content_changed)


def latest_approval(workspace, post):
    latest = _registered.get("latest_approval")
    return latest(workspace, post) if latest is not None else None


def submit_for_approval(post, *, actor):
    """Send the post into its approval chain (approvals.services.approval_request_submit); DomainError
    with the reason when it cannot go (no chain applies, a request is already in progress)."""
    submit = _registered.get("submit_for_approval")
    if submit is None:
        return None
    return submit(post, actor=actor)


def approval_route(post) -> dict | None:
    """The chain the post would go through if submitted now: {"workflow": name, "stages": [names]};
    None when it needs no approval."""
    route = _registered.get("approval_route")
    return route(post) if route is not None else None


# --- publishing -------------------------------------------------------------------------------------


def missed_post_ids(post_ids: list[int]) -> set[int]:
    missed = _registered.get("missed_post_ids")
    return missed(post_ids) if missed is not None else set()


def targets_publishing(workspace, target_ids: list[int]) -> dict[int, dict]:
    publishing = _registered.get("targets_publishing")
    if publishing is None:
        return {pk: {} for pk in target_ids}
    return publishing(workspace, target_ids)

"""Posts and their targets: create, edit, schedule, move, queue, duplicate, delete, overrides."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Workspace
from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_event, audit_record
from core.bulk import update_rows
from core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from core.models import AuditEvent

from .. import compliance as compliance_engine
from .. import hooks
from ..models import (
    LOCKED_STATUSES,
    BannedWord,
    IllegalTransition,
    MediaAsset,
    Post,
    PostTarget,
    PostTargetMedia,
    TagGroup,
    aggregate_status,
    aggregate_status_expression,
    can_transition,
    check_transition,
)
from ..payload import canonical_hash, publishable, target_fingerprints

# --- lookups inside the workspace -------------------------------------------------------------------
from .compliance import _located, _refresh_compliance, compliance_for_post, compliance_summary
from .lookups import QUEUE_SEARCH_DAYS, UNSET, S, _aware, _campaign, _resolve_targets, _tags, check_tag_rules
from .versions import _load, _lock, _record_version, _target_media, snapshot
from .wechat_push import check_mass_send_quota


def _write_targets(post: Post, resolved: list[dict]) -> None:
    targets = PostTarget.objects.bulk_create(
        [
            PostTarget(
                workspace_id=post.workspace_id,
                post=post,
                account=item["account"],
                text=item["text"],
                first_comment=item["first_comment"],
                options=item["options"],
            )
            for item in resolved
        ]
    )
    _write_media(list(zip(targets, (item["media"] for item in resolved), strict=True)))


def _write_media(pairs: list[tuple[PostTarget, list[MediaAsset]]]) -> None:
    links = [
        PostTargetMedia(target=target, media=media, position=position)
        for target, items in pairs
        for position, media in enumerate(items)
    ]
    if links:
        PostTargetMedia.objects.bulk_create(links)


@transaction.atomic
def post_create(
    *,
    actor,
    workspace: Workspace,
    targets: Sequence[dict],
    title: str = "",
    campaign=None,
    tags: Sequence = (),
    scheduled_at: datetime | None = None,
    is_paid_or_kol: bool = False,
    change_summary: str = "",
    _banned_words: Sequence[BannedWord] | None = None,
    _tag_groups: Sequence[TagGroup] | None = None,
) -> Post:
    """A new post (draft) with one target per account; version 1."""
    resolved = _resolve_targets(workspace, targets)
    campaign_obj = _campaign(workspace, campaign)
    tag_objs = _tags(workspace, tags)
    check_tag_rules(workspace, tag_objs, groups=_tag_groups)
    post = Post.objects.create(
        workspace=workspace,
        title=(title or "")[:200],
        campaign=campaign_obj,
        author=actor if getattr(actor, "pk", None) else None,
        scheduled_at=_aware(scheduled_at),
        is_paid_or_kol=bool(is_paid_or_kol),
    )
    _write_targets(post, resolved)
    if tag_objs:
        post.tags.set(tag_objs)
    full = _load(post)
    _refresh_compliance(post, banned_words=_banned_words, loaded=full)
    version = _record_version(post, actor=actor, summary=change_summary or _("Created"), loaded=full)
    audit_record(
        actor=actor,
        action="post.create",
        target=post,
        workspace=workspace,
        after={"version": version.number, "accounts": [item["account"].pk for item in resolved]},
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor,
    post: Post,
    version: int,
    title: str = UNSET,
    campaign=UNSET,
    tags=UNSET,
    scheduled_at=UNSET,
    is_paid_or_kol=UNSET,
    targets=UNSET,
) -> Post:
    """Edit a post the client read at `version`. A stale version is refused (409) and nothing is saved.

    `targets` replaces the whole set, matched by account: kept accounts keep their target (and status),
    new ones are added as drafts, missing ones are removed. Targets being published or published cannot
    change. An edit that changes what gets published sends approved or in-review targets back to draft.
    """
    if version is None:
        raise ValidationFailed(_("Send the version you edited."), field="version")
    locked = _lock(post, version=version)
    workspace = locked.workspace
    before = _load(locked)
    before_snapshot = snapshot(before)
    # Computed now, not read from the column: what counts is what would be sent (content.payload).
    before_payloads = target_fingerprints(before)
    before_hash = canonical_hash(publishable(before))
    current = {t.account_id: t for t in before.targets.all()}

    if scheduled_at is not UNSET and scheduled_at != locked.scheduled_at:
        if any(t.status == S.SCHEDULED for t in current.values()):
            raise Conflict(
                _("This post is scheduled: move it with reschedule, or unschedule it first."),
                code="use_reschedule",
                field="scheduled_at",
            )
        locked.scheduled_at = _aware(scheduled_at)
    if title is not UNSET:
        locked.title = (title or "")[:200]
    if campaign is not UNSET:
        locked.campaign = _campaign(workspace, campaign)
    if is_paid_or_kol is not UNSET:
        locked.is_paid_or_kol = bool(is_paid_or_kol)
    tag_objs = _tags(workspace, tags) if tags is not UNSET else list(before.tags.all())
    check_tag_rules(workspace, tag_objs)

    if targets is not UNSET:
        resolved = _resolve_targets(workspace, targets)
        wanted = {item["account"].pk: item for item in resolved}
        for account_id, target in current.items():
            if account_id not in wanted and target.status in LOCKED_STATUSES:
                _refuse_locked(target)
        removed = [t.pk for a, t in current.items() if a not in wanted]
        if removed:
            PostTarget.objects.filter(pk__in=removed).delete()
        relinked = []
        for account_id, item in wanted.items():
            target = current.get(account_id)
            if target is None:
                continue
            PostTarget.objects.filter(pk=target.pk).update(
                text=item["text"], first_comment=item["first_comment"], options=item["options"]
            )
            if [m.pk for m in item["media"]] != [m.pk for m in _target_media(target)]:
                PostTargetMedia.objects.filter(target=target).delete()
                relinked.append((target, item["media"]))
        _write_media(relinked)
        _write_targets(locked, [item for a, item in wanted.items() if a not in current])

    locked.save(update_fields=["title", "campaign", "scheduled_at", "is_paid_or_kol", "updated_at"])
    if tags is not UNSET:
        locked.tags.set(tag_objs)

    after = _load(locked)
    # A target the pipeline has claimed (queued, publishing) or that is out can no longer change what it
    # sends: the whole edit is refused (409) and rolled back, whichever field caused it (text, title,
    # paid flag ...), since each one is part of the payload.
    after_payloads = target_fingerprints(after)
    for target in after.targets.all():
        if target.status in LOCKED_STATUSES and after_payloads[target.pk] != before_payloads.get(target.pk):
            _refuse_locked(target)
    after_snapshot = snapshot(after)
    if after_snapshot == before_snapshot:
        return locked  # nothing changed: no new version
    new_hash = canonical_hash(publishable(after))
    if new_hash != before_hash:
        # What an approval covered has changed: the approval no longer holds.
        for target in after.targets.all():
            if target.status in (S.APPROVED, S.IN_REVIEW):
                _move(target, S.DRAFT)
    _refresh_compliance(locked, loaded=after)
    locked.version += 1
    summary = _summary(before_snapshot, after_snapshot)
    _record_version(locked, actor=actor, summary=summary, loaded=after)
    # An edit after approval resets it; any edit (a campaign, tags, accounts) may route it through other
    # stages, which re-opens the approval for them.
    hooks.on_post_edited(locked, actor=actor, content_changed=new_hash != before_hash)
    audit_record(
        actor=actor,
        action="post.update",
        target=locked,
        workspace=workspace,
        before={"version": version},
        after={"version": locked.version, "changed": summary},
    )
    return locked


def _refuse_locked(target: PostTarget) -> None:
    raise Conflict(
        _("%(handle)s: this version is %(status)s and can no longer change.")
        % {"handle": target.account.handle, "status": S(target.status).label},
        code="target_locked",
        field="targets",
    )


def _summary(before: dict, after: dict) -> str:
    changed = [
        key
        for key in ("title", "scheduled_at", "campaign", "tags", "is_paid_or_kol")
        if before[key] != after[key]
    ]
    changed += _targets_changed(before["targets"], after["targets"])
    return _("Changed: %(fields)s") % {"fields": ", ".join(changed)} if changed else ""


def _targets_changed(before: list[dict], after: list[dict]) -> list[str]:
    """Which parts of the variants changed: "targets" when accounts came or went, then each variant field
    (text, first comment, media, options) that changed on an account kept."""
    old = {t["account"]: t for t in before}
    new = {t["account"]: t for t in after}
    changed = ["targets"] if set(old) != set(new) else []
    kept = set(old) & set(new)
    for key in ("text", "first_comment", "media", "options"):
        if any(old[account][key] != new[account][key] for account in kept):
            changed.append(key)
    return changed


def _move(target: PostTarget, new: str) -> None:
    check_transition(target.status, new)
    PostTarget.objects.filter(pk=target.pk).update(status=new, updated_at=timezone.now())
    target.status = new


def _check_time(when: datetime | None) -> datetime:
    when = _aware(when)
    if when is None:
        raise ValidationFailed(_("Pick a date and time to schedule this post."), field="scheduled_at")
    if when <= timezone.now():
        raise ValidationFailed(_("Pick a time in the future."), code="in_the_past", field="scheduled_at")
    return when


def _refuse_for_state(targets: Iterable[PostTarget], new: str) -> None:
    for target in targets:
        if target.status != new and not can_transition(target.status, new):
            raise IllegalTransition(
                _("%(handle)s is %(status)s, so this post cannot be %(action)s.")
                % {
                    "handle": target.account.handle,
                    "status": S(target.status).label.lower(),
                    "action": S(new).label.lower(),
                },
                field="status",
            )


@transaction.atomic
def post_schedule(
    *,
    actor,
    post: Post,
    scheduled_at: datetime | None = None,
    override_warnings: bool = False,
    version: int | None = None,
    override_approval: bool = False,
) -> Post:
    """Schedule every target for `scheduled_at` (or the post's planned time).

    Refused where a target's state forbids it, where compliance finds a blocking problem, and where it
    finds warnings unless `override_warnings` (the override is recorded on the post and in the audit log).
    """
    locked = _lock(post, version=version)
    when = _check_time(scheduled_at if scheduled_at is not None else locked.scheduled_at)
    full = _load(locked)
    targets = list(full.targets.all())
    _refuse_for_state(targets, S.SCHEDULED)
    check_mass_send_quota(targets, when)
    # Only approved content reaches "scheduled" (or an audited override by an admin).
    hooks.assert_schedulable(locked, actor=actor, override=override_approval)
    results = compliance_for_post(full)
    findings = [f for r in results for f in r["findings"]]
    covered = _blocking_override_rules(locked, full)
    if covered:  # an admin's recorded decision for exactly this content (post_compliance_override)
        results = [
            {**r, "findings": [f for f in r["findings"] if not (f.blocking and f.rule in covered)]}
            for r in results
        ]
        findings = [f for r in results for f in r["findings"]]
    if compliance_engine.has_blocking(findings):
        blocking = [_located(r, f) for r in results for f in r["findings"] if f.blocking]
        # Each first comment's problems also under `targets.<index>.first_comment` (the index in the post's
        # targets, their order in the API), so a client can show them next to that field.
        in_comments = {}
        for index, result in enumerate(results):
            located = [
                _located(result, f)
                for f in result["findings"]
                if f.blocking and f.field == compliance_engine.FIRST_COMMENT
            ]
            if located:
                in_comments[f"targets.{index}.first_comment"] = located
        raise ValidationFailed(
            _("Compliance found %(count)s blocking problem(s); fix them before scheduling: %(first)s")
            % {"count": len(blocking), "first": blocking[0]},
            code="compliance_blocking",
            fields={"compliance": blocking, **in_comments},
        )
    warnings = [f for f in findings if f.severity == compliance_engine.Severity.WARNING]
    if warnings and not override_warnings:
        located = [
            _located(r, f)
            for r in results
            for f in r["findings"]
            if f.severity == compliance_engine.Severity.WARNING
        ]
        raise ValidationFailed(
            _("Compliance has %(count)s warning(s); schedule with an explicit override to go on: %(first)s")
            % {"count": len(warnings), "first": located[0]},
            code="compliance_warnings",
            fields={"compliance": located},
        )
    before_time = locked.scheduled_at
    if warnings:
        locked.compliance_override = {
            # an admin's blocking override for this content stays (post_compliance_override)
            **{
                k: v
                for k, v in (locked.compliance_override or {}).items()
                if covered and k.startswith(_BLOCKING)
            },
            "by": actor.pk if getattr(actor, "pk", None) else None,
            "by_label": getattr(actor, "email", ""),
            "at": timezone.now().isoformat(),
            "version": locked.version + 1,
            "rules": sorted({f.rule for f in warnings}),
        }
        audit_record(
            actor=actor,
            action="post.compliance_override",
            target=locked,
            workspace=locked.workspace,
            after=locked.compliance_override,
        )
    for target in targets:
        if target.status != S.SCHEDULED:
            _move(target, S.SCHEDULED)
    locked.scheduled_at = when
    locked.version += 1
    locked.compliance = compliance_summary(results)
    locked.save(update_fields=["scheduled_at", "compliance_override", "compliance", "updated_at"])
    _record_version(locked, actor=actor, summary=_("Scheduled"))
    audit_record(
        actor=actor,
        action="post.schedule",
        target=locked,
        workspace=locked.workspace,
        before={"scheduled_at": before_time.isoformat() if before_time else None},
        after={"scheduled_at": when.isoformat(), "override": bool(warnings)},
    )
    return locked


_BLOCKING = ("content_hash", "blocking_")


def _blocking_override_rules(post: Post, loaded: Post) -> set[str]:
    """The blocking rules an admin overrode for exactly the post's current content (else none)."""
    override = post.compliance_override or {}
    if not override.get("content_hash") or override["content_hash"] != canonical_hash(publishable(loaded)):
        return set()
    return set(override.get("blocking_rules") or [])


@transaction.atomic
def post_compliance_override(*, actor, post: Post, reason: str) -> Post:
    """An admin (post.publish_without_approval) decides that this exact content goes out despite its
    blocking findings (a claim legal has cleared, a disclosure made in the video). Recorded on the post with
    the content hash and the rules, audited; scheduling and the publish step honour it for exactly this
    content, and any change to what is sent voids it."""
    access = workspace_access_for(user=actor, workspace_id=post.workspace_id) if actor else None
    if access is None or not access.can(Capability.POST_PUBLISH_WITHOUT_APPROVAL):
        raise PermissionRefused(_("Your role does not allow overriding blocking findings."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why this content may go out despite the findings."), field="reason")
    locked = _lock(post)
    full = _load(locked)
    rules = sorted({f.rule for r in compliance_for_post(full) for f in r["findings"] if f.blocking})
    if not rules:
        raise ValidationFailed(
            _("This post has no blocking finding to override."), code="nothing_to_override"
        )
    locked.compliance_override = {
        **(locked.compliance_override or {}),
        "content_hash": canonical_hash(publishable(full)),
        "blocking_rules": rules,
        "blocking_by": actor.pk,
        "blocking_by_label": getattr(actor, "email", ""),
        "blocking_at": timezone.now().isoformat(),
        "blocking_reason": reason[:500],
    }
    locked.save(update_fields=["compliance_override", "updated_at"])
    audit_record(
        actor=actor,
        action="post.compliance_override_blocking",
        target=locked,
        workspace=locked.workspace,
        after={
            "rules": rules,
            "reason": reason[:500],
            "content_hash": locked.compliance_override["content_hash"],
        },
    )
    return locked


def post_blocking_override(post: Post) -> dict | None:
    """The admin's recorded override of blocking findings, with `current` saying whether it still covers
    what would be sent now (any change to the payload voids it); None when there is none."""
    override = post.compliance_override or {}
    if not override.get("blocking_rules"):
        return None
    current = override.get("content_hash") == canonical_hash(publishable(_load(post)))
    return {**override, "current": current}


@transaction.atomic
def post_reschedule(*, actor, post: Post, scheduled_at: datetime, version: int | None = None) -> Post:
    """Move a post to another time (the calendar's drag). A scheduled post stays scheduled and needs the
    post.schedule capability; posts being published, published or cancelled cannot move."""
    locked = _lock(post, version=version)
    when = _aware(scheduled_at)
    if when is None:
        raise ValidationFailed(_("Pick a date and time."), field="scheduled_at")
    full = _load(locked)
    targets = list(full.targets.all())
    for target in targets:
        if target.status in LOCKED_STATUSES or target.status == S.CANCELLED:
            raise IllegalTransition(
                _("%(handle)s is %(status)s, so this post can no longer be moved.")
                % {"handle": target.account.handle, "status": S(target.status).label.lower()},
                field="scheduled_at",
            )
    if any(t.status == S.SCHEDULED for t in targets):
        access = workspace_access_for(user=actor, workspace_id=locked.workspace_id)
        if access is None or not access.can(Capability.POST_SCHEDULE):
            raise PermissionRefused(_("Your role does not allow moving a scheduled post."))
        _check_time(when)
        hooks.assert_schedulable(locked, actor=actor)
        # A mass send moved into another day or month uses that period's quota.
        check_mass_send_quota([t for t in targets if t.status == S.SCHEDULED], when)
    before_time = locked.scheduled_at
    if before_time == when:
        return locked
    locked.scheduled_at = when
    locked.version += 1
    locked.save(update_fields=["scheduled_at", "updated_at"])
    _record_version(locked, actor=actor, summary=_("Rescheduled"))
    audit_record(
        actor=actor,
        action="post.reschedule",
        target=locked,
        workspace=locked.workspace,
        before={"scheduled_at": before_time.isoformat() if before_time else None},
        after={"scheduled_at": when.isoformat()},
    )
    return locked


@transaction.atomic
def post_unschedule(*, actor, post: Post, version: int | None = None) -> Post:
    """Take a scheduled post off the schedule (its targets go back to draft; its time stays as a plan)."""
    locked = _lock(post, version=version)
    targets = list(_load(locked).targets.all())
    scheduled = [t for t in targets if t.status == S.SCHEDULED]
    if not scheduled:
        raise IllegalTransition(_("This post is not scheduled."), field="status")
    for target in scheduled:
        _move(target, S.DRAFT)
    locked.version += 1
    locked.save(update_fields=["updated_at"])
    _record_version(locked, actor=actor, summary=_("Unscheduled"))
    audit_record(actor=actor, action="post.unschedule", target=locked, workspace=locked.workspace)
    return locked


def next_free_slot(post: Post, *, after: datetime | None = None) -> datetime | None:
    """The earliest posting slot of the post's accounts after `after` (now) that no other post of those
    accounts already takes, compared as instants (content.slots: clock changes, one post per instant)."""
    from ..slots import next_free_instant

    return next_free_instant(
        workspace=post.workspace,
        account_ids=list(post.targets.values_list("account_id", flat=True)),
        after=after or timezone.now(),
        days=QUEUE_SEARCH_DAYS,
        exclude_post_id=post.pk,
    )


@transaction.atomic
def post_add_to_queue(
    *, actor, post: Post, override_warnings: bool = False, version: int | None = None
) -> Post:
    """Schedule the post at its accounts' next free posting slot."""
    locked = _lock(post, version=version)
    when = next_free_slot(locked)
    if when is None:
        raise ValidationFailed(
            _("These accounts have no free posting slot in the next %(days)s days: add posting slots first.")
            % {"days": QUEUE_SEARCH_DAYS},
            code="no_free_slot",
            field="scheduled_at",
        )
    return post_schedule(actor=actor, post=locked, scheduled_at=when, override_warnings=override_warnings)


@transaction.atomic
def post_duplicate(*, actor, post: Post, scheduled_at: datetime | None = None) -> Post:
    """A new draft with the same targets, media, campaign and tags."""
    source = _load(post)
    if source.deleted_at is not None:
        raise NotFound(_("This post was deleted."))
    copy = post_create(
        actor=actor,
        workspace=source.workspace,
        title=(_("%(title)s (copy)") % {"title": source.title}) if source.title else "",
        campaign=source.campaign_id,
        tags=[t.pk for t in source.tags.all()],
        scheduled_at=scheduled_at,
        is_paid_or_kol=source.is_paid_or_kol,
        targets=[
            {
                "account": t.account_id,
                "text": t.text,
                "first_comment": t.first_comment,
                "options": t.options,
                "media": [m.pk for m in _target_media(t)],
            }
            for t in source.targets.all()
        ],
        change_summary=_("Duplicated from post %(id)s") % {"id": source.pk},
    )
    audit_record(
        actor=actor,
        action="post.duplicate",
        target=copy,
        workspace=source.workspace,
        before={"source": source.pk},
    )
    return copy


@transaction.atomic
def post_delete(*, actor, post: Post) -> Post:
    """Soft delete: the post leaves the calendar and lists; targets not yet published are cancelled.
    Refused while a target is being published (its outcome must settle first)."""
    locked = _lock(post)
    targets = list(_load(locked).targets.all())
    busy = [t for t in targets if t.status in (S.QUEUED, S.PUBLISHING, S.UNKNOWN)]
    if busy:
        raise Conflict(
            _("%(handle)s is being published; wait for the outcome before deleting.")
            % {"handle": busy[0].account.handle},
            code="being_published",
        )
    for target in targets:
        if target.status not in (S.PUBLISHED, S.CANCELLED):
            _move(target, S.CANCELLED)
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor if getattr(actor, "pk", None) else None
    locked.status = aggregate_status(t.status for t in targets)
    locked.save(update_fields=["deleted_at", "deleted_by", "status", "updated_at"])
    audit_record(actor=actor, action="post.delete", target=locked, workspace=locked.workspace)
    return locked


_RESULT_FIELDS = ("external_id", "url", "published_at", "error_message")


def post_lock(post_id: int) -> None:
    """Lock the post's row: every transaction that changes a post's targets, jobs or requests takes it
    first, so edits, decisions and the publishing pipeline queue behind one another instead of
    deadlocking (publishing/README.md, "Lock order")."""
    list(Post.objects.select_for_update().filter(pk=post_id).values_list("pk", flat=True))


def post_lock_for_target(target_id: int) -> int | None:
    """Lock the post of a target, before the target: the one lock order of posts, targets, publish jobs
    and approval requests (publishing/README.md, "Lock order"). Every edit locks the post first; so do
    the pipeline's steps and the services that move one target. Returns the post's id (None: no such
    target)."""
    qs = Post.objects.filter(targets__id=target_id)
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    return qs.values_list("pk", flat=True).first()


@transaction.atomic
def post_target_move(*, actor, target: PostTarget, status: str, **result) -> PostTarget:
    """Move one variant to `status` (approvals, the publishing pipeline): the row is locked, the move is
    checked against the transition table (IllegalTransition, 409, otherwise), the result fields given
    (`external_id`, `url`, `published_at`, `error_message`) are stored, the post's summed-up status
    follows, and the move is audited. `actor` may be None for the system."""
    _check_result_fields(result)
    post_lock_for_target(target.pk)
    locked_qs = PostTarget.objects.select_related("post", "workspace")
    # Only the target's row is locked, never its post's or workspace's (PostgreSQL would lock every
    # joined row without `of`).
    if connection.features.has_select_for_update_of:
        locked_qs = locked_qs.select_for_update(of=("self",))
    else:
        locked_qs = locked_qs.select_for_update()
    locked = locked_qs.get(pk=target.pk)
    post_targets_move_locked(actor=actor, targets=[locked], status=status, **result)
    target.status = status
    for name in result:
        setattr(target, name, getattr(locked, name))
    return locked


def post_targets_move_locked(
    *, actor, targets: Sequence[PostTarget], status: str, per_target: dict | None = None, **result
) -> None:
    """`post_target_move` for callers that already hold the targets' row locks in the current transaction
    and read them under those locks (the publishing pipeline locks a target, then its job; locking it
    again would be one more round trip, per target). The same transition check (every target, before
    anything is written), result fields, summed-up post status and one audit row per target, in a fixed
    number of queries however many targets: one UPDATE of the targets, one of their posts, one INSERT of
    the audit rows. Load the targets with `select_related("post", "workspace")`, or each costs two
    queries for its audit row. The given instances are updated in place. `per_target`: result fields
    that differ by target ({target id: {"external_id": ..., "url": ...}}; every target the same keys),
    still in the one UPDATE."""
    per_target = per_target or {}
    per_names = sorted({name for fields in per_target.values() for name in fields})
    _check_result_fields({**result, **dict.fromkeys(per_names)})
    if not targets:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_targets_move_locked needs the transaction that holds the targets' locks")
    for target in targets:
        check_transition(target.status, status)
    values = {name: _result_value(name, value) for name, value in result.items()}
    rows = {
        t.pk: {**values, **{n: _result_value(n, per_target.get(t.pk, {}).get(n)) for n in per_names}}
        for t in targets
    }
    now = timezone.now()
    # No savepoint: nothing below is meant to fail and be caught; an error aborts the caller's
    # transaction, as the move and its audit row must go together.
    with transaction.atomic(savepoint=False):
        shared = {"status": status, "updated_at": now, **values}
        if per_names:
            update_rows(
                PostTarget, {pk: {n: row[n] for n in per_names} for pk, row in rows.items()}, also=shared
            )
        else:
            PostTarget.objects.filter(pk__in=[t.pk for t in targets]).update(**shared)
        Post.objects.filter(pk__in={t.post_id for t in targets}).update(
            status=aggregate_status_expression(), updated_at=now
        )
        AuditEvent.objects.bulk_create(
            [
                audit_event(
                    actor=actor,
                    action="post_target.status",
                    target=target,
                    workspace=target.workspace,
                    before={"status": target.status},
                    after={
                        "status": status,
                        **{k: str(v) for k, v in result.items()},
                        **{k: str(per_target.get(target.pk, {}).get(k)) for k in per_names},
                    },
                )
                for target in targets
            ]
        )
    for target in targets:
        target.status = status
        target.updated_at = now
        for name, value in rows[target.pk].items():
            setattr(target, name, value)


def _result_value(name: str, value):
    return value if value is not None else ("" if name != "published_at" else None)


def _check_result_fields(result: dict) -> None:
    unknown = set(result) - set(_RESULT_FIELDS)
    if unknown:
        raise TypeError(f"unknown result fields: {sorted(unknown)}")

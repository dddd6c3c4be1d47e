"""Writes for content: posts and their targets, versions, scheduling, media, campaigns, tags, banned words,
posting slots and iCal feeds.

Every function here is keyword-only, takes `actor=`, runs in one transaction and writes the audit log.
Related ids in input (accounts, media, campaigns, tags, owners) are always looked up inside the post's
workspace: another workspace's id is a 400 naming the field, and nothing is created. Target statuses
move only through content.models.check_transition.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Workspace, WorkspaceMember
from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from channels_app.models import SocialAccount
from core.audit import audit_event, audit_record
from core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from core.models import AuditEvent

from . import compliance as compliance_engine
from . import hooks
from .media_inspect import DEFAULT_MAX_BYTES, MediaInfo, MediaRejected, inspect_upload, suitability
from .models import (
    LOCKED_STATUSES,
    BannedWord,
    BannedWordList,
    Campaign,
    IcalFeed,
    IllegalTransition,
    MediaAsset,
    Post,
    PostingSlot,
    PostTarget,
    PostTargetMedia,
    PostVersion,
    Tag,
    TagGroup,
    TargetStatus,
    aggregate_status,
    aggregate_status_expression,
    can_transition,
    check_transition,
)
from .payload import canonical_hash, publishable, target_fingerprints, target_payload

UNSET: Any = object()
S = TargetStatus
QUEUE_SEARCH_DAYS = 56  # "add to queue" looks this far ahead for a free slot


# --- lookups inside the workspace -------------------------------------------------------------------


def _ids(values, *, field: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, (str, int)):
        values = [values]
    out = []
    for value in values:
        if hasattr(value, "pk"):
            value = value.pk
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("%(value)s is not a valid id.") % {"value": value}, field=field
            ) from None
    return out


def _fetch(model, workspace: Workspace, ids: Sequence[int], *, field: str, label: str) -> dict[int, Any]:
    """{id: object} for ids that must all belong to `workspace`; any other id is a field error."""
    if not ids:
        return {}
    found = {obj.pk: obj for obj in model.objects.filter(workspace=workspace, pk__in=set(ids))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(
            _("No %(label)s with id %(ids)s in this workspace.")
            % {"label": label, "ids": ", ".join(str(i) for i in missing)},
            code="not_in_workspace",
            field=field,
        )
    return found


def _campaign(workspace: Workspace, value) -> Campaign | None:
    if value in (None, ""):
        return None
    (campaign_id,) = _ids(value, field="campaign")
    return _fetch(Campaign, workspace, [campaign_id], field="campaign", label=_("campaign"))[campaign_id]


def _tags(workspace: Workspace, values) -> list[Tag]:
    ids = list(dict.fromkeys(_ids(values, field="tags")))
    found = _fetch(Tag, workspace, ids, field="tags", label=_("tag"))
    return [found[i] for i in ids]


def check_tag_rules(
    workspace: Workspace, tags: Iterable[Tag], *, groups: Iterable[TagGroup] | None = None
) -> None:
    """Required groups need one of their tags; exclusive groups take at most one."""
    groups = list(TagGroup.objects.filter(workspace=workspace) if groups is None else groups)
    chosen: dict[int, list[Tag]] = {}
    for tag in tags:
        chosen.setdefault(tag.group_id, []).append(tag)
    problems = []
    for group in groups:
        picked = chosen.get(group.pk, [])
        if group.required and not picked:
            problems.append(_("Pick a tag from “%(group)s”: it is required.") % {"group": group.name})
        if group.exclusive and len(picked) > 1:
            problems.append(
                _("Pick only one tag from “%(group)s” (chosen: %(tags)s).")
                % {"group": group.name, "tags": ", ".join(t.name for t in picked)}
            )
    if problems:
        raise ValidationFailed(problems[0], code="tag_rules", fields={"tags": problems})


def _resolve_targets(workspace: Workspace, targets) -> list[dict]:
    """Validate the targets' input and replace ids by objects of this workspace."""
    if not targets:
        raise ValidationFailed(_("Choose at least one account."), field="targets")
    account_ids = []
    media_ids = []
    for index, target in enumerate(targets):
        if "account" not in target or target["account"] in (None, ""):
            raise ValidationFailed(_("This field is required."), field=f"targets.{index}.account")
        account_ids += _ids(target["account"], field=f"targets.{index}.account")
        media_ids += _ids(target.get("media") or [], field=f"targets.{index}.media")
    accounts = {a.pk: a for a in SocialAccount.objects.filter(workspace=workspace, pk__in=set(account_ids))}
    media = {m.pk: m for m in MediaAsset.objects.filter(workspace=workspace, pk__in=set(media_ids))}
    resolved, seen = [], set()
    for index, target in enumerate(targets):
        (account_id,) = _ids(target["account"], field=f"targets.{index}.account")
        account = accounts.get(account_id)
        if account is None:
            raise ValidationFailed(
                _("No account with id %(id)s in this workspace.") % {"id": account_id},
                code="not_in_workspace",
                field=f"targets.{index}.account",
            )
        if account.disconnected_at is not None:
            raise ValidationFailed(
                _("%(handle)s is disconnected; reconnect it first.") % {"handle": account.handle},
                field=f"targets.{index}.account",
            )
        if account_id in seen:
            raise ValidationFailed(
                _("%(handle)s is chosen twice.") % {"handle": account.handle},
                field=f"targets.{index}.account",
            )
        seen.add(account_id)
        items = []
        for media_id in _ids(target.get("media") or [], field=f"targets.{index}.media"):
            if media_id not in media:
                raise ValidationFailed(
                    _("No media with id %(id)s in this workspace.") % {"id": media_id},
                    code="not_in_workspace",
                    field=f"targets.{index}.media",
                )
            items.append(media[media_id])
        if len({m.pk for m in items}) != len(items):
            raise ValidationFailed(_("The same media is attached twice."), field=f"targets.{index}.media")
        if target.get("first_comment") and not takes_first_comment(account.platform):
            raise ValidationFailed(
                _("%(handle)s: this platform has no first comment.") % {"handle": account.handle},
                code="no_first_comment",
                field=f"targets.{index}.first_comment",
            )
        options = target.get("options") or {}
        if not isinstance(options, dict):
            raise ValidationFailed(_("Options must be an object."), field=f"targets.{index}.options")
        resolved.append(
            {
                "account": account,
                "text": target.get("text") or "",
                "first_comment": target.get("first_comment") or "",
                "options": options,
                "media": items,
            }
        )
    return resolved


def takes_first_comment(platform: str) -> bool:
    """Whether the platform's connector posts a first comment (`capabilities.first_comment`); a platform
    without a connector yet is not refused here."""
    from .compliance.platforms import registered_connectors

    cls = registered_connectors().get(platform)
    return cls is None or cls.capabilities.first_comment


def _aware(value: datetime | None, *, field: str = "scheduled_at") -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationFailed(_("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        raise ValidationFailed(_("Give the time with its time zone."), field=field)
    return value


# --- snapshots, hashes, versions --------------------------------------------------------------------


def _load(post: Post) -> Post:
    """The post with targets, accounts, media, tags and campaign loaded (a fixed number of queries)."""
    from .selectors import with_relations

    return with_relations(Post.objects.filter(pk=post.pk)).get()


def _target_media(target: PostTarget) -> list[MediaAsset]:
    return [link.media for link in target.media_links.all()]


def snapshot(post: Post) -> dict:
    """The whole post and its targets as JSON (what a version keeps)."""
    return {
        "title": post.title,
        "scheduled_at": post.scheduled_at.astimezone(UTC).isoformat() if post.scheduled_at else None,
        "campaign": {"id": post.campaign.pk, "name": post.campaign.name} if post.campaign else None,
        "tags": sorted(({"id": t.pk, "name": t.name} for t in post.tags.all()), key=lambda t: t["id"]),
        "is_paid_or_kol": post.is_paid_or_kol,
        "targets": [
            {
                "account": t.account_id,
                "platform": t.account.platform,
                "handle": t.account.handle,
                "status": t.status,
                "text": t.text,
                "first_comment": t.first_comment,
                "options": t.options,
                "media": [
                    {"id": m.pk, "name": m.original_name, "checksum": m.checksum, "alt_text": m.alt_text}
                    for m in _target_media(t)
                ],
            }
            for t in sorted(post.targets.all(), key=lambda t: t.account_id)
        ],
    }


def _record_version(post: Post, *, actor, summary: str, loaded: Post | None = None) -> PostVersion:
    """Store the post's hash, status and a new version (post.version is already bumped). `loaded`: the
    post as it is now, with its relations (else it is reloaded)."""
    full = loaded if loaded is not None else _load(post)
    data = snapshot(full)
    content_hash = canonical_hash(publishable(full))
    status = aggregate_status(t.status for t in full.targets.all())
    Post.objects.filter(pk=post.pk).update(content_hash=content_hash, status=status, version=post.version)
    post.content_hash, post.status = content_hash, status
    return PostVersion.objects.create(
        workspace_id=post.workspace_id,
        post=post,
        number=post.version,
        snapshot=data,
        content_hash=content_hash,
        author=actor if getattr(actor, "pk", None) else None,
        author_label=getattr(actor, "email", "") if actor is not None else "system",
        change_summary=summary[:300],
    )


def _lock(post: Post, *, version: int | None = None) -> Post:
    """Lock the post's row; refuse a deleted post and, when `version` is given, a stale edit."""
    locked = Post.objects.select_for_update().filter(pk=post.pk, deleted_at__isnull=True).first()
    if locked is None:
        raise NotFound(_("This post was deleted."))
    if version is not None and int(version) != locked.version:
        last = PostVersion.objects.filter(post=locked, number=locked.version).first()
        who = last.author_label if last is not None else _("someone")
        raise Conflict(
            _(
                "This post was changed by %(who)s since you opened it (you edited version %(yours)s, it is "
                "now at version %(current)s). Nothing was saved: reload it and apply your changes again."
            )
            % {"who": who, "yours": version, "current": locked.version},
            code="stale_version",
            field="version",
        )
    return locked


# --- compliance -------------------------------------------------------------------------------------


def workspace_banned_words(workspace: Workspace) -> list[BannedWord]:
    return list(BannedWord.objects.filter(workspace=workspace))


def compliance_for_payload(payload, *, platform: str, media_infos: Sequence = (), banned_words=()) -> list:
    """Every finding about what one connector would receive (content.payload.target_payload): the text,
    the first comment, the title and each media item's alt text, as sent. `media_infos`: the variant's
    media as MediaInfo (dimensions and duration for the platform's limits), in the payload's order. The
    publish step runs this on the exact payload it sends; scheduling and review run it on the same."""
    findings = compliance_engine.check(
        payload.text,
        platforms=[platform],
        media=list(media_infos),
        banned_words=banned_words,
        is_paid_or_kol=payload.paid_or_kol,
        title=payload.title,
        link=payload.link,
        options=payload.options,
    )
    if payload.first_comment:
        findings += compliance_engine.check_first_comment(
            payload.first_comment, platforms=[platform], banned_words=banned_words
        )
    if payload.title:
        findings += compliance_engine.check_words(
            payload.title, field=compliance_engine.TITLE, platforms=[platform], banned_words=banned_words
        )
    for index, item in enumerate(payload.media):
        if item.alt_text:
            findings += compliance_engine.check_words(
                item.alt_text,
                field=compliance_engine.alt_text_field(index),
                platforms=[platform],
                banned_words=banned_words,
            )
    return findings


def compliance_for_post(post: Post, *, banned_words: Sequence[BannedWord] | None = None) -> list[dict]:
    """Findings per target: [{"target", "account", "handle", "platform", "findings": [ComplianceFinding]}];
    a target's findings are its text's, then its first comment's, title's and alt texts' (each finding's
    `field` says which), all computed on the payload the connector would receive."""
    if banned_words is None:
        banned_words = list(BannedWord.objects.filter(workspace_id=post.workspace_id))
    results = []
    for target in post.targets.all():
        findings = compliance_for_payload(
            target_payload(target, post=post),
            platform=target.account.platform,
            media_infos=[m.info() for m in _target_media(target)],
            banned_words=banned_words,
        )
        results.append(
            {
                "target": target.pk,
                "account": target.account_id,
                "handle": target.account.handle,
                "platform": target.account.platform,
                "findings": findings,
            }
        )
    return results


def _located(result: dict, finding) -> str:
    """A finding's message, saying where it is when that is not the post's text (the first comment)."""
    if finding.field == compliance_engine.FIRST_COMMENT:
        return _("First comment on @%(handle)s: %(message)s") % {
            "handle": result["handle"],
            "message": finding.message,
        }
    if finding.field == compliance_engine.TITLE:
        return _("Title: %(message)s") % {"message": finding.message}
    if finding.field.endswith("." + compliance_engine.ALT_TEXT):
        return _("Alt text of media %(number)s on @%(handle)s: %(message)s") % {
            "number": int(finding.field.split(".")[1]) + 1,
            "handle": result["handle"],
            "message": finding.message,
        }
    return str(finding.message)


def compliance_summary(results: list[dict]) -> dict:
    findings = [f for r in results for f in r["findings"]]
    return {
        "blocking": compliance_engine.has_blocking(findings),
        "warnings": sum(1 for f in findings if f.severity == compliance_engine.Severity.WARNING),
        "findings": [{**f.to_dict(), "target": r["target"]} for r in results for f in r["findings"]],
    }


def compliance_check_text(
    *,
    workspace: Workspace,
    text: str,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    media: Sequence = (),
    is_paid_or_kol: bool = False,
    options: dict | None = None,
    first_comment: str = "",
) -> tuple[list, list[str]]:
    """The composer's live check: (findings for `text` on these platforms and these accounts' ones, the
    platforms checked). With a `first_comment`, its findings follow, for the platforms that post one
    (their `field` is "first_comment", their spans offsets into it)."""
    platforms = list(platforms)
    account_ids = _ids(accounts, field="accounts")
    for account in _fetch(
        SocialAccount, workspace, account_ids, field="accounts", label=_("account")
    ).values():
        platforms.append(account.platform)
    media_ids = _ids(media, field="media")
    assets = _fetch(MediaAsset, workspace, media_ids, field="media", label=_("media"))
    platforms = list(dict.fromkeys(platforms))
    banned_words = workspace_banned_words(workspace)
    findings = compliance_engine.check(
        text,
        platforms=platforms,
        media=[assets[i].info() for i in media_ids],
        banned_words=banned_words,
        is_paid_or_kol=is_paid_or_kol,
        options=options,
    )
    commented = [p for p in platforms if takes_first_comment(p)]
    if first_comment and commented:
        findings += compliance_engine.check_first_comment(
            first_comment, platforms=commented, banned_words=banned_words
        )
    return findings, platforms


def compliance_check_live(
    *,
    workspace: Workspace,
    text: str,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    targets: Sequence[dict] = (),
    media: Sequence = (),
    is_paid_or_kol: bool = False,
    options: dict | None = None,
) -> dict:
    """The API's live check: {"blocking", "findings", "counts"}. `text` is checked for the `platforms`, the
    `accounts`' and the `targets`' ones; each target ({"account", "first_comment"}) is validated like a
    post's (a first comment where the platform has none is refused on `targets.N.first_comment`) and its
    first comment checked for its platform: those findings have `field` "first_comment", spans into it and
    `target` N (the others `target` None)."""
    resolved = _resolve_targets(workspace, targets) if targets else []
    findings, checked = compliance_check_text(
        workspace=workspace,
        text=text,
        platforms=[*platforms, *(item["account"].platform for item in resolved)],
        accounts=accounts,
        media=media,
        is_paid_or_kol=is_paid_or_kol,
        options=options,
    )
    rows = [{**f.to_dict(), "target": None} for f in findings]
    banned_words = workspace_banned_words(workspace) if any(i["first_comment"] for i in resolved) else []
    for index, item in enumerate(resolved):
        if not item["first_comment"]:
            continue
        in_comment = compliance_engine.check_first_comment(
            item["first_comment"], platforms=[item["account"].platform], banned_words=banned_words
        )
        findings += in_comment
        rows += [{**f.to_dict(), "target": index} for f in in_comment]
    return {
        "blocking": compliance_engine.has_blocking(findings),
        "findings": rows,
        "counts": text_counts(text, checked),
    }


def text_counts(text: str, platforms: Sequence[str], *, first_comment: bool = False) -> dict[str, dict]:
    """{platform: {"count", "limit", "unit"}}: the text's length by each platform's own rule (X's weighted
    characters, Bluesky's graphemes...), for the composer's live counters. No connector: plain length.
    With `first_comment`, the limit is the first comment's (`capabilities.comment_limit`: Facebook's
    comments have their own)."""
    from .compliance.platforms import connector_instance, registered_connectors

    connectors = registered_connectors()
    counts = {}
    for platform in dict.fromkeys(platforms):
        cls = connectors.get(platform)
        if cls is None:
            counts[platform] = {"count": len(text), "limit": None, "unit": "characters"}
            continue
        counts[platform] = {
            "count": connector_instance(cls, platform).count_text(text),
            "limit": cls.capabilities.comment_limit if first_comment else cls.capabilities.text_limit,
            "unit": cls.capabilities.text_unit,
        }
    return counts


def _refresh_compliance(post: Post, *, banned_words=None, loaded: Post | None = None) -> dict:
    full = loaded if loaded is not None else _load(post)
    summary = compliance_summary(compliance_for_post(full, banned_words=banned_words))
    Post.objects.filter(pk=post.pk).update(compliance=summary)
    post.compliance = summary
    return summary


# --- posts ------------------------------------------------------------------------------------------


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
    if before["targets"] != after["targets"]:
        changed.append("targets")
    return _("Changed: %(fields)s") % {"fields": ", ".join(changed)} if changed else ""


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
    from .slots import next_free_instant

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


def post_targets_move_locked(*, actor, targets: Sequence[PostTarget], status: str, **result) -> None:
    """`post_target_move` for callers that already hold the targets' row locks in the current transaction
    and read them under those locks (the publishing pipeline locks a target, then its job; locking it
    again would be one more round trip, per target). The same transition check (every target, before
    anything is written), result fields, summed-up post status and one audit row per target, in a fixed
    number of queries however many targets: one UPDATE of the targets, one of their posts, one INSERT of
    the audit rows. Load the targets with `select_related("post", "workspace")`, or each costs two
    queries for its audit row. The given instances are updated in place."""
    _check_result_fields(result)
    if not targets:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_targets_move_locked needs the transaction that holds the targets' locks")
    for target in targets:
        check_transition(target.status, status)
    values = {
        name: value if value is not None else ("" if name != "published_at" else None)
        for name, value in result.items()
    }
    now = timezone.now()
    after = {"status": status, **{k: str(v) for k, v in result.items()}}
    # No savepoint: nothing below is meant to fail and be caught; an error aborts the caller's
    # transaction, as the move and its audit row must go together.
    with transaction.atomic(savepoint=False):
        PostTarget.objects.filter(pk__in=[t.pk for t in targets]).update(
            status=status, updated_at=now, **values
        )
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
                    after=after,
                )
                for target in targets
            ]
        )
    for target in targets:
        target.status = status
        target.updated_at = now
        for name, value in values.items():
            setattr(target, name, value)


def _check_result_fields(result: dict) -> None:
    unknown = set(result) - set(_RESULT_FIELDS)
    if unknown:
        raise TypeError(f"unknown result fields: {sorted(unknown)}")


# --- media ------------------------------------------------------------------------------------------


THUMBNAIL_SIZE = (480, 480)


def _thumbnail(upload) -> bytes | None:
    from PIL import Image, ImageOps

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image.copy())
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82)
            return out.getvalue()
    finally:
        upload.seek(0)


def _checksum(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def media_upload(
    *,
    actor,
    workspace: Workspace,
    file,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    alt_text: str = "",
    max_bytes: int | None = None,
) -> MediaAsset:
    """Inspect the upload (its bytes decide what it is), check it suits the chosen platforms (and the
    chosen accounts' platforms), then store it and its thumbnail under the workspace. Any refusal happens
    before anything is stored."""
    limit = max_bytes or getattr(settings, "KAWO_MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES)
    platforms = list(platforms)
    account_ids = _ids(accounts, field="accounts")
    platforms += [
        a.platform
        for a in _fetch(SocialAccount, workspace, account_ids, field="accounts", label=_("account")).values()
    ]
    info: MediaInfo = inspect_upload(file, max_bytes=limit)
    problems = [p for items in suitability(info, list(dict.fromkeys(platforms))).values() for p in items]
    if problems:
        raise MediaRejected(" ".join(problems), code="unsuitable")
    checksum = _checksum(file)
    thumbnail = _thumbnail(file) if info.kind == "image" else None
    stored: list = []
    try:
        with transaction.atomic():
            asset = MediaAsset(
                workspace=workspace,
                original_name=(info.filename or "")[:255],
                kind=info.kind,
                mime=info.mime,
                size=info.size,
                width=info.width,
                height=info.height,
                duration_seconds=info.duration_seconds,
                frames=info.frames,
                checksum=checksum,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                alt_text=alt_text or "",
            )
            asset.file.save(info.filename or "upload", file, save=False)
            stored.append(asset.file)
            if thumbnail is not None:
                asset.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)
                stored.append(asset.thumbnail)
            asset.save()
            audit_record(
                actor=actor,
                action="media.upload",
                target=asset,
                workspace=workspace,
                after={"kind": asset.kind, "mime": asset.mime, "size": asset.size, "checksum": checksum},
            )
    except BaseException:
        for field_file in stored:  # the row was not written: leave no orphan file behind
            field_file.storage.delete(field_file.name)
        raise
    return asset


@transaction.atomic
def media_update(*, actor, media: MediaAsset, alt_text: str) -> MediaAsset:
    """Change a library asset's alt text. The alt text is sent with the file, so it is part of what every
    post using the asset publishes: each such post gets a new version and loses an approval that covered
    the old text (the same hook as an edit). Refused (409) while a post using it is being published."""
    alt_text = alt_text or ""
    if alt_text == media.alt_text:
        return media
    post_ids = sorted(
        set(
            PostTargetMedia.objects.filter(media=media, target__post__deleted_at__isnull=True).values_list(
                "target__post_id", flat=True
            )
        )
    )
    # The one lock order: posts, then their targets (as every edit and the publishing pipeline).
    posts = list(Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk"))
    busy = (
        PostTarget.objects.filter(post_id__in=post_ids, media_links__media=media, status__in=LOCKED_STATUSES)
        .exclude(status=S.PUBLISHED)
        .select_related("post")
        .first()
    )
    if busy is not None:
        raise Conflict(
            _("“%(post)s” is being published with this file; change its alt text once that is done.")
            % {"post": busy.post},
            code="media_being_published",
            field="alt_text",
        )
    before = media.alt_text
    media.alt_text = alt_text
    media.save(update_fields=["alt_text", "updated_at"])
    audit_record(
        actor=actor,
        action="media.update",
        target=media,
        workspace=media.workspace,
        before={"alt_text": before},
        after={"alt_text": media.alt_text, "posts": post_ids},
    )
    for post in posts:
        if post.status == S.PUBLISHED:
            continue
        loaded = _load(post)
        for target in loaded.targets.all():  # an approval covers the whole post, as after an edit
            if target.status in (S.APPROVED, S.IN_REVIEW):
                _move(target, S.DRAFT)
        post.version += 1
        _record_version(
            post, actor=actor, summary=_("Changed: alt text of %(name)s") % {"name": media}, loaded=None
        )
        hooks.on_post_edited(post, actor=actor, content_changed=True)
    return media


def media_delete(*, actor, media: MediaAsset) -> None:
    """Delete an asset no live post uses (files go after the commit)."""
    with transaction.atomic():
        in_use = PostTargetMedia.objects.filter(media=media, target__post__deleted_at__isnull=True).exists()
        if in_use:
            raise Conflict(
                _("This media is used by a post; remove it from the post first."), code="media_in_use"
            )
        PostTargetMedia.objects.filter(media=media).delete()
        names = [f.name for f in (media.file, media.thumbnail) if f]
        storage = media.file.storage
        audit_record(
            actor=actor,
            action="media.delete",
            target=media,
            workspace=media.workspace,
            before={"name": media.original_name, "checksum": media.checksum},
        )
        media.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


# --- campaigns, tags, banned words, slots -----------------------------------------------------------


def _owner(workspace: Workspace, value) -> WorkspaceMember | None:
    if value in (None, ""):
        return None
    (member_id,) = _ids(value, field="owner")
    owner = WorkspaceMember.objects.filter(workspace=workspace, pk=member_id).first()
    if owner is None:
        raise ValidationFailed(
            _("No member with id %(id)s in this workspace.") % {"id": member_id},
            code="not_in_workspace",
            field="owner",
        )
    return owner


def _check_dates(starts_on, ends_on) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The campaign must end on or after its start."), field="ends_on")


def _unique(save, *, field: str, message: str):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationFailed(message, code="duplicate", field=field) from None


@transaction.atomic
def campaign_create(
    *,
    actor,
    workspace: Workspace,
    name: str,
    starts_on=None,
    ends_on=None,
    objective: str = "",
    owner=None,
    color: str = "",
) -> Campaign:
    _check_dates(starts_on, ends_on)
    campaign = Campaign(
        workspace=workspace,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        objective=objective or "",
        owner=_owner(workspace, owner),
        **({"color": color} if color else {}),
    )
    _unique(campaign.save, field="name", message=_("A campaign with this name exists."))
    audit_record(
        actor=actor, action="campaign.create", target=campaign, workspace=workspace, after={"name": name}
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **changes) -> Campaign:
    workspace = campaign.workspace
    if "owner" in changes:
        changes["owner"] = _owner(workspace, changes["owner"])
    before = {k: str(getattr(campaign, k)) for k in changes}
    for key, value in changes.items():
        setattr(campaign, key, value)
    _check_dates(campaign.starts_on, campaign.ends_on)
    _unique(campaign.save, field="name", message=_("A campaign with this name exists."))
    audit_record(
        actor=actor,
        action="campaign.update",
        target=campaign,
        workspace=workspace,
        before=before,
        after={k: str(getattr(campaign, k)) for k in changes},
    )
    return campaign


@transaction.atomic
def campaign_delete(*, actor, campaign: Campaign) -> None:
    audit_record(
        actor=actor,
        action="campaign.delete",
        target=campaign,
        workspace=campaign.workspace,
        before={"name": campaign.name},
    )
    campaign.delete()


@transaction.atomic
def tag_group_create(
    *, actor, workspace: Workspace, name: str, required: bool = False, exclusive: bool = False
) -> TagGroup:
    group = TagGroup(workspace=workspace, name=name, required=required, exclusive=exclusive)
    _unique(group.save, field="name", message=_("A tag group with this name exists."))
    audit_record(
        actor=actor,
        action="tag_group.create",
        target=group,
        workspace=workspace,
        after={"name": name, "required": required, "exclusive": exclusive},
    )
    return group


@transaction.atomic
def tag_group_update(*, actor, group: TagGroup, **changes) -> TagGroup:
    before = {k: getattr(group, k) for k in changes}
    for key, value in changes.items():
        setattr(group, key, value)
    _unique(group.save, field="name", message=_("A tag group with this name exists."))
    audit_record(
        actor=actor,
        action="tag_group.update",
        target=group,
        workspace=group.workspace,
        before=before,
        after=changes,
    )
    return group


@transaction.atomic
def tag_group_delete(*, actor, group: TagGroup) -> None:
    audit_record(
        actor=actor,
        action="tag_group.delete",
        target=group,
        workspace=group.workspace,
        before={"name": group.name},
    )
    group.delete()


@transaction.atomic
def tag_create(*, actor, workspace: Workspace, group, name: str, color: str = "") -> Tag:
    (group_id,) = _ids(group, field="group")
    group_obj = _fetch(TagGroup, workspace, [group_id], field="group", label=_("tag group"))[group_id]
    tag = Tag(workspace=workspace, group=group_obj, name=name, **({"color": color} if color else {}))
    _unique(tag.save, field="name", message=_("This group already has a tag with this name."))
    audit_record(
        actor=actor,
        action="tag.create",
        target=tag,
        workspace=workspace,
        after={"name": name, "group": group_id},
    )
    return tag


@transaction.atomic
def tag_update(*, actor, tag: Tag, **changes) -> Tag:
    workspace = tag.workspace
    if "group" in changes:
        (group_id,) = _ids(changes["group"], field="group")
        changes["group"] = _fetch(TagGroup, workspace, [group_id], field="group", label=_("tag group"))[
            group_id
        ]
    before = {k: str(getattr(tag, k)) for k in changes}
    for key, value in changes.items():
        setattr(tag, key, value)
    _unique(tag.save, field="name", message=_("This group already has a tag with this name."))
    audit_record(
        actor=actor,
        action="tag.update",
        target=tag,
        workspace=workspace,
        before=before,
        after={k: str(getattr(tag, k)) for k in changes},
    )
    return tag


@transaction.atomic
def tag_delete(*, actor, tag: Tag) -> None:
    audit_record(
        actor=actor, action="tag.delete", target=tag, workspace=tag.workspace, before={"name": tag.name}
    )
    tag.delete()


@transaction.atomic
def banned_word_create(
    *,
    actor,
    workspace: Workspace,
    word: str,
    severity: str = BannedWord.Severity.BLOCKING,
    note: str = "",
    word_list=None,
) -> BannedWord:
    word = (word or "").strip()
    if not word:
        raise ValidationFailed(_("This field may not be blank."), field="word")
    list_obj = None
    if word_list not in (None, ""):
        (list_id,) = _ids(word_list, field="word_list")
        list_obj = _fetch(BannedWordList, workspace, [list_id], field="word_list", label=_("word list"))[
            list_id
        ]
    banned = BannedWord(
        workspace=workspace, word=word, severity=severity, note=note or "", word_list=list_obj
    )
    _unique(banned.save, field="word", message=_("This word is already on the list."))
    audit_record(
        actor=actor,
        action="banned_word.create",
        target=banned,
        workspace=workspace,
        after={"word": word, "severity": severity},
    )
    return banned


@transaction.atomic
def banned_word_update(*, actor, banned_word: BannedWord, **changes) -> BannedWord:
    before = {k: getattr(banned_word, k) for k in changes}
    for key, value in changes.items():
        setattr(banned_word, key, value)
    _unique(banned_word.save, field="word", message=_("This word is already on the list."))
    audit_record(
        actor=actor,
        action="banned_word.update",
        target=banned_word,
        workspace=banned_word.workspace,
        before=before,
        after=changes,
    )
    return banned_word


@transaction.atomic
def banned_word_delete(*, actor, banned_word: BannedWord) -> None:
    audit_record(
        actor=actor,
        action="banned_word.delete",
        target=banned_word,
        workspace=banned_word.workspace,
        before={"word": banned_word.word},
    )
    banned_word.delete()


@transaction.atomic
def posting_slot_create(*, actor, workspace: Workspace, account, weekday: int, time) -> PostingSlot:
    (account_id,) = _ids(account, field="account")
    account_obj = _fetch(SocialAccount, workspace, [account_id], field="account", label=_("account"))[
        account_id
    ]
    if not 0 <= int(weekday) <= 6:
        raise ValidationFailed(_("Weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
    slot = PostingSlot(workspace=workspace, account=account_obj, weekday=weekday, time=time)
    _unique(slot.save, field="time", message=_("This account already has a slot at that time."))
    audit_record(
        actor=actor,
        action="posting_slot.create",
        target=slot,
        workspace=workspace,
        after={"account": account_id, "weekday": weekday, "time": str(time)},
    )
    return slot


@transaction.atomic
def posting_slot_delete(*, actor, slot: PostingSlot) -> None:
    audit_record(
        actor=actor,
        action="posting_slot.delete",
        target=slot,
        workspace=slot.workspace,
        before={"account": slot.account_id, "weekday": slot.weekday, "time": str(slot.time)},
    )
    slot.delete()


# --- iCal feeds -------------------------------------------------------------------------------------


def ical_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def ical_feed_create(*, actor, name: str = "") -> tuple[IcalFeed, str]:
    """A new private feed for the actor; returns it and its secret (shown once, only its hash is kept)."""
    secret = secrets.token_urlsafe(32)
    feed = IcalFeed.objects.create(
        user=actor, name=name or "", prefix=secret[:8], secret_hash=ical_secret_hash(secret)
    )
    audit_record(actor=actor, action="ical_feed.create", target=feed, after={"prefix": feed.prefix})
    return feed, secret


@transaction.atomic
def ical_feed_revoke(*, actor, feed: IcalFeed) -> IcalFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="ical_feed.revoke", target=feed, before={"prefix": feed.prefix})
    return feed

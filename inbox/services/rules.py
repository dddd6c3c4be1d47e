"""The workspace's inbox rules: create, change, reorder, delete (atomic, audited), and a dry run over a
sample message (what the rules page's "test" shows). Applying them to new messages is rule_apply."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from core import tenancy
from core.audit import audit_record, snapshot
from core.errors import ValidationFailed

from ..models import InboxRule, ItemKind, Priority, Sentiment
from ..rule_match import Sample, rule_matches
from ..sentiment import sentiment_of

FIELDS = [
    "name",
    "enabled",
    "keywords",
    "account",
    "kind",
    "min_followers",
    "vip",
    "sentiment",
    "add_tags",
    "assign_to",
    "assign_team",
    "set_priority",
    "close",
    "hide",
    "stop",
]
MAX_RULES = 200
MAX_WORDS = 50
MAX_WORD_LENGTH = 60


def can_work(*, workspace, user) -> bool:
    """Whether rules may give this person items: they can answer fans in this workspace."""
    access = tenancy.workspace_access_for(user=user, workspace_id=workspace.pk)
    return access is not None and access.can(C.INBOX_REPLY)


def _words(value, *, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed(_("Give a list of words."), field=field)
    cleaned: list[str] = []
    for word in value:
        word = str(word).strip()
        if not word:
            continue
        if len(word) > MAX_WORD_LENGTH:
            raise ValidationFailed(
                _("Each entry has at most %(limit)s characters.") % {"limit": MAX_WORD_LENGTH}, field=field
            )
        if word not in cleaned:
            cleaned.append(word)
    if len(cleaned) > MAX_WORDS:
        raise ValidationFailed(_("At most %(limit)s entries.") % {"limit": MAX_WORDS}, field=field)
    return cleaned


def _person(workspace, value, *, field: str):
    if value in (None, ""):
        return None
    user = value if hasattr(value, "pk") else get_user_model().objects.filter(pk=value).first()
    if user is None or not can_work(workspace=workspace, user=user):
        raise ValidationFailed(_("This person cannot answer fans in this workspace."), field=field)
    return user


def _account(workspace, value):
    if value in (None, ""):
        return None
    from channels_app.models import SocialAccount

    account_id = value.pk if hasattr(value, "pk") else value
    account = SocialAccount.objects.filter(workspace=workspace, pk=account_id).first()
    if account is None:
        raise ValidationFailed(_("Choose one of this workspace's accounts."), field="account")
    return account


def _apply_changes(rule: InboxRule, workspace, changes: dict) -> None:
    for name, value in changes.items():
        if name not in FIELDS:
            raise ValueError(name)
        if name == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationFailed(_("Give the rule a name."), field="name")
            if len(value) > 80:
                raise ValidationFailed(_("A name has at most 80 characters."), field="name")
        elif name in ("keywords", "vip", "add_tags"):
            value = _words(value, field=name)
        elif name == "account":
            value = _account(workspace, value)
        elif name == "assign_to":
            value = _person(workspace, value, field="assign_to")
        elif name == "assign_team":
            people = [_person(workspace, v, field="assign_team") for v in (value or [])]
            value = list(dict.fromkeys(p.pk for p in people if p is not None))
        elif name == "kind" and value and value not in ItemKind.values:
            raise ValidationFailed(_("Choose a kind of message."), field="kind")
        elif name == "sentiment" and value and value not in Sentiment.values:
            raise ValidationFailed(_("Choose positive, neutral or negative."), field="sentiment")
        elif name == "set_priority" and value and value not in Priority.values:
            raise ValidationFailed(_("Choose low, normal, high or urgent."), field="set_priority")
        elif name == "min_followers" and value is not None and value < 0:
            raise ValidationFailed(_("Give a number of followers, 0 or more."), field="min_followers")
        elif name in ("kind", "sentiment", "set_priority"):
            value = value or ""
        setattr(rule, name, value)
    if rule.assign_to_id and rule.assign_team:
        raise ValidationFailed(
            _("Assign to one person or round-robin over a team, not both."), field="assign_team"
        )
    acts = (rule.add_tags, rule.assign_to_id, rule.assign_team, rule.set_priority, rule.close, rule.hide)
    if not any(acts):
        raise ValidationFailed(_("Choose at least one thing the rule does."), field="add_tags")


def _record(rule: InboxRule) -> dict:
    data = snapshot(rule, [f for f in FIELDS if f not in ("account", "assign_to")])
    data["account"] = rule.account_id
    data["assign_to"] = rule.assign_to_id
    return data


@transaction.atomic
def inbox_rule_create(*, workspace, actor, **changes) -> InboxRule:
    if InboxRule.objects.filter(workspace=workspace).count() >= MAX_RULES:
        raise ValidationFailed(_("At most %(limit)s rules.") % {"limit": MAX_RULES}, field="name")
    last = InboxRule.objects.filter(workspace=workspace).aggregate(last=Max("position"))["last"]
    rule = InboxRule(workspace=workspace, position=0 if last is None else last + 1)
    _apply_changes(rule, workspace, {"name": changes.pop("name", ""), **changes})
    rule.save()
    audit_record(
        actor=actor, action="inbox.rule_create", target=rule, workspace=workspace, after=_record(rule)
    )
    return rule


@transaction.atomic
def inbox_rule_update(*, workspace, actor, rule: InboxRule, **changes) -> InboxRule:
    if rule.workspace_id != workspace.pk:
        raise ValueError("the rule is not in this workspace")
    rule = InboxRule.objects.select_for_update().get(pk=rule.pk)
    before = _record(rule)
    _apply_changes(rule, workspace, changes)
    if "assign_team" in changes and rule.round_robin_last not in rule.assign_team:
        rule.round_robin_last = None
    rule.save()
    after = _record(rule)
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        audit_record(
            actor=actor,
            action="inbox.rule_update",
            target=rule,
            workspace=workspace,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return rule


@transaction.atomic
def inbox_rule_delete(*, workspace, actor, rule: InboxRule) -> None:
    if rule.workspace_id != workspace.pk:
        raise ValueError("the rule is not in this workspace")
    audit_record(
        actor=actor, action="inbox.rule_delete", target=rule, workspace=workspace, before=_record(rule)
    )
    rule.delete()


@transaction.atomic
def inbox_rules_reorder(*, workspace, actor, rule_ids: list[int]) -> list[InboxRule]:
    """Put the workspace's rules in this order (every rule, each once)."""
    rules = {r.pk: r for r in InboxRule.objects.select_for_update().filter(workspace=workspace)}
    if sorted(rule_ids) != sorted(rules) or len(set(rule_ids)) != len(rule_ids):
        raise ValidationFailed(_("List every rule of this workspace once."), field="rules")
    before = [r.pk for r in sorted(rules.values(), key=lambda r: (r.position, r.pk))]
    ordered = [rules[pk] for pk in rule_ids]
    for position, rule in enumerate(ordered):
        if rule.position != position:
            rule.position = position
            rule.save(update_fields=["position", "updated_at"])
    if before != list(rule_ids):
        audit_record(
            actor=actor,
            action="inbox.rules_reorder",
            target=None,
            workspace=workspace,
            before={"rules": before},
            after={"rules": list(rule_ids)},
        )
    return ordered


def inbox_rule_move(*, workspace, actor, rule: InboxRule, direction: str) -> list[InboxRule]:
    """One place up or down (the page's arrows)."""
    ordered = InboxRule.objects.filter(workspace=workspace).order_by("position", "id")
    ids = list(ordered.values_list("pk", flat=True))
    index = ids.index(rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return inbox_rules_reorder(workspace=workspace, actor=actor, rule_ids=ids)


def inbox_rules_test(workspace, *, sample: Sample) -> list[InboxRule]:
    """The enabled rules that would act on the sample, in order (a stop rule ends the list). The sample's
    sentiment is computed from its text when not given, as ingest does. The sample's account, if any, is
    one of the workspace's (another tenant's id is a field error)."""
    if sample.account_id is not None:
        _account(workspace, sample.account_id)
    if not sample.sentiment:
        label, _score = sentiment_of(sample.text)
        sample = Sample(**{**sample.__dict__, "sentiment": label})
    matched = []
    for rule in InboxRule.objects.filter(workspace=workspace, enabled=True).order_by("position", "id"):
        if rule_matches(rule, sample):
            matched.append(rule)
            if rule.stop:
                break
    return matched

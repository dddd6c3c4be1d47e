"""Which workflow applies to a post, and whether a stage's condition matches it.

Policy rules are tried in `position` order; the first rule that matches decides (its workflow, or "no
approval" when the rule has none). A rule whose workflow is switched off is passed over. No rule matches:
the post needs no approval.

A stage condition is a dict; every key present must match (AND), each list matches when any of its
items does (OR). An empty condition always matches.
  accounts: [social account ids]      platforms: ["weibo", ...]      campaigns: [campaign ids]
  tags: [tag ids]                     compliance_findings: true (any warning or blocking finding)
  keywords: ["最", "guarantee", ...] (case-insensitive, in any variant's text or first comment)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed

from .models import ApprovalPolicyRule, ApprovalWorkflow

CONDITION_KEYS = frozenset({"accounts", "platforms", "campaigns", "tags", "compliance_findings", "keywords"})


@dataclass(frozen=True)
class PostFacts:
    """What conditions look at, read once per post."""

    account_ids: frozenset[int]
    platforms: frozenset[str]
    campaign_id: int | None
    tag_ids: frozenset[int]
    has_findings: bool
    texts: tuple[str, ...]

    @classmethod
    def of(cls, post) -> PostFacts:
        targets = list(post.targets.all())
        findings = (post.compliance or {}).get("findings") or []
        return cls(
            account_ids=frozenset(t.account_id for t in targets),
            platforms=frozenset(t.account.platform for t in targets),
            campaign_id=post.campaign_id,
            tag_ids=frozenset(t.pk for t in post.tags.all()),
            has_findings=any(f.get("severity") in ("blocking", "warning") for f in findings),
            texts=tuple(s for t in targets for s in (t.text, t.first_comment) if s),
        )


def validate_condition(condition) -> dict:
    if condition in (None, ""):
        return {}
    if not isinstance(condition, dict):
        raise ValidationFailed(_("A condition is an object."), field="condition")
    unknown = set(condition) - CONDITION_KEYS
    if unknown:
        raise ValidationFailed(
            _("Unknown condition keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}, field="condition"
        )
    for key in CONDITION_KEYS - {"compliance_findings"}:
        if key in condition and not isinstance(condition[key], list):
            raise ValidationFailed(_("%(key)s must be a list.") % {"key": key}, field="condition")
    for key in ("accounts", "campaigns", "tags"):
        if any(not isinstance(v, int) for v in condition.get(key, [])):
            raise ValidationFailed(_("%(key)s must be a list of ids.") % {"key": key}, field="condition")
    if "compliance_findings" in condition and not isinstance(condition["compliance_findings"], bool):
        raise ValidationFailed(_("compliance_findings is true or false."), field="condition")
    return condition


def condition_matches(condition: dict, facts: PostFacts) -> bool:
    if not condition:
        return True
    if "accounts" in condition and not facts.account_ids & set(condition["accounts"]):
        return False
    if "platforms" in condition and not facts.platforms & set(condition["platforms"]):
        return False
    if "campaigns" in condition and facts.campaign_id not in set(condition["campaigns"]):
        return False
    if "tags" in condition and not facts.tag_ids & set(condition["tags"]):
        return False
    if "compliance_findings" in condition and bool(condition["compliance_findings"]) != facts.has_findings:
        return False
    if "keywords" in condition:
        haystack = "\n".join(facts.texts).casefold()
        if not any(str(k).casefold() in haystack for k in condition["keywords"] if str(k).strip()):
            return False
    return True


def workflow_for_post(post) -> ApprovalWorkflow | None:
    """The workflow this post must pass, or None when it needs no approval (see the module docstring)."""
    rules = (
        ApprovalPolicyRule.objects.filter(workspace_id=post.workspace_id)
        .select_related("workflow")
        .prefetch_related("accounts")
    )
    account_ids = {t.account_id for t in post.targets.all()}
    for rule in rules:
        if rule.workflow is not None and not rule.workflow.active:
            continue
        if rule.scope == ApprovalPolicyRule.Scope.ACCOUNTS and not account_ids & {
            a.pk for a in rule.accounts.all()
        }:
            continue
        return rule.workflow
    return None

"""Which workflow applies to a post, and whether a stage's condition matches it.

Policy rules are tried in `position` order; the first rule that matches decides (its workflow, or "no
approval" when the rule has none). A rule whose workflow is switched off is passed over. No rule matches:
the post needs no approval.

A stage condition is a dict; every key present must match (AND; with `"match": "any"`, one key matching
is enough), each list matches when any of its items does (OR). An empty condition always matches.
  accounts: [social account ids]      platforms: ["weibo", ...]      campaigns: [campaign ids]
  tags: [tag ids]                     compliance_findings: true (any warning or blocking finding)
  keywords: ["最", "guarantee", ...] (case-insensitive, in any variant's text or first comment)
  finding_kinds: ["adlaw", ...] (a warning or blocking finding of any of these kinds: FINDING_KINDS), so
    legal sees every post with an advertising-law finding whatever words it uses
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed

from .models import ApprovalPolicyRule, ApprovalWorkflow

CONDITION_KEYS = frozenset(
    {
        "accounts",
        "platforms",
        "campaigns",
        "tags",
        "compliance_findings",
        "keywords",
        "finding_kinds",
        "match",
    }
)

# A finding's kind, from its rule: China's Advertising Law terms, the workspace's banned words, a missing
# paid/KOL disclosure, a link blocked in mainland China, or a platform's own limits ("x.text_length").
FINDING_KINDS = ("adlaw", "banned_word", "disclosure", "blocked_link", "platform_limits")
FINDING_KIND_LABELS = {
    "adlaw": _("Advertising Law"),
    "banned_word": _("Banned words"),
    "disclosure": _("Missing paid/KOL disclosure"),
    "blocked_link": _("Link blocked in mainland China"),
    "platform_limits": _("Platform limits"),
}
_KIND_BY_PREFIX = {
    "adlaw.": "adlaw",
    "banned_word": "banned_word",
    "disclosure.": "disclosure",
    "link.": "blocked_link",
}


def finding_kind(rule: str) -> str:
    for prefix, kind in _KIND_BY_PREFIX.items():
        if rule.startswith(prefix):
            return kind
    return "platform_limits"


@dataclass(frozen=True)
class PostFacts:
    """What conditions look at, read once per post."""

    account_ids: frozenset[int]
    platforms: frozenset[str]
    campaign_id: int | None
    tag_ids: frozenset[int]
    has_findings: bool
    texts: tuple[str, ...]
    finding_kinds: frozenset[str] = frozenset()

    @classmethod
    def of(cls, post) -> PostFacts:
        targets = list(post.targets.all())
        findings = (post.compliance or {}).get("findings") or []
        noted = [f for f in findings if f.get("severity") in ("blocking", "warning")]
        return cls(
            account_ids=frozenset(t.account_id for t in targets),
            platforms=frozenset(t.account.platform for t in targets),
            campaign_id=post.campaign_id,
            tag_ids=frozenset(t.pk for t in post.tags.all()),
            has_findings=bool(noted),
            texts=tuple(s for t in targets for s in (t.text, t.first_comment) if s),
            finding_kinds=frozenset(finding_kind(f.get("rule") or "") for f in noted),
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
    if condition.get("match", "all") not in ("all", "any"):
        raise ValidationFailed(_('match is "all" or "any".'), field="condition")
    for key in CONDITION_KEYS - {"compliance_findings", "match"}:
        if key in condition and not isinstance(condition[key], list):
            raise ValidationFailed(_("%(key)s must be a list.") % {"key": key}, field="condition")
    for key in ("accounts", "campaigns", "tags"):
        if any(not isinstance(v, int) for v in condition.get(key, [])):
            raise ValidationFailed(_("%(key)s must be a list of ids.") % {"key": key}, field="condition")
    if "compliance_findings" in condition and not isinstance(condition["compliance_findings"], bool):
        raise ValidationFailed(_("compliance_findings is true or false."), field="condition")
    unknown_platforms = set(map(str, condition.get("platforms", []))) - set(settings.PLATFORM_KEYS)
    if unknown_platforms:
        raise ValidationFailed(
            _("Unknown platforms: %(platforms)s.") % {"platforms": ", ".join(sorted(unknown_platforms))},
            field="condition",
        )
    if any(not isinstance(k, str) or not k.strip() for k in condition.get("keywords", [])):
        raise ValidationFailed(_("Each keyword is a word or phrase."), field="condition")
    unknown_kinds = set(map(str, condition.get("finding_kinds", []))) - set(FINDING_KINDS)
    if unknown_kinds:
        raise ValidationFailed(
            _("Unknown finding kinds: %(kinds)s (known: %(known)s).")
            % {"kinds": ", ".join(sorted(unknown_kinds)), "known": ", ".join(FINDING_KINDS)},
            field="condition",
        )
    return condition


def condition_checks(condition: dict, facts: PostFacts) -> list[tuple[str, object, bool]]:
    """Each key of the condition with its value and whether the post matches it (the "why" of a route:
    approvals.routing.route_explained)."""
    return [
        (key, condition[key], _key_matches(key, condition[key], facts))
        for key in condition or {}
        if key != "match"
    ]


def condition_matches(condition: dict, facts: PostFacts) -> bool:
    results = [matched for _key, _value, matched in condition_checks(condition, facts)]
    if not results:
        return True
    return any(results) if (condition or {}).get("match") == "any" else all(results)


def _key_matches(key: str, value, facts: PostFacts) -> bool:
    if key == "accounts":
        return bool(facts.account_ids & set(value))
    if key == "platforms":
        return bool(facts.platforms & set(value))
    if key == "campaigns":
        return facts.campaign_id in set(value)
    if key == "tags":
        return bool(facts.tag_ids & set(value))
    if key == "compliance_findings":
        return bool(value) == facts.has_findings
    if key == "finding_kinds":
        return bool(facts.finding_kinds & set(value))
    if key == "keywords":
        haystack = "\n".join(facts.texts).casefold()
        return any(str(k).casefold() in haystack for k in value if str(k).strip())
    return True


def workflow_for_post(post, *, rules=None) -> ApprovalWorkflow | None:
    """The workflow this post must pass, or None when it needs no approval (see the module docstring)."""
    rule = policy_rule_for_post(post, rules=rules)
    return rule.workflow if rule is not None else None


def policy_rules(workspace_id: int) -> list[ApprovalPolicyRule]:
    """The workspace's policy rules in their order, with what matching and routing read (accounts, the
    workflow and its stages): read once for a batch of posts (approvals.gate.publish_gates)."""
    return list(
        ApprovalPolicyRule.objects.filter(workspace_id=workspace_id)
        .select_related("workflow")
        .prefetch_related("accounts", "workflow__stages")
    )


def policy_rule_for_post(post, *, rules=None) -> ApprovalPolicyRule | None:
    """The first policy rule that matches the post (its workflow decides), or None when none does.
    `rules`: the workspace's `policy_rules`, when the caller already read them."""
    if rules is None:
        rules = policy_rules(post.workspace_id)
    account_ids = {t.account_id for t in post.targets.all()}
    for rule in rules:
        if rule.workflow is not None and not rule.workflow.active:
            continue
        if rule.scope == ApprovalPolicyRule.Scope.ACCOUNTS and not account_ids & {
            a.pk for a in rule.accounts.all()
        }:
            continue
        return rule
    return None

"""Which stages a post must pass, and whether an approval still covers them.

A request records how it was routed (`ApprovalRequest.routing`): the workflow, its version, the stages
whose conditions matched and the facts they looked at. Campaign, tags, accounts, compliance findings (the
paid flag), the workflow's stages and the workspace's policy can all change after approval without
changing the content; each such change can make another stage apply (HQ for a campaign). The gate asks
`missing_stages` before scheduling and at the publish step, and services.approval_reroute re-opens the
request for exactly the stages that now apply and have not approved it, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import (
    PostFacts,
    condition_checks,
    condition_matches,
    policy_rule_for_post,
    workflow_for_post,
)
from .models import ApprovalRequest, StageStatus

# Stage states that mean "this stage was part of the route" (skipped and cancelled ones were not).
_ROUTED = (
    StageStatus.WAITING,
    StageStatus.IN_PROGRESS,
    StageStatus.APPROVED,
    StageStatus.CARRIED_OVER,
    StageStatus.CHANGES_REQUESTED,
    StageStatus.REJECTED,
)


@dataclass(frozen=True)
class Routing:
    workflow: object | None  # ApprovalWorkflow, or None when the post needs no approval
    stage_ids: frozenset[int]
    facts: dict

    @property
    def workflow_id(self) -> int | None:
        return self.workflow.pk if self.workflow is not None else None

    def as_json(self) -> dict:
        return {
            "workflow": self.workflow_id,
            "workflow_version": self.workflow.version if self.workflow is not None else None,
            "stages": sorted(self.stage_ids),
            "facts": self.facts,
        }


def facts_json(facts: PostFacts) -> dict:
    return {
        "accounts": sorted(facts.account_ids),
        "platforms": sorted(facts.platforms),
        "campaign": facts.campaign_id,
        "tags": sorted(facts.tag_ids),
        "compliance_findings": facts.has_findings,
        "finding_kinds": sorted(facts.finding_kinds),
    }


def routing_for_post(post, *, rules=None) -> Routing:
    """The route a post takes now (post loaded with its targets and their accounts, and its tags).
    `rules`: the workspace's policy rules (conditions.policy_rules), when already read."""
    facts = PostFacts.of(post)
    workflow = workflow_for_post(post, rules=rules)
    if workflow is None:
        return Routing(None, frozenset(), facts_json(facts))
    stages = frozenset(s.pk for s in workflow.stages.all() if condition_matches(s.condition, facts))
    return Routing(workflow, stages, facts_json(facts))


def route_preview(post) -> dict | None:
    """What "Submit for approval" will do: the workflow and the names of the stages that apply, in order
    (the stages whose conditions do not match are skipped and listed apart, so nobody wonders why)."""
    from content.models import Post

    loaded = Post.objects.prefetch_related("targets__account", "tags").get(pk=post.pk)
    routing = routing_for_post(loaded)
    if routing.workflow is None:
        return None
    stages = list(routing.workflow.stages.all())
    return {
        "workflow": routing.workflow.name,
        "stages": [s.name for s in stages if s.pk in routing.stage_ids],
        "skipped": [s.name for s in stages if s.pk not in routing.stage_ids],
    }


def route_explained(post) -> dict:
    """Why a post would take the route it takes if submitted now: the policy rule that picks the workflow
    (or None: no approval needed), and for each stage in order whether it is taken and, key by key of its
    condition, what matched and what did not. The same functions as the submit path
    (services.approval_request_submit): workflow_for_post's rule order, PostFacts, condition_matches."""
    from content.models import Post
    from content.selectors import with_relations

    loaded = with_relations(Post.objects.filter(pk=post.pk)).get()
    facts = PostFacts.of(loaded)
    rule = policy_rule_for_post(loaded)
    workflow = rule.workflow if rule is not None else None
    stages = []
    if workflow is not None:
        for stage in workflow.stages.all():
            condition = stage.condition or {}
            stages.append(
                {
                    "stage": stage,
                    "taken": condition_matches(condition, facts),
                    "match": condition.get("match", "all"),
                    "checks": [
                        {"key": key, "value": value, "matched": matched}
                        for key, value, matched in condition_checks(condition, facts)
                    ],
                }
            )
    return {"post": loaded, "rule": rule, "workflow": workflow, "stages": stages, "facts": facts}


def recorded_routing(request: ApprovalRequest) -> dict:
    """The route the request took; for requests made before routes were recorded, read from its stage
    states."""
    if request.routing:
        return request.routing
    stages = request.stage_states.filter(status__in=_ROUTED, stage__isnull=False).values_list(
        "stage_id", flat=True
    )
    return {"workflow": request.workflow_id, "stages": sorted(stages), "facts": {}}


def missing_stages(request: ApprovalRequest, routing: Routing) -> list[int]:
    """Stage ids that apply now and that the request's route did not include (all of the new workflow's
    when the policy now picks another workflow)."""
    if routing.workflow is None:
        return []
    recorded = recorded_routing(request)
    if recorded.get("workflow") != routing.workflow_id:
        return sorted(routing.stage_ids)
    return sorted(routing.stage_ids - set(recorded.get("stages") or []))


def why_rerouted(recorded: dict, routing: Routing) -> list[str]:
    """What changed since the request was routed: "workflow", "campaign", "tags", "accounts",
    "platforms", "compliance_findings" (the keys of the facts), for the audit log and the message."""
    reasons = []
    if recorded.get("workflow") != routing.workflow_id or recorded.get("workflow_version") not in (
        None,
        getattr(routing.workflow, "version", None),
    ):
        reasons.append("workflow")
    before = recorded.get("facts") or {}
    for key, value in routing.facts.items():
        if key in before and before[key] != value:
            reasons.append(key)
    return reasons or ["policy"]

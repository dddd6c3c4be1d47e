"""Settings → Approval workflows: the workflows with their stages, the approval policy (which posts need
approval, through which workflow), a route preview for an existing post, and the create / edit page.

Writes go through the services the API calls (approvals.services.workflows: the same validation and the
same audit entries); their field errors land next to the form fields (400). The preview calls
approvals.routing.route_explained, which uses the submit path's own functions, so an admin sees which
stages a post would take and why each other stage is skipped.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from accounts.roles import Role
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin

from . import selectors, services
from .conditions import FINDING_KIND_LABELS, PostFacts
from .forms import PolicyRuleFormSet, StageForm, StageFormSet, WorkflowForm
from .models import ApprovalPolicyRule, ApprovalStage, ApprovalWorkflow
from .routing import route_explained

CONDITION_LABELS = {
    "finding_kinds": gettext_lazy("Compliance findings"),
    "keywords": gettext_lazy("Keywords"),
    "platforms": gettext_lazy("Platforms"),
    "accounts": gettext_lazy("Accounts"),
    "campaigns": gettext_lazy("Campaigns"),
    "tags": gettext_lazy("Tags"),
    "compliance_findings": gettext_lazy("Compliance warnings"),
}


def _names(workspace) -> dict:
    choices = selectors.workflow_form_choices(workspace)
    return {key: dict(pairs) for key, pairs in choices.items()}, choices


def _value_labels(key: str, value, names: dict) -> list[str]:
    from channels_app.models import PLATFORM_LABELS

    if key == "compliance_findings":
        return [_("with warnings") if value else _("without warnings")]
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    if key == "finding_kinds":
        return [str(FINDING_KIND_LABELS.get(v, v)) for v in sorted(values)]
    if key == "platforms":
        return [str(PLATFORM_LABELS.get(v, v)) for v in sorted(values)]
    if key in ("accounts", "campaigns", "tags"):
        return [names[key].get(v, _("(removed)")) for v in values if v is not None]
    return [str(v) for v in values]


def describe_condition(condition: dict, names: dict) -> dict:
    """A stage's condition as the page says it: each key's label and its values' labels."""
    condition = condition or {}
    return {
        "match": condition.get("match", "all"),
        "parts": [
            {"key": key, "label": CONDITION_LABELS.get(key, key), "values": _value_labels(key, value, names)}
            for key, value in condition.items()
            if key != "match"
        ],
    }


def _rule_label(stage) -> str:
    if stage.rule == ApprovalStage.Rule.QUORUM:
        return _("%(n)s approvals needed") % {"n": stage.quorum}
    return str(ApprovalStage.Rule(stage.rule).label)


def describe_stage(stage, names: dict) -> dict:
    return {
        "stage": stage,
        "people": [u.get_full_name() for u in stage.approver_users.all()],
        "roles": [str(Role(r).label) for r in stage.approver_roles if r in Role.values],
        "emails": stage.approver_emails,
        "rule": _rule_label(stage),
        "condition": describe_condition(stage.condition, names),
    }


def _post_side(key: str, value, facts: PostFacts, names: dict) -> list[str]:
    """What the post has for one condition key (for keywords: which of the stage's words it contains)."""
    if key == "keywords":
        haystack = "\n".join(facts.texts).casefold()
        return [str(k) for k in value if str(k).strip() and str(k).casefold() in haystack]
    have = {
        "finding_kinds": facts.finding_kinds,
        "platforms": facts.platforms,
        "accounts": facts.account_ids,
        "campaigns": [facts.campaign_id] if facts.campaign_id else [],
        "tags": facts.tag_ids,
        "compliance_findings": facts.has_findings,
    }.get(key, [])
    return _value_labels(key, have, names)


def _post_label(post) -> str:
    if post.title:
        return post.title
    texts = [t.text for t in post.targets.all() if t.text]
    return (texts[0][:60] if texts else "") or _("Post %(id)s") % {"id": post.pk}


def route_preview_context(workspace, post_id: int, names: dict) -> dict:
    from content.models import Post

    post = Post.objects.filter(workspace=workspace, pk=post_id, deleted_at__isnull=True).first()
    if post is None:
        raise Http404
    route = route_explained(post)
    facts = route["facts"]
    stages = []
    for item in route["stages"]:
        checks = [
            {
                "label": CONDITION_LABELS.get(c["key"], c["key"]),
                "wanted": _value_labels(c["key"], c["value"], names),
                "post_has": _post_side(c["key"], c["value"], facts, names),
                "matched": c["matched"],
            }
            for c in item["checks"]
        ]
        stages.append({**describe_stage(item["stage"], names), "taken": item["taken"], "checks": checks})
    rule = route["rule"]
    return {
        "post": route["post"],
        "post_label": _post_label(route["post"]),
        "rule": rule,
        "rule_position": (
            list(selectors.policy_rules_of(workspace).values_list("pk", flat=True)).index(rule.pk) + 1
            if rule is not None
            else None
        ),
        "workflow": route["workflow"],
        "stages": stages,
        "taken": [s["stage"].name for s in stages if s["taken"]],
        "post_facts": [
            {"label": _("Platforms"), "values": _value_labels("platforms", facts.platforms, names)},
            {
                "label": _("Compliance findings"),
                "values": _value_labels("finding_kinds", facts.finding_kinds, names),
            },
            {"label": _("Campaigns"), "values": _post_side("campaigns", None, facts, names)},
            {"label": _("Tags"), "values": _value_labels("tags", list(facts.tag_ids), names)},
        ],
    }


def _default_workflow(rules) -> ApprovalWorkflow | None:
    """The workflow of the first rule for all posts: every post no earlier rule catches goes through it."""
    for rule in rules:
        if rule.scope == ApprovalPolicyRule.Scope.ALL:
            return rule.workflow
    return None


def _put_errors(error: DomainError, *, prefix: str, forms: list, top_form=None) -> list[str]:
    """The service's field errors ("stages.1.quorum", "rules.0.accounts", "name") on the form fields they
    name; what has no field comes back as a list for the top of the list."""
    left = []
    for field, field_messages in error.fields.items() or [(None, [error.message])]:
        parts = (field or "").split(".")
        for message in field_messages:
            if parts[0] == prefix and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(forms):
                form = forms[int(parts[1])]
                name = parts[2] if len(parts) > 2 else None
                if name == "condition" and hasattr(form, "condition_errors"):
                    form.condition_errors.append(message)
                elif name is None and "approver_users" in form.fields:
                    form.add_error("approver_users", message)  # "name at least one approver"
                else:
                    form.add_error(name if name in form.fields else None, message)
            elif top_form is not None and field in top_form.fields:
                top_form.add_error(field, message)
            else:
                left.append(message)
    if not error.fields and not left:
        left.append(error.message)
    return left


class WorkflowsPage(WorkspacePageMixin, TemplateView):
    """GET the workflows, the policy and (with ?post=<id>) a post's route explained; POST the policy."""

    template_name = "approvals/settings/workflows.html"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.APPROVAL_MANAGE}

    def _policy_formset(self, data=None, *, choices):
        workflows = [(w.pk, w.name) for w in ApprovalWorkflow.objects.filter(workspace=self.workspace)]
        initial = [
            {"scope": r.scope, "accounts": [a.pk for a in r.accounts.all()], "workflow": r.workflow_id}
            for r in selectors.policy_rules_of(self.workspace)
        ]
        return PolicyRuleFormSet(
            data,
            initial=initial,
            prefix="rules",
            form_kwargs={"accounts": choices["accounts"], "workflows": workflows},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names, choices = _names(self.workspace)
        rules = list(selectors.policy_rules_of(self.workspace))
        default = _default_workflow(rules)
        can_manage = self.access.can(C.APPROVAL_MANAGE)
        if can_manage:
            kwargs.setdefault("policy_formset", self._policy_formset(choices=choices))
        preview = None
        post_id = self.request.GET.get("post", "")
        if post_id.isdigit():
            preview = route_preview_context(self.workspace, int(post_id), names)
        context.update(
            workflows=[
                {
                    "workflow": w,
                    "is_default": default is not None and w.pk == default.pk,
                    "stages": [describe_stage(s, names) for s in w.stages.all()],
                }
                for w in selectors.workflows_of(self.workspace)
            ],
            rules=[
                {
                    "rule": r,
                    "accounts": [names["accounts"].get(a.pk, "") for a in r.accounts.all()],
                }
                for r in rules
            ],
            can_manage=can_manage,
            posts=[(p.pk, _post_label(p)) for p in selectors.posts_for_route_preview(self.workspace)],
            preview=preview,
            selected_post=int(post_id) if post_id.isdigit() else None,
            **kwargs,
        )
        return context

    def post(self, request, workspace_id):
        _names_, choices = _names(self.workspace)
        formset = self._policy_formset(request.POST, choices=choices)
        policy_errors = []
        status = 400
        if formset.is_valid():
            ordered = formset.ordered_forms
            try:
                services.policy_rules_set(
                    actor=request.user, workspace=self.workspace, rules=[f.rule_input() for f in ordered]
                )
            except DomainError as error:
                policy_errors = _put_errors(error, prefix="rules", forms=ordered)
                status = error.status_code
            else:
                messages.success(request, _("Approval policy saved."))
                return redirect("dashboard:approval_workflows", self.workspace.pk)
        context = self.get_context_data(policy_formset=formset, policy_errors=policy_errors)
        return self.render_to_response(context, status=status)


class WorkflowEditPage(WorkspacePageMixin, TemplateView):
    """Create a workflow (no workflow_id) or change one: its settings and its stages in order."""

    template_name = "approvals/settings/workflow_form.html"
    required_capabilities = {"GET": C.APPROVAL_MANAGE, "POST": C.APPROVAL_MANAGE}

    def _workflow(self):
        workflow_id = self.kwargs.get("workflow_id")
        if workflow_id is None:
            return None
        workflow = selectors.workflows_of(self.workspace).filter(pk=workflow_id).first()
        if workflow is None:
            raise Http404
        return workflow

    def _forms(self, workflow, data=None):
        _n, choices = _names(self.workspace)
        initial = [{}] if workflow is None else [StageForm.initial_for(s) for s in workflow.stages.all()]
        form = WorkflowForm(data, initial=WorkflowForm.initial_for(workflow))
        stages = StageFormSet(data, initial=initial, prefix="stages", form_kwargs={"choices": choices})
        return form, stages

    def get_context_data(self, **kwargs):
        workflow = self._workflow()
        if "form" not in kwargs:
            kwargs["form"], kwargs["stages"] = self._forms(workflow)
        context = super().get_context_data(**kwargs)
        context.update(workflow=workflow, **kwargs)
        return context

    def post(self, request, workspace_id, workflow_id=None):
        workflow = self._workflow()
        if "add_stage" in request.POST:
            data = request.POST.copy()
            total = data.get("stages-TOTAL_FORMS", "0")
            index = int(total) if total.isdigit() else 0
            data["stages-TOTAL_FORMS"] = str(index + 1)
            # The new row shows the defaults (a blank row left as it is is not saved).
            for key, value in {
                "rule": "any",
                "quorum": "1",
                "escalate_after_hours": "0",
                "match": "all",
            }.items():
                data[f"stages-{index}-{key}"] = value
            form, stages = self._forms(workflow, data)
            return self.render_to_response(self.get_context_data(form=form, stages=stages))
        form, stages = self._forms(workflow, request.POST)
        stages_errors, status = [], 400
        if form.is_valid() and stages.is_valid():
            ordered = stages.ordered_forms
            fields = dict(form.cleaned_data, stages=[f.stage_input() for f in ordered])
            try:
                if workflow is None:
                    workflow = services.workflow_create(
                        actor=request.user, workspace=self.workspace, **fields
                    )
                else:
                    services.workflow_update(actor=request.user, workflow=workflow, **fields)
            except DomainError as error:
                stages_errors = _put_errors(error, prefix="stages", forms=ordered, top_form=form)
                status = error.status_code
            else:
                messages.success(request, _("Workflow “%(name)s” saved.") % {"name": workflow.name})
                return redirect("dashboard:approval_workflows", self.workspace.pk)
        context = self.get_context_data(form=form, stages=stages, stages_errors=stages_errors)
        return self.render_to_response(context, status=status)


class WorkflowDeleteView(WorkspaceViewMixin, View):
    """Delete a workflow that never had a request (otherwise the service says to switch it off)."""

    required_capabilities = {"POST": C.APPROVAL_MANAGE}

    def post(self, request, workspace_id, workflow_id):
        workflow = ApprovalWorkflow.objects.filter(workspace=self.workspace, pk=workflow_id).first()
        if workflow is None:
            raise Http404
        try:
            services.workflow_delete(actor=request.user, workflow=workflow)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("dashboard:approval_workflow_edit", self.workspace.pk, workflow.pk)
        messages.success(request, _("Workflow “%(name)s” deleted.") % {"name": workflow.name})
        return redirect("dashboard:approval_workflows", self.workspace.pk)

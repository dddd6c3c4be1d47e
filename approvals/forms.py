"""Forms of the approvals pages: the workflows settings page and the review page's comments. They parse
input only: the rules (names, approvers in the workspace, quorum, SLA, conditions; a comment's parent and
mentions) live in approvals.services, for the API and these pages alike, and the services' field errors
are put back on these fields (see `stage_input` / `rule_input`)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from .conditions import FINDING_KIND_LABELS, FINDING_KINDS
from .models import ApprovalPolicyRule, ApprovalStage, ApprovalWorkflow

MATCH_CHOICES = [("all", _("All of these conditions")), ("any", _("Any one of these conditions"))]
FINDINGS_CHOICES = [
    ("", _("Either way")),
    ("yes", _("Only posts with compliance warnings")),
    ("no", _("Only posts without compliance warnings")),
]


def platform_choices():
    from channels_app.models import PLATFORM_LABELS

    return [(key, PLATFORM_LABELS.get(key, key)) for key in settings.PLATFORM_KEYS]


def _split(text: str) -> list[str]:
    """Words or emails typed one per line or separated by commas (, or ，)."""
    return [part.strip() for part in re.split(r"[\n,，]+", text or "") if part.strip()]


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A switched-off workflow is passed over by the policy."),
    )
    allow_self_approval = forms.BooleanField(label=_("Authors may approve their own posts"), required=False)
    schedule_when_approved = forms.BooleanField(label=_("Schedule when approved"), required=False)
    restart_on_resubmit = forms.ChoiceField(
        label=_("A resubmission starts"), choices=ApprovalWorkflow.Restart.choices
    )

    @classmethod
    def initial_for(cls, workflow) -> dict:
        if workflow is None:
            return {"active": True, "schedule_when_approved": True}
        return {
            "name": workflow.name,
            "active": workflow.active,
            "allow_self_approval": workflow.allow_self_approval,
            "schedule_when_approved": workflow.schedule_when_approved,
            "restart_on_resubmit": workflow.restart_on_resubmit,
        }


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), required=False)
    approver_users = forms.TypedMultipleChoiceField(
        label=_("Approvers"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    approver_roles = forms.MultipleChoiceField(
        label=_("Everyone with the role"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members with this role who may decide on approvals."),
    )
    approver_emails = forms.CharField(
        label=_("External reviewers (emails)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One email per line or separated by commas; they review through a signed link."),
    )
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=ApprovalStage.Rule.choices, initial="any"
    )
    quorum = forms.IntegerField(
        label=_("Approvals needed (N of M)"), required=False, initial=1, help_text=_("For the N of M rule.")
    )
    sla_hours = forms.IntegerField(label=_("SLA (hours)"), required=False, help_text=_("Empty: no deadline."))
    escalate_after_hours = forms.IntegerField(
        label=_("Escalate after (hours past the SLA)"), required=False, initial=0
    )
    escalate_to = forms.TypedChoiceField(label=_("Escalate to"), required=False, coerce=int, empty_value=None)
    match = forms.ChoiceField(
        label=_("The stage applies when"), required=False, choices=MATCH_CHOICES, initial="all"
    )
    finding_kinds = forms.MultipleChoiceField(
        label=_("Compliance findings of these kinds"),
        required=False,
        choices=[(kind, FINDING_KIND_LABELS[kind]) for kind in FINDING_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Separated by commas; any of them in a variant's text or first comment."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accounts = forms.TypedMultipleChoiceField(label=_("Accounts"), required=False, coerce=int)
    campaigns = forms.TypedMultipleChoiceField(label=_("Campaigns"), required=False, coerce=int)
    tags = forms.TypedMultipleChoiceField(label=_("Tags"), required=False, coerce=int)
    compliance_findings = forms.ChoiceField(
        label=_("Compliance warnings"), required=False, choices=FINDINGS_CHOICES, initial=""
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.condition_errors: list[str] = []
        self.fields["approver_users"].choices = choices["members"]
        self.fields["escalate_to"].choices = [("", _("Nobody"))] + choices["members"]
        self.fields["platforms"].choices = platform_choices()
        for key in ("accounts", "campaigns", "tags"):
            self.fields[key].choices = choices[key]
            self.fields[key].widget.attrs["size"] = min(max(len(choices[key]), 2), 6)

    @staticmethod
    def initial_for(stage) -> dict:
        condition = stage.condition or {}
        findings = condition.get("compliance_findings")
        return {
            "name": stage.name,
            "approver_users": [u.pk for u in stage.approver_users.all()],
            "approver_roles": stage.approver_roles,
            "approver_emails": "\n".join(stage.approver_emails),
            "rule": stage.rule,
            "quorum": stage.quorum,
            "sla_hours": stage.sla_hours,
            "escalate_after_hours": stage.escalate_after_hours,
            "escalate_to": stage.escalate_to_id,
            "match": condition.get("match", "all"),
            "finding_kinds": condition.get("finding_kinds", []),
            "keywords": ", ".join(condition.get("keywords", [])),
            "platforms": condition.get("platforms", []),
            "accounts": condition.get("accounts", []),
            "campaigns": condition.get("campaigns", []),
            "tags": condition.get("tags", []),
            "compliance_findings": "" if findings is None else ("yes" if findings else "no"),
        }

    def stage_input(self) -> dict:
        """The stage as approvals.services.workflow_create / workflow_update take it."""
        data = self.cleaned_data
        condition: dict = {}
        for key in ("accounts", "platforms", "campaigns", "tags", "finding_kinds"):
            if data.get(key):
                condition[key] = list(data[key])
        keywords = _split(data.get("keywords", ""))
        if keywords:
            condition["keywords"] = keywords
        if data.get("compliance_findings"):
            condition["compliance_findings"] = data["compliance_findings"] == "yes"
        if data.get("match") == "any" and condition:
            condition["match"] = "any"
        return {
            "name": data.get("name", ""),
            "approver_users": list(data.get("approver_users") or []),
            "approver_roles": list(data.get("approver_roles") or []),
            "approver_emails": _split(data.get("approver_emails", "")),
            "rule": data.get("rule") or ApprovalStage.Rule.ANY,
            "quorum": data["quorum"] if data.get("quorum") is not None else 1,
            "condition": condition,
            "sla_hours": data.get("sla_hours"),
            "escalate_after_hours": data.get("escalate_after_hours") or 0,
            "escalate_to": data.get("escalate_to"),
        }


StageFormSet = forms.formset_factory(StageForm, extra=0, can_order=True, can_delete=True)


class PolicyRuleForm(forms.Form):
    scope = forms.ChoiceField(label=_("Posts"), choices=ApprovalPolicyRule.Scope.choices, initial="all")
    accounts = forms.TypedMultipleChoiceField(label=_("Accounts"), required=False, coerce=int)
    workflow = forms.TypedChoiceField(label=_("Go through"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, accounts: list, workflows: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = accounts
        self.fields["accounts"].widget.attrs["size"] = min(max(len(accounts), 2), 5)
        self.fields["workflow"].choices = [("", _("No approval needed"))] + workflows

    def rule_input(self) -> dict:
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "accounts": list(data.get("accounts") or []),
            "workflow": data["workflow"],
        }


PolicyRuleFormSet = forms.formset_factory(PolicyRuleForm, extra=1, can_order=True, can_delete=True)


# --- the review page's comments ----------------------------------------------------------------------


class CommentForm(forms.Form):
    """A comment or a reply (`parent`), with the people picked in the @ menu (`mentions`: their ids,
    comma-separated; `@email` written by hand in the text counts too)."""

    body = forms.CharField(
        label=_("Comment"),
        required=False,  # the service says "Write a comment." (the same message as the API)
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": "1"}),
        help_text=_("Type @ and a name or email to mention someone of this workspace."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mentions = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_mentions(self) -> list[int]:
        raw = [part.strip() for part in (self.cleaned_data.get("mentions") or "").split(",")]
        try:
            return sorted({int(part) for part in raw if part})
        except ValueError:
            raise forms.ValidationError(_("Mention people of this workspace.")) from None

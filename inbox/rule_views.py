"""The inbox rules pages: the ordered list (with arrows to reorder and a sample-text test), a new rule, one
rule's edit page, delete. Reading needs inbox.view; changing rules inbox.assign (who gives out work).
Thin: forms parse, inbox.services validate, write and audit; their errors land next to the field."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from accounts.selectors import workspace_members
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from . import selectors, services
from .forms import RuleForm, RuleTestForm, rule_initial
from .models import InboxRule
from .rule_match import Sample
from .services.rules import can_work


class _RulesMixin(WorkspacePageMixin):
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_ASSIGN}

    def people(self):
        members = workspace_members(self.workspace).select_related("user")
        return [m.user for m in members if can_work(workspace=self.workspace, user=m.user)]

    def accounts(self):
        from channels_app.models import SocialAccount

        return SocialAccount.objects.filter(workspace=self.workspace, disconnected_at__isnull=True).order_by(
            "platform", "handle"
        )

    def rule_form(self, data=None, **kwargs) -> RuleForm:
        return RuleForm(data, people=self.people(), accounts=self.accounts(), **kwargs)

    def rule(self) -> InboxRule:
        found = selectors.inbox_rules(self.workspace).filter(pk=self.kwargs["rule_id"]).first()
        if found is None:
            raise Http404
        return found


class RulesPage(_RulesMixin, TemplateView):
    """The rules in the order they run. POST `action=create` adds one; `action=test` runs a sample."""

    template_name = "inbox/rules.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.rule_form())
        kwargs.setdefault("test_form", RuleTestForm(accounts=self.accounts()))
        rules = list(selectors.inbox_rules(self.workspace))
        people = {p.pk: p for p in self.people()}
        kwargs.update(
            rules=[(rule, [people[pk] for pk in rule.assign_team if pk in people]) for rule in rules],
            can_manage=self.access.can(C.INBOX_ASSIGN),
        )
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        # The test runs as a GET (it changes nothing), so viewers may try it too.
        if "text" in request.GET:
            form = RuleTestForm(request.GET, accounts=self.accounts())
            context = {"test_form": form}
            if form.is_valid():
                data = form.cleaned_data
                context["tested"] = services.inbox_rules_test(
                    self.workspace,
                    sample=Sample(
                        text=data["text"],
                        account_id=data["account"],
                        kind=data["kind"],
                        followers=data["followers"],
                        fan_handle=data["fan"],
                        fan_external_id=data["fan"],
                    ),
                )
            return self.render_to_response(self.get_context_data(**context))
        return super().get(request, *args, **kwargs)

    def post(self, request, workspace_id):
        form = self.rule_form(request.POST)
        if form.is_valid():
            try:
                rule = services.inbox_rule_create(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Rule “%(name)s” added.") % {"name": rule.name})
                return redirect("inbox:rules", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RulePage(_RulesMixin, TemplateView):
    """One rule's edit page."""

    template_name = "inbox/rule.html"

    def get_context_data(self, **kwargs):
        rule = kwargs.setdefault("rule", self.rule())
        kwargs.setdefault("form", self.rule_form(initial=rule_initial(rule)))
        kwargs["can_manage"] = self.access.can(C.INBOX_ASSIGN)
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, rule_id):
        rule = self.rule()
        form = self.rule_form(request.POST)
        if form.is_valid():
            try:
                services.inbox_rule_update(
                    workspace=self.workspace, actor=request.user, rule=rule, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("inbox:rules", self.workspace.pk)
        return self.render_to_response(self.get_context_data(rule=rule, form=form), status=400)


class RuleDeleteView(_RulesMixin, TemplateView):
    required_capabilities = {"POST": C.INBOX_ASSIGN}

    def post(self, request, workspace_id, rule_id):
        rule = self.rule()
        services.inbox_rule_delete(workspace=self.workspace, actor=request.user, rule=rule)
        messages.success(request, _("Rule deleted."))
        return redirect("inbox:rules", self.workspace.pk)


class RuleMoveView(_RulesMixin, TemplateView):
    """POST `direction=up|down`: one place earlier or later in the order."""

    required_capabilities = {"POST": C.INBOX_ASSIGN}

    def post(self, request, workspace_id, rule_id):
        rule = self.rule()
        direction = "up" if request.POST.get("direction") == "up" else "down"
        services.inbox_rule_move(workspace=self.workspace, actor=request.user, rule=rule, direction=direction)
        return redirect("inbox:rules", self.workspace.pk)

"""Organizations and new workspaces in the dashboard: create an organization, change its settings (its
owners and admins), create a workspace in an organization one administers. The same services as the API
(accounts.services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts import services
from accounts.models import Organization
from accounts.selectors import organization_membership_for
from core.errors import DomainError
from core.views import apply_domain_error
from lifecycle import services as lifecycle_services

from . import selectors
from .context_processors import LAST_WORKSPACE_SESSION_KEY
from .forms import OrganizationCreateForm, OrganizationForm, WorkspaceCreateForm
from .views import save_changes


class OrganizationAdminMixin(LoginRequiredMixin):
    """Pages of one organization (any kind) for its owners and admins: 404 for outsiders, 403 for
    members (as the API's organization.manage)."""

    organization: Organization | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = organization_membership_for(
            user=request.user, organization_id=kwargs.get("organization_id")
        )
        if membership is None:
            raise Http404
        if not membership.is_org_admin:
            raise PermissionDenied
        self.organization = membership.organization
        return super().dispatch(request, *args, **kwargs)


class OrganizationNewView(LoginRequiredMixin, TemplateView):
    """Anyone signed in may start an organization (they become its owner), as with the API."""

    template_name = "dashboard/organization_new.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", OrganizationCreateForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = OrganizationCreateForm(request.POST)
        if form.is_valid():
            try:
                organization = services.organization_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s was created. Now create its first workspace.") % {"name": organization.name},
                )
                return redirect(f"{reverse('dashboard:workspace_new')}?organization={organization.pk}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OrganizationSettingsView(OrganizationAdminMixin, TemplateView):
    template_name = "dashboard/organization_settings.html"

    def _initial(self) -> dict:
        return {field: getattr(self.organization, field) for field in services.ORGANIZATION_FIELDS}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", OrganizationForm(initial=self._initial()))
        context = super().get_context_data(**kwargs)
        context.update(
            organization=self.organization,
            kind_label=Organization.Kind(self.organization.kind).label,
            workspaces=selectors.organization_workspaces(self.organization),
            is_owner=lifecycle_services.is_owner(user=self.request.user, organization=self.organization),
            grace_days=settings.KAWO_DELETION_GRACE_DAYS,
        )
        return context

    def post(self, request, organization_id):
        form = OrganizationForm(request.POST, initial=self._initial())
        return save_changes(
            self,
            form,
            update=lambda **changes: services.organization_update(
                actor=request.user, organization=self.organization, **changes
            ),
            here=redirect("dashboard:organization_settings", self.organization.pk),
            saved=_("Organization settings saved."),
        )


class WorkspaceNewView(LoginRequiredMixin, TemplateView):
    """A new workspace in one of the organizations the person administers (they become its admin)."""

    template_name = "dashboard/workspace_new.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organizations = selectors.organizations_administered_by(user=request.user)
        if not self.organizations:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            chosen = self.request.GET.get("organization")
            initial = {"organization": chosen} if chosen else {}
            kwargs["form"] = WorkspaceCreateForm(initial=initial, organizations=self.organizations)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = WorkspaceCreateForm(request.POST, organizations=self.organizations)
        if form.is_valid():
            data = dict(form.cleaned_data)
            organization = next(o for o in self.organizations if o.pk == data.pop("organization"))
            try:
                workspace = services.workspace_create(actor=request.user, organization=organization, **data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                request.session[LAST_WORKSPACE_SESSION_KEY] = workspace.pk
                messages.success(request, _("Workspace %(name)s was created.") % {"name": workspace.name})
                return redirect("dashboard:workspace_home", workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

"""The dashboard's pages for a tenant leaving: a workspace's Export / Delete page (from its settings), and
the organization's Delete / Restore actions (from the organization's settings, where a deleted
workspace is listed with its Restore button during the grace period). The same services as the API."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Workspace
from accounts.roles import Capability as C
from accounts.selectors import organization_membership_for
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from . import services
from .models import WorkspaceExport

S = WorkspaceExport.Status


class ConfirmNameForm(forms.Form):
    confirm_name = forms.CharField(label=gettext_lazy("Type the name to confirm"), max_length=120)


def exports_context(workspace) -> dict:
    jobs = list(WorkspaceExport.objects.filter(workspace=workspace).select_related("requested_by")[:10])
    return {"exports": jobs, "exports_active": any(job.status in (S.PENDING, S.RUNNING) for job in jobs)}


class WorkspaceLeavePage(WorkspacePageMixin, TemplateView):
    """Export the workspace (a zip made by a worker, with progress) or delete it (typing its name)."""

    template_name = "lifecycle/workspace.html"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ConfirmNameForm())
        kwargs.update(exports_context(self.workspace))
        kwargs.update(
            is_owner=services.is_owner(user=self.request.user, organization=self.workspace.organization),
            grace_days=settings.KAWO_DELETION_GRACE_DAYS,
            retention_days=settings.KAWO_EXPORT_FILE_RETENTION_DAYS,
        )
        return super().get_context_data(**kwargs)


class WorkspaceExportsPartial(WorkspacePageMixin, TemplateView):
    """The export list alone, which htmx asks for every second while an export runs."""

    template_name = "lifecycle/_exports.html"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.update(exports_context(self.workspace))
        return super().get_context_data(**kwargs)


class WorkspaceExportStart(WorkspacePageMixin, View):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, workspace_id):
        try:
            services.workspace_export_request(actor=request.user, workspace=self.workspace)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The export has started; its download appears below when it is ready.")
            )
        return redirect("lifecycle:workspace", self.workspace.pk)


class WorkspaceExportFile(WorkspacePageMixin, View):
    required_capabilities = {"GET": C.WORKSPACE_MANAGE}

    def get(self, request, workspace_id, workspace_export_id):
        job = WorkspaceExport.objects.filter(workspace=self.workspace, pk=workspace_export_id).first()
        if job is None or not services.is_owner(user=request.user, organization=self.workspace.organization):
            raise Http404
        if job.expired_at is not None:
            return HttpResponse(
                _("This export's file has expired and was deleted; export again."), status=410
            )
        if job.status != S.DONE or not job.file:
            return HttpResponse(_("The export is not ready yet."), status=409)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)


class WorkspaceDelete(WorkspacePageMixin, TemplateView):
    template_name = "lifecycle/workspace.html"
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, workspace_id):
        form = ConfirmNameForm(request.POST)
        if form.is_valid():
            try:
                workspace = services.workspace_delete(
                    actor=request.user,
                    workspace=self.workspace,
                    confirm_name=form.cleaned_data["confirm_name"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s was deleted. An owner can restore it in the organization's settings "
                        "until %(date)s."
                    )
                    % {"name": workspace.name, "date": f"{workspace.purge_after:%Y-%m-%d}"},
                )
                return redirect("dashboard:organization_settings", workspace.organization_id)
        page = WorkspaceLeavePage(request=request, kwargs=self.kwargs)
        page.workspace, page.access = self.workspace, self.access
        return page.render_to_response(page.get_context_data(form=form), status=400)


class _OrganizationOwnerAction(LoginRequiredMixin, View):
    """A POST on one organization by its owner: 404 for outsiders; the service refuses non-owners."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = organization_membership_for(
            user=request.user, organization_id=kwargs.get("organization_id")
        )
        if membership is None:
            raise Http404
        self.organization = membership.organization
        return super().dispatch(request, *args, **kwargs)

    def done(self):
        return redirect("dashboard:organization_settings", self.organization.pk)


class WorkspaceRestore(_OrganizationOwnerAction):
    def post(self, request, organization_id):
        workspace = Workspace.objects.filter(
            organization=self.organization, pk=request.POST.get("workspace") or 0
        ).first()
        if workspace is None:
            raise Http404
        try:
            services.workspace_restore(actor=request.user, workspace=workspace)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s was restored.") % {"name": workspace.name})
        return self.done()


class OrganizationDelete(_OrganizationOwnerAction):
    def post(self, request, organization_id):
        try:
            organization = services.organization_delete(
                actor=request.user,
                organization=self.organization,
                confirm_name=request.POST.get("confirm_name", ""),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s was deleted. You can restore it here until %(date)s.")
                % {"name": organization.name, "date": f"{organization.purge_after:%Y-%m-%d}"},
            )
        return self.done()


class OrganizationRestore(_OrganizationOwnerAction):
    def post(self, request, organization_id):
        try:
            services.organization_restore(actor=request.user, organization=self.organization)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s was restored.") % {"name": self.organization.name})
        return self.done()

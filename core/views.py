"""The dashboard's tenancy base: the same resolution and capability rules as core.api, for HTML views."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.utils import timezone

from . import tenancy
from .errors import DomainError


class WorkspaceViewMixin(LoginRequiredMixin):
    """Resolves `workspace_id` from the URL once; 404 without access; 403 without the capability.

    `required_capabilities` maps HTTP methods to capabilities; methods not listed answer 405.
    """

    required_capabilities: dict[str, str] = {}
    workspace = None
    access = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "dispatch" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override dispatch(): tenancy checks live there")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        access = tenancy.workspace_access_for(user=request.user, workspace_id=kwargs.get("workspace_id"))
        if access is None:
            raise Http404
        method = {"HEAD": "GET"}.get(request.method, request.method)
        if method not in self.required_capabilities:
            return HttpResponseNotAllowed(list(self.required_capabilities))
        capability = self.required_capabilities[method]
        if capability and not access.can(capability):
            raise PermissionDenied
        self.access, self.workspace = access, access.workspace
        request.workspace_access = access
        timezone.activate(access.workspace.tzinfo)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(workspace=self.workspace, access=self.access)
        return context


# The workspace a person last had open; `/` and pages outside a workspace take them back to it.
LAST_WORKSPACE_SESSION_KEY = "dashboard_last_workspace_id"


class WorkspacePageMixin(WorkspaceViewMixin):
    """A workspace page; remembers the workspace so `/` and non-workspace pages come back to it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.session.get(LAST_WORKSPACE_SESSION_KEY) != self.workspace.pk:
            self.request.session[LAST_WORKSPACE_SESSION_KEY] = self.workspace.pk
        return context


def apply_domain_error(form, error: DomainError) -> None:
    """Show a service's error next to the form field it names (or at the top of the form)."""
    if error.fields:
        for field, messages in error.fields.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(None, error.message)

"""Times on the person's own pages (tokens, calendar feeds), which belong to no workspace."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone

from accounts.selectors import workspace_access_for, workspaces_for_user
from core.views import LAST_WORKSPACE_SESSION_KEY


def personal_workspace(request):
    """The workspace whose clock the person's own pages use: the one they last had open, else their
    first; None for someone in no workspace (the server's UTC then, and the page says so)."""
    workspace_id = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    access = workspace_access_for(user=request.user, workspace_id=workspace_id) if workspace_id else None
    if access is not None:
        return access.workspace
    return workspaces_for_user(user=request.user).first()


class PersonalPageMixin(LoginRequiredMixin):
    """A page of the person's own: its times read in `personal_workspace`'s time zone, which the page
    names (`times_zone`), so a time never silently reads in the server's UTC."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workspace = personal_workspace(self.request)
        if workspace is not None:
            timezone.activate(workspace.tzinfo)
        context["times_zone"] = timezone.get_current_timezone_name()
        return context

"""Saving the queue's current filters as a named view (per person) and deleting one; both from the queue
page. Anyone who may read the inbox keeps their own views."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View

from accounts.roles import Capability as C
from core.errors import DomainError
from core.views import WorkspaceViewMixin

from . import services
from .models import SavedQueueView


class SavedViewCreateView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.INBOX_VIEW}

    def post(self, request, workspace_id):
        queue = reverse("dashboard:inbox", args=[self.workspace.pk])
        query = request.POST.get("query", "")
        try:
            view = services.saved_view_create(
                workspace=self.workspace, actor=request.user, name=request.POST.get("name", ""), query=query
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(f"{queue}?{query}" if query else queue)
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(f"{queue}?{view.query}&view={view.pk}" if view.query else f"{queue}?view={view.pk}")


class SavedViewDeleteView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.INBOX_VIEW}

    def post(self, request, workspace_id, view_id):
        view = SavedQueueView.objects.filter(workspace=self.workspace, user=request.user, pk=view_id).first()
        if view is None:
            raise Http404
        services.saved_view_delete(workspace=self.workspace, actor=request.user, view=view)
        messages.success(request, _("View deleted."))
        return redirect("dashboard:inbox", self.workspace.pk)

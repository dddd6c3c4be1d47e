"""Inbox pages: the queue (live: its list is re-read every few seconds with htmx, without a reload) and
one item with its thread, the fan, triage, assignment and notes. Thin: forms parse, inbox.services
validate, write and audit; their errors land next to the field."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from accounts.selectors import workspace_members
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from . import selectors, services
from .forms import ItemAssignForm, ItemTriageForm, NoteForm, QueueFilterForm
from .models import InboxItem

QUEUE_LIMIT = 100
LIVE_SECONDS = 5


class _QueueMixin(WorkspacePageMixin):
    required_capabilities = {"GET": C.INBOX_VIEW}

    def queue_context(self) -> dict:
        form = QueueFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.ItemFilters(
            status=data.get("status", "") if form.is_bound else "open",
            kind=data.get("kind", ""),
            sentiment=data.get("sentiment", ""),
            assignee_id=self.request.user.pk if data.get("mine") else None,
            q=data.get("q", ""),
        )
        items = list(selectors.inbox_items(self.workspace, filters=filters)[:QUEUE_LIMIT])
        return {
            "filter_form": form,
            "items": items,
            "query": self.request.GET.urlencode(),
            "live_seconds": LIVE_SECONDS,
        }


class QueuePage(_QueueMixin, TemplateView):
    template_name = "inbox/queue.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.queue_context(), **kwargs)


class QueueListPartial(_QueueMixin, TemplateView):
    """The queue's list alone: what the page's htmx poll swaps in."""

    template_name = "inbox/_queue_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.queue_context(), **kwargs)


class ItemPage(WorkspacePageMixin, TemplateView):
    template_name = "inbox/item.html"
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_VIEW}

    def item(self) -> InboxItem:
        found = (
            selectors.inbox_items(self.workspace, filters=selectors.ItemFilters(include_ours=True))
            .filter(pk=self.kwargs["item_id"])
            .first()
        )
        if found is None:
            raise Http404
        return found

    def people(self):
        members = workspace_members(self.workspace).select_related("user")
        return [m.user for m in members if services.assignable(workspace=self.workspace, user=m.user)]

    def get_context_data(self, **kwargs):
        item = kwargs.setdefault("item", self.item())
        initial = {"version": item.version}
        kwargs.setdefault(
            "triage_form",
            ItemTriageForm(
                initial={
                    **initial,
                    "status": item.status,
                    "priority": item.priority,
                    "tags": ", ".join(item.tags),
                }
            ),
        )
        if self.access.can(C.INBOX_ASSIGN):
            kwargs.setdefault(
                "assign_form",
                ItemAssignForm(initial={**initial, "assignee": item.assignee_id}, people=self.people()),
            )
        kwargs.setdefault("note_form", NoteForm())
        kwargs.update(
            thread=selectors.inbox_item_thread(self.workspace, item=item),
            notes=selectors.inbox_item_notes(self.workspace, item=item),
            fan_profile=selectors.fan_profile(self.workspace, fan=item.fan, recent=5) if item.fan else None,
            can_reply=self.access.can(C.INBOX_REPLY),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, item_id):
        item = self.item()
        action = request.POST.get("action")
        needs = {"triage": C.INBOX_REPLY, "note": C.INBOX_REPLY, "assign": C.INBOX_ASSIGN}.get(action)
        if needs is None or not self.access.can(needs):
            raise PermissionDenied
        if action == "triage":
            form, key = ItemTriageForm(request.POST), "triage_form"
        elif action == "assign":
            form, key = ItemAssignForm(request.POST, people=self.people()), "assign_form"
        else:
            form, key = NoteForm(request.POST), "note_form"
        if form.is_valid():
            try:
                self._apply(action, item, form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("inbox:item", self.workspace.pk, item.pk)
        return self.render_to_response(self.get_context_data(item=item, **{key: form}), status=400)

    def _apply(self, action: str, item: InboxItem, data: dict) -> None:
        common = {"workspace": self.workspace, "actor": self.request.user, "item": item}
        if action == "triage":
            services.inbox_item_update(**common, **data)
        elif action == "assign":
            assignee = next((p for p in self.people() if p.pk == data["assignee"]), None)
            services.inbox_item_assign(**common, assignee=assignee, version=data["version"])
        else:
            services.inbox_note_add(**common, body=data["body"])

"""Inbox pages: the queue (live: its list is re-read every few seconds with htmx, without a reload) and
one item with its thread, the fan, triage, assignment and notes. Thin: forms parse, inbox.services
validate, write and audit; their errors land next to the field."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from redis import RedisError

from accounts.roles import Capability as C
from accounts.selectors import workspace_members
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from . import selectors, services
from .forms import (
    InboxSettingsForm,
    ItemAssignForm,
    ItemTriageForm,
    NoteForm,
    PlatformActionForm,
    QueueFilterForm,
    ReplyForm,
    SavedReplyForm,
)
from .models import InboxItem, SavedReply
from .presence import REPLYING, VIEWING, presence_of, presence_touch
from .reply_windows import reply_window

QUEUE_LIMIT = 100
LIVE_SECONDS = 5


class _QueueMixin(WorkspacePageMixin):
    required_capabilities = {"GET": C.INBOX_VIEW}

    def queue_context(self) -> dict:
        from channels_app.models import SocialAccount

        accounts = SocialAccount.objects.filter(workspace=self.workspace).order_by("platform", "handle")
        people = [m.user for m in workspace_members(self.workspace).select_related("user")]
        query = self.request.GET.copy()
        query.pop("view", None)
        form = QueueFilterForm(query or None, accounts=accounts, people=people)
        data = form.cleaned_data if form.is_valid() else {}
        assignee = self.request.user.pk if data.get("mine") else data.get("assignee")
        filters = selectors.ItemFilters(
            status=data.get("status", "") if form.is_bound else "open",
            kind=data.get("kind", ""),
            sentiment=data.get("sentiment", ""),
            priority=data.get("priority", ""),
            account_id=data.get("account"),
            assignee_id=assignee,
            tag=data.get("tag", ""),
            q=data.get("q", ""),
            hidden=bool(data.get("hidden")),
        )
        if data.get("scope") == "all":
            items = list(
                selectors.inbox_queue_for_user(user=self.request.user, filters=filters)[:QUEUE_LIMIT]
            )
        else:
            items = list(selectors.inbox_items(self.workspace, filters=filters)[:QUEUE_LIMIT])
        settings_cache: dict[int, object] = {}

        def settings_for(workspace_id):
            if workspace_id not in settings_cache:
                settings_cache[workspace_id] = services.inbox_settings_get(
                    next(i.workspace for i in items if i.workspace_id == workspace_id)
                )
            return settings_cache[workspace_id]

        timers = selectors.first_response_sla(items, now=timezone.now(), settings_for=settings_for)
        present = people_present(self.workspace, [item.pk for item in items], exclude=self.request.user)
        for item in items:
            item.present = present.get(item.pk, [])
        return {
            "filter_form": form,
            "items": [(item, timers.get(item.pk)) for item in items],
            "all_workspaces": data.get("scope") == "all",
            "query": query.urlencode(),
            "saved_views": selectors.saved_queue_views(self.workspace, user=self.request.user),
            "current_view": self.request.GET.get("view", ""),
            "live_seconds": LIVE_SECONDS,
        }


def people_present(workspace, item_ids, *, exclude=None) -> dict[int, list[tuple]]:
    """item id -> [(person, mode)] of the workspace's members on it now (inbox.presence), others only."""
    found = presence_of(item_ids)
    ids = {p.user_id for people in found.values() for p in people}
    members = {m.user_id: m.user for m in workspace_members(workspace).filter(user_id__in=ids)}
    return {
        item_id: [
            (members[p.user_id], p.mode)
            for p in people
            if p.user_id in members and (exclude is None or p.user_id != exclude.pk)
        ]
        for item_id, people in found.items()
    }


class QueuePage(_QueueMixin, TemplateView):
    """The queue; POST closes the ticked items of this workspace at once (bulk close)."""

    template_name = "inbox/queue.html"
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_REPLY}

    def get_context_data(self, **kwargs):
        if self.access.can(C.INBOX_ASSIGN):
            kwargs["bulk_people"] = self.people()
        return super().get_context_data(
            **self.queue_context(), can_reply=self.access.can(C.INBOX_REPLY), **kwargs
        )

    def people(self):
        members = workspace_members(self.workspace).select_related("user")
        return [m.user for m in members if services.assignable(workspace=self.workspace, user=m.user)]

    def post(self, request, workspace_id):
        ids = [int(value) for value in request.POST.getlist("items") if value.isdigit()]
        items = list(InboxItem.objects.filter(workspace=self.workspace, pk__in=ids))
        back = redirect(f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path)
        if request.POST.get("action") == "assign":
            if not self.access.can(C.INBOX_ASSIGN):
                raise PermissionDenied
            chosen = request.POST.get("assignee", "")
            assignee = next((p for p in self.people() if str(p.pk) == chosen), None)
            if chosen and assignee is None:
                messages.error(request, _("This person cannot work this workspace's inbox."))
                return back
            count = services.inbox_items_assign(
                workspace=self.workspace, actor=request.user, items=items, assignee=assignee
            )
            messages.success(
                request,
                ngettext("%(count)s item assigned.", "%(count)s items assigned.", count) % {"count": count},
            )
            return back
        closed = services.inbox_items_close(workspace=self.workspace, actor=request.user, items=items)
        messages.success(
            request, ngettext("%(count)s item closed.", "%(count)s items closed.", closed) % {"count": closed}
        )
        return back


class QueueListPartial(_QueueMixin, TemplateView):
    """The queue's list alone: what the page's htmx poll swaps in."""

    template_name = "inbox/_queue_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.queue_context(), can_reply=self.access.can(C.INBOX_REPLY), **kwargs
        )


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
        images = selectors.reply_images(self.workspace, item)
        kwargs.setdefault("reply_form", ReplyForm(initial=initial, images=images))
        kwargs["platform_actions"] = [
            (action, services.ITEM_ACTIONS[action]) for action in services.item_actions_offered(item)
        ]
        kwargs["saved_replies"] = [
            (saved, services.saved_reply_render(saved, item=item, agent=self.request.user))
            for saved in selectors.saved_replies(self.workspace)
        ]
        kwargs["replies"] = selectors.inbox_item_replies(self.workspace, item=item)
        kwargs["window"] = reply_window(item, timezone.now())
        kwargs.update(
            thread=selectors.inbox_item_thread(self.workspace, item=item),
            notes=selectors.inbox_item_notes(self.workspace, item=item),
            fan_profile=selectors.fan_profile(self.workspace, fan=item.fan, recent=5) if item.fan else None,
            can_reply=self.access.can(C.INBOX_REPLY),
            can_approve=self.access.can(C.APPROVAL_DECIDE),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, item_id):
        item = self.item()
        action = request.POST.get("action")
        needs = {
            "triage": C.INBOX_REPLY,
            "note": C.INBOX_REPLY,
            "reply": C.INBOX_REPLY,
            "platform": C.INBOX_REPLY,
            "assign": C.INBOX_ASSIGN,
            "approve": C.APPROVAL_DECIDE,
            "reject": C.APPROVAL_DECIDE,
        }.get(action)
        if needs is None or not self.access.can(needs):
            raise PermissionDenied
        if action in ("approve", "reject"):
            return self._decide(action, item)
        if action == "platform":
            return self._platform_action(item)
        if action == "triage":
            form, key = ItemTriageForm(request.POST), "triage_form"
        elif action == "assign":
            form, key = ItemAssignForm(request.POST, people=self.people()), "assign_form"
        elif action == "reply":
            images = selectors.reply_images(self.workspace, item)
            form, key = ReplyForm(request.POST, images=images), "reply_form"
        else:
            form, key = NoteForm(request.POST), "note_form"
        if form.is_valid():
            try:
                self._apply(action, item, form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, self._done_message(action, item))
                return redirect("inbox:item", self.workspace.pk, item.pk)
        return self.render_to_response(self.get_context_data(item=item, **{key: form}), status=400)

    def _done_message(self, action: str, item: InboxItem) -> str:
        if action != "reply":
            return _("Saved.")
        latest = item.replies.order_by("-pk").first()
        if latest is not None and latest.status == latest.Status.AWAITING_APPROVAL:
            return _("Reply saved: it is sent once someone approves it.")
        return _("Reply queued: it goes out in a moment.")

    def _platform_action(self, item: InboxItem):
        form = PlatformActionForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, _("Choose what to do and try again."))
            return redirect("inbox:item", self.workspace.pk, item.pk)
        action = form.cleaned_data["platform_action"]
        try:
            services.inbox_item_platform_action(
                workspace=self.workspace,
                actor=self.request.user,
                item=item,
                action=action,
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(self.request, error.message)
        else:
            done = {
                "hide": _("Hidden on the platform."),
                "unhide": _("Shown again on the platform."),
                "delete": _("Deleted on the platform."),
                "like": _("Liked."),
            }
            messages.success(self.request, done[action])
        return redirect("inbox:item", self.workspace.pk, item.pk)

    def _decide(self, action: str, item: InboxItem):
        from .models import InboxReply

        reply = InboxReply.objects.filter(
            workspace=self.workspace, item=item, pk=self.request.POST.get("reply") or 0
        ).first()
        if reply is None:
            raise Http404
        try:
            if action == "approve":
                services.inbox_reply_approve(workspace=self.workspace, actor=self.request.user, reply=reply)
                messages.success(self.request, _("Reply approved: it goes out in a moment."))
            else:
                services.inbox_reply_reject(
                    workspace=self.workspace,
                    actor=self.request.user,
                    reply=reply,
                    note=self.request.POST.get("note", ""),
                )
                messages.success(self.request, _("Reply rejected: it will not be sent."))
        except DomainError as error:
            messages.error(self.request, error.message)
        return redirect("inbox:item", self.workspace.pk, item.pk)

    def _apply(self, action: str, item: InboxItem, data: dict) -> None:
        common = {"workspace": self.workspace, "actor": self.request.user, "item": item}
        if action == "triage":
            services.inbox_item_update(**common, **data)
        elif action == "reply":
            media = selectors.reply_media(self.workspace, data.get("media"))
            services.inbox_reply_send(**common, text=data["text"], version=data["version"], media=media)
        elif action == "assign":
            assignee = next((p for p in self.people() if p.pk == data["assignee"]), None)
            services.inbox_item_assign(**common, assignee=assignee, version=data["version"])
        else:
            services.inbox_note_add(**common, body=data["body"])


class SavedRepliesPage(WorkspacePageMixin, TemplateView):
    """The workspace's saved replies; managers add and delete them."""

    template_name = "inbox/saved_replies.html"
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_ASSIGN}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SavedReplyForm())
        kwargs.update(
            saved_replies=selectors.saved_replies(self.workspace), can_manage=self.access.can(C.INBOX_ASSIGN)
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = SavedReplyForm(request.POST)
        if form.is_valid():
            try:
                saved = services.saved_reply_create(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Saved reply “%(name)s” added.") % {"name": saved.name})
                return redirect("inbox:saved_replies", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SavedReplyDeleteView(WorkspacePageMixin, TemplateView):
    required_capabilities = {"POST": C.INBOX_ASSIGN}

    def post(self, request, workspace_id, saved_reply_id):
        saved = SavedReply.objects.filter(workspace=self.workspace, pk=saved_reply_id).first()
        if saved is None:
            raise Http404
        services.saved_reply_delete(workspace=self.workspace, actor=request.user, saved=saved)
        messages.success(request, _("Saved reply deleted."))
        return redirect("inbox:saved_replies", self.workspace.pk)


class InboxSettingsPage(WorkspacePageMixin, TemplateView):
    """Business hours and the first-response target the queue's SLA timer counts with."""

    template_name = "inbox/settings.html"
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.WORKSPACE_MANAGE}

    def accounts(self):
        from channels_app.models import SocialAccount

        return SocialAccount.objects.filter(workspace=self.workspace, disconnected_at__isnull=True).order_by(
            "platform", "handle"
        )

    def get_context_data(self, **kwargs):
        current = services.inbox_settings_get(self.workspace)
        kwargs.setdefault(
            "form",
            InboxSettingsForm(
                initial={
                    "business_days": current.business_days,
                    "opens_at": current.opens_at,
                    "closes_at": current.closes_at,
                    "first_response_minutes": current.first_response_minutes,
                    "resolution_minutes": current.resolution_minutes,
                    "warning_minutes": current.warning_minutes,
                    "approval_accounts": current.approval_accounts,
                    "approval_keywords": ", ".join(current.approval_keywords),
                },
                accounts=self.accounts(),
            ),
        )
        kwargs["can_manage"] = self.access.can(C.WORKSPACE_MANAGE)
        if self.access.can(C.ACCOUNT_CONNECT):
            from channels_app.models import SocialAccount

            kwargs["wechat_accounts"] = SocialAccount.objects.filter(
                workspace=self.workspace, platform="wechat_oa", disconnected_at__isnull=True
            ).order_by("handle")
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = InboxSettingsForm(request.POST, accounts=self.accounts())
        if form.is_valid():
            try:
                services.inbox_settings_update(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Inbox settings saved."))
                return redirect("inbox:settings", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WeChatPushPage(WorkspacePageMixin, TemplateView):
    """What to paste into a WeChat Official Account's message server settings (URL, Token,
    EncodingAESKey, safe mode). POST makes new keys (the old ones stop working); the EncodingAESKey is
    shown once, right after."""

    template_name = "inbox/wechat_push.html"
    required_capabilities = {"GET": C.ACCOUNT_CONNECT, "POST": C.ACCOUNT_CONNECT}

    def account(self):
        from channels_app.models import SocialAccount

        found = SocialAccount.objects.filter(workspace=self.workspace, pk=self.kwargs["account_id"]).first()
        if found is None:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        from .models import InboxPushKey

        account = kwargs.setdefault("account", self.account())
        key = InboxPushKey.objects.filter(account=account).first()
        kwargs.update(
            key=key,
            is_wechat=account.platform == "wechat_oa",
            push_url=self.request.build_absolute_uri(f"/hooks/inbox/wechat/{key.url_key}/") if key else "",
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, account_id):
        account = self.account()
        if account.platform != "wechat_oa":
            raise Http404
        _key, aes_key = services.inbox_push_key_create(
            workspace=self.workspace, actor=request.user, account=account
        )
        return self.render_to_response(self.get_context_data(account=account, aes_key=aes_key))


class ItemPresencePartial(WorkspacePageMixin, TemplateView):
    """Polled by the item page every few seconds: announces the person (viewing, or replying while they
    write) and answers who else is on the item now."""

    template_name = "inbox/_presence.html"
    required_capabilities = {"GET": C.INBOX_VIEW}

    def get_context_data(self, **kwargs):
        item = InboxItem.objects.filter(workspace=self.workspace, pk=self.kwargs["item_id"]).first()
        if item is None:
            raise Http404
        mode = REPLYING if self.request.GET.get("replying") == "1" else VIEWING
        with contextlib.suppress(RedisError):  # presence is a courtesy: the page works without it
            presence_touch(item_id=item.pk, user_id=self.request.user.pk, mode=mode)
        others = people_present(self.workspace, [item.pk], exclude=self.request.user).get(item.pk, [])
        return super().get_context_data(others=others, **kwargs)

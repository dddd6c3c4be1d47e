"""The content settings pages under the workspace's Settings: campaigns, tag groups and tags, banned words
(with the built-in checks shown read-only) and posting slots.

They call the same services as the API (content.api.views: CampaignListView ...), so input is checked
once, the same way, and each change writes the same audit entry. A service's refusal is shown next to its
field in a 400 answer and nothing is written (each service is one transaction). Objects come from the
workspace in the URL: another workspace's id is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.models import SocialAccount
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from .. import selectors, services
from ..compliance.adlaw_terms import ABSOLUTE_CLAIM_TERMS
from ..compliance.blocked_domains import BLOCKED_IN_MAINLAND_DOMAINS, CHINESE_PLATFORMS
from ..compliance.rules import DEFAULT_DISCLOSURE_MARKERS
from ..models import BannedWord, Campaign, PostingSlot, Tag, TagGroup
from ..settings_forms import (
    BannedWordForm,
    CampaignForm,
    PostingSlotForm,
    TagForm,
    TagGroupForm,
    TagRenameForm,
)


def _saved(form, call) -> bool:
    """Parse `form`, then `call(cleaned_data)` (one service); its DomainError goes next to the field."""
    if not form.is_valid():
        return False
    try:
        call(form)
    except DomainError as error:
        apply_domain_error(form, error)
        return False
    return True


class _SettingsPage(WorkspacePageMixin, TemplateView):
    page_name = ""  # content:<page_name>, the list page every form of the screen returns to
    write_capability = C.WORKSPACE_MANAGE

    def _back(self):
        return redirect(f"content:{self.page_name}", self.workspace.pk)

    def _invalid(self, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.access.can(self.write_capability)
        context["timezone_name"] = self.workspace.timezone
        return context


# --- campaigns --------------------------------------------------------------------------------------


class CampaignsPage(_SettingsPage):
    template_name = "content/settings/campaigns.html"
    page_name = "campaigns"
    write_capability = C.POST_SCHEDULE
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_SCHEDULE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", CampaignForm(workspace=self.workspace, auto_id="id_new_%s"))
        context = super().get_context_data(**kwargs)
        context["campaigns"] = selectors.campaigns_with_post_counts(self.workspace)
        return context

    def post(self, request, *args, **kwargs):
        """Create a campaign."""
        form = CampaignForm(request.POST, workspace=self.workspace, auto_id="id_new_%s")
        created = {}

        def create(form):
            created["campaign"] = services.campaign_create(
                actor=request.user, workspace=self.workspace, **form.service_input()
            )

        if _saved(form, create):
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": created["campaign"].name})
            return self._back()
        return self._invalid(form=form)


class CampaignEditPage(_SettingsPage):
    template_name = "content/settings/campaign_edit.html"
    page_name = "campaigns"
    write_capability = C.POST_SCHEDULE
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_SCHEDULE}

    def _campaign(self) -> Campaign:
        return get_object_or_404(selectors.campaigns(self.workspace), pk=self.kwargs["campaign_id"])

    def _form(self, campaign, data=None):
        initial = {
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "color": campaign.color,
            "objective": campaign.objective,
            "owner": campaign.owner_id,
        }
        return CampaignForm(data, workspace=self.workspace, initial=initial)

    def get_context_data(self, **kwargs):
        campaign = kwargs.setdefault("campaign", self._campaign())
        kwargs.setdefault("form", self._form(campaign))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        """Change a campaign (only the fields that changed reach the service, as a PATCH would)."""
        campaign = self._campaign()
        form = self._form(campaign, request.POST)

        def update(form):
            data = form.service_input()
            changes = {field: data[field] for field in form.changed_data}
            if changes:
                services.campaign_update(actor=request.user, campaign=campaign, **changes)

        if _saved(form, update):
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": campaign.name})
            return self._back()
        # the refused change was rolled back in the database; show the campaign as stored
        return self._invalid(form=form, campaign=self._campaign())


class CampaignDeletePage(_SettingsPage):
    page_name = "campaigns"
    required_capabilities = {"POST": C.POST_SCHEDULE}

    def post(self, request, *args, **kwargs):
        campaign = get_object_or_404(selectors.campaigns(self.workspace), pk=kwargs["campaign_id"])
        services.campaign_delete(actor=request.user, campaign=campaign)
        messages.success(
            request,
            _("Campaign “%(name)s” deleted; its posts are kept without a campaign.")
            % {"name": campaign.name},
        )
        return self._back()


# --- tag groups and tags ----------------------------------------------------------------------------


class TagGroupsPage(_SettingsPage):
    """Every tag group with its tags; each group and tag has its own small form on this page. A refused
    form comes back in its place (`failed`: {(kind, id): form}) with the message next to its field."""

    template_name = "content/settings/tag_groups.html"
    page_name = "tag_groups"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        failed = kwargs.pop("failed", {})
        kwargs.setdefault("form", failed.get(("group", None)) or TagGroupForm(auto_id="id_new_group_%s"))
        context = super().get_context_data(**kwargs)
        groups = []
        for group in selectors.tag_groups(self.workspace):
            groups.append(
                {
                    "group": group,
                    "edit_form": failed.get(("group", group.pk))
                    or TagGroupForm(
                        initial={
                            "name": group.name,
                            "required": group.required,
                            "exclusive": group.exclusive,
                        },
                        auto_id=f"id_group{group.pk}_%s",
                    ),
                    "tag_form": failed.get(("new_tag", group.pk))
                    or TagForm(auto_id=f"id_group{group.pk}_tag_%s"),
                    "tags": [
                        {
                            "tag": tag,
                            "form": failed.get(("tag", tag.pk))
                            or TagRenameForm(initial={"name": tag.name}, auto_id=f"id_tag{tag.pk}_%s"),
                        }
                        for tag in group.tags.all()
                    ],
                }
            )
        context["groups"] = groups
        return context

    def post(self, request, *args, **kwargs):
        """Create a tag group."""
        form = TagGroupForm(request.POST, auto_id="id_new_group_%s")

        def create(form):
            services.tag_group_create(actor=request.user, workspace=self.workspace, **form.cleaned_data)

        if _saved(form, create):
            messages.success(
                request, _("Tag group “%(name)s” created.") % {"name": form.cleaned_data["name"]}
            )
            return self._back()
        return self._invalid(failed={("group", None): form})

    def _group(self) -> TagGroup:
        return get_object_or_404(TagGroup, workspace=self.workspace, pk=self.kwargs["tag_group_id"])

    def _tag(self) -> Tag:
        return get_object_or_404(Tag, workspace=self.workspace, pk=self.kwargs["tag_id"])


class TagGroupEditPage(TagGroupsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        group = self._group()
        form = TagGroupForm(request.POST, auto_id=f"id_group{group.pk}_%s")

        def update(form):
            services.tag_group_update(actor=request.user, group=group, **form.cleaned_data)

        if _saved(form, update):
            messages.success(request, _("Tag group “%(name)s” saved.") % {"name": group.name})
            return self._back()
        return self._invalid(failed={("group", group.pk): form})


class TagGroupDeletePage(TagGroupsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        group = self._group()
        services.tag_group_delete(actor=request.user, group=group)
        messages.success(request, _("Tag group “%(name)s” and its tags were deleted.") % {"name": group.name})
        return self._back()


class TagCreatePage(TagGroupsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        group = self._group()
        form = TagForm(request.POST, auto_id=f"id_group{group.pk}_tag_%s")

        def create(form):
            services.tag_create(
                actor=request.user, workspace=self.workspace, group=group.pk, **form.cleaned_data
            )

        if _saved(form, create):
            messages.success(
                request,
                _("Tag “%(tag)s” added to %(group)s.")
                % {"tag": form.cleaned_data["name"], "group": group.name},
            )
            return self._back()
        return self._invalid(failed={("new_tag", group.pk): form})


class TagEditPage(TagGroupsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        tag = self._tag()
        form = TagRenameForm(request.POST, auto_id=f"id_tag{tag.pk}_%s")

        def rename(form):
            services.tag_update(actor=request.user, tag=tag, name=form.cleaned_data["name"])

        if _saved(form, rename):
            messages.success(request, _("Tag renamed to “%(name)s”.") % {"name": tag.name})
            return self._back()
        return self._invalid(failed={("tag", tag.pk): form})


class TagDeletePage(TagGroupsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        tag = self._tag()
        services.tag_delete(actor=request.user, tag=tag)
        messages.success(request, _("Tag “%(name)s” removed.") % {"name": tag.name})
        return self._back()


# --- banned words and the built-in checks -----------------------------------------------------------


def _chinese_platform_names() -> list[str]:
    return [str(label) for label in CHINESE_PLATFORMS.values()]


class BannedWordsPage(_SettingsPage):
    template_name = "content/settings/banned_words.html"
    page_name = "banned_words"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", BannedWordForm(workspace=self.workspace, auto_id="id_new_%s"))
        context = super().get_context_data(**kwargs)
        context.update(
            words=selectors.banned_words(self.workspace).select_related("word_list"),
            adlaw_terms=ABSOLUTE_CLAIM_TERMS,
            disclosure_markers=DEFAULT_DISCLOSURE_MARKERS,
            blocked_domains=sorted(BLOCKED_IN_MAINLAND_DOMAINS),
            chinese_platforms=_chinese_platform_names(),
            severity_blocking=BannedWord.Severity.BLOCKING,
            severity_warning=BannedWord.Severity.WARNING,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Add a banned word or phrase."""
        form = BannedWordForm(request.POST, workspace=self.workspace, auto_id="id_new_%s")

        def create(form):
            services.banned_word_create(actor=request.user, workspace=self.workspace, **form.service_input())

        if _saved(form, create):
            messages.success(
                request,
                _("“%(word)s” is now checked in every post.") % {"word": form.cleaned_data["word"].strip()},
            )
            return self._back()
        return self._invalid(form=form)


class BannedWordEditPage(_SettingsPage):
    template_name = "content/settings/banned_word_edit.html"
    page_name = "banned_words"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE, "POST": C.WORKSPACE_MANAGE}

    def _word(self) -> BannedWord:
        return get_object_or_404(BannedWord, workspace=self.workspace, pk=self.kwargs["banned_word_id"])

    def _form(self, word, data=None):
        initial = {"word": word.word, "severity": word.severity, "note": word.note}
        return BannedWordForm(data, workspace=self.workspace, editing=True, initial=initial)

    def get_context_data(self, **kwargs):
        word = kwargs.setdefault("banned_word", self._word())
        kwargs.setdefault("form", self._form(word))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        word = self._word()
        form = self._form(word, request.POST)

        def update(form):
            data = form.service_input()
            changes = {field: data[field] for field in form.changed_data}
            if changes:
                services.banned_word_update(actor=request.user, banned_word=word, **changes)

        if _saved(form, update):
            messages.success(request, _("“%(word)s” saved.") % {"word": word.word})
            return self._back()
        return self._invalid(form=form, banned_word=self._word())


class BannedWordDeletePage(_SettingsPage):
    page_name = "banned_words"
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, *args, **kwargs):
        word = get_object_or_404(BannedWord, workspace=self.workspace, pk=kwargs["banned_word_id"])
        services.banned_word_delete(actor=request.user, banned_word=word)
        messages.success(request, _("“%(word)s” is no longer checked.") % {"word": word.word})
        return self._back()


# --- posting slots ----------------------------------------------------------------------------------


class PostingSlotsPage(_SettingsPage):
    """Per account, a row per weekday with its queue times (wall-clock times in the workspace's zone)."""

    template_name = "content/settings/posting_slots.html"
    page_name = "posting_slots"
    write_capability = C.POST_SCHEDULE
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_SCHEDULE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PostingSlotForm(workspace=self.workspace, auto_id="id_new_%s"))
        context = super().get_context_data(**kwargs)
        by_account: dict[int, dict[int, list[PostingSlot]]] = {}
        for slot in selectors.posting_slots(self.workspace).order_by("account_id", "weekday", "time"):
            by_account.setdefault(slot.account_id, {}).setdefault(slot.weekday, []).append(slot)
        accounts = SocialAccount.objects.filter(workspace=self.workspace, disconnected_at__isnull=True)
        context["accounts"] = [
            {
                "account": account,
                "slot_count": sum(len(slots) for slots in by_account.get(account.pk, {}).values()),
                "days": [
                    {
                        "weekday": day,
                        "label": WEEKDAYS[day],
                        "slots": by_account.get(account.pk, {}).get(day, []),
                    }
                    for day in range(7)
                ],
            }
            for account in accounts.order_by("platform", "handle")
        ]
        return context

    def post(self, request, *args, **kwargs):
        """Add a queue time."""
        form = PostingSlotForm(request.POST, workspace=self.workspace, auto_id="id_new_%s")

        def create(form):
            services.posting_slot_create(actor=request.user, workspace=self.workspace, **form.service_input())

        if _saved(form, create):
            data = form.cleaned_data
            messages.success(
                request,
                _("Queue time %(day)s %(time)s added for @%(handle)s.")
                % {
                    "day": WEEKDAYS[data["weekday"]],
                    "time": data["time"].strftime("%H:%M"),
                    "handle": data["account"].handle,
                },
            )
            return self._back()
        return self._invalid(form=form)


class PostingSlotDeletePage(_SettingsPage):
    page_name = "posting_slots"
    required_capabilities = {"POST": C.POST_SCHEDULE}

    def post(self, request, *args, **kwargs):
        slot = get_object_or_404(PostingSlot, workspace=self.workspace, pk=kwargs["slot_id"])
        services.posting_slot_delete(actor=request.user, slot=slot)
        messages.success(request, _("Queue time removed."))
        return self._back()

"""The composer: write once, adapt per account, media with alt text, compliance as you type; create and
edit."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.connectors.registry import CONNECTORS
from channels_app.models import SocialAccount
from channels_app.views import platform_option
from core import timezones
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin

from .. import compliance, hooks, selectors, services
from ..forms import ACTION_DRAFT, ACTION_QUEUE, ACTION_SCHEDULE, ACTION_SUBMIT, ComposerForm
from ..models import Post
from .common import S, _error_json, _loaded_post, _wall_clock, text_count
from .platform_settings import settings_rows, takes_cover_frame

# Which form field shows a service error about which input.
_ERROR_FIELDS = {
    "compliance": "text",
    "scheduled_at": "scheduled_date",
    "targets": "accounts",
    "tags": "tags",
    "campaign": "campaign",
    "title": "title",
}


def _first_comment_index(field: str) -> int | None:
    """N for "targets.N.first_comment", else None."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "targets" and parts[1].isdigit() and parts[2] == "first_comment":
        return int(parts[1])
    return None


def _option_field(field: str) -> tuple[int, str] | None:
    """(N, "options.<name>") for "targets.N.options.<name>", else None."""
    parts = field.split(".")
    if len(parts) == 4 and parts[0] == "targets" and parts[1].isdigit() and parts[2] == "options":
        return int(parts[1]), f"options.{parts[3]}"
    return None


def _in_form_order(error: DomainError, post: Post, form: ComposerForm) -> DomainError:
    """The scheduling services number `targets.N` in the post's target order (by id: an edit keeps the
    accounts it had first), the composer in its form's: renumber the first comments' problems."""
    order = [t.account_id for t in post.targets.order_by("id")]
    form_index = {target["account"]: index for index, target in enumerate(form.targets())}
    fields = {}
    for field, problems in error.fields.items():
        index = _first_comment_index(field)
        if index is not None and index < len(order) and order[index] in form_index:
            field = f"targets.{form_index[order[index]]}.first_comment"
        fields.setdefault(field, []).extend(problems)
    error.fields = fields
    return error


def _show_error(form: ComposerForm, error: DomainError) -> None:
    if error.code == "compliance_blocking":
        # A first comment's problem next to that account's first comment (its tab opens); the rest under
        # the text, the service's summary when nothing is in a first comment.
        in_comments = []
        for field, problems in error.fields.items():
            index = _first_comment_index(field)
            if index is not None:
                for problem in problems:
                    form.add_target_error(index, "first_comment", problem)
                in_comments += problems
        if not in_comments:
            form.add_error("text", error.message)
            return
        rest = list(error.fields.get("compliance", []))
        for problem in in_comments:
            if problem in rest:
                rest.remove(problem)
        for problem in dict.fromkeys(rest):
            form.add_error("text", problem)
        return
    if error.code == "compliance_warnings":
        form.add_error("override_warnings", error.message)
        return
    if not error.fields:
        form.add_error(None, error.message)
        return
    for field, problems in error.fields.items():
        index = _first_comment_index(field)
        if index is not None:
            # About one account's first comment: shown in that account's variant, next to the field.
            for problem in problems:
                form.add_target_error(index, "first_comment", problem)
            continue
        option = _option_field(field)
        if option is not None:
            # About one platform setting: in that account's variant, next to the setting.
            for problem in problems:
                form.add_target_error(option[0], option[1], problem)
            continue
        target = _ERROR_FIELDS.get(field.split(".")[0])
        for problem in problems:
            form.add_error(target, problem)


class _ComposerMixin(WorkspacePageMixin):
    template_name = "content/composer.html"
    editing: Post | None = None  # the post being edited (None: a new one)

    def form_kwargs(self):
        return {"workspace": self.workspace}

    def composer_context(self, form: ComposerForm) -> dict:
        accounts = list(form.fields["accounts"].queryset)
        selected = {int(v) for v in (form["accounts"].value() or []) if str(v).isdigit()}
        variants = {}
        first_comments = {}
        stored_options = {}
        if form.is_bound:
            for account in accounts:
                if form.data.get(f"custom_{account.pk}") in ("1", "on", "true"):
                    variants[account.pk] = form.data.get(f"variant_{account.pk}", "")
                first_comments[account.pk] = form.data.get(f"first_comment_{account.pk}", "")
        elif self.editing is not None:
            main = form.initial.get("text", "")
            for target in self.editing.targets.all():
                if target.text != main:
                    variants[target.account_id] = target.text
                first_comments[target.account_id] = target.first_comment
                stored_options[target.account_id] = target.options or {}
        account_rows = []
        saved_targets = {t.account_id: t.pk for t in self.editing.targets.all()} if self.editing else {}
        for account in accounts:
            option = platform_option(account.platform)
            cls = CONNECTORS.get(account.platform)
            errors = form.target_errors.get(account.pk, {})
            settings = settings_rows(account, form, stored_options.get(account.pk), errors)
            account_rows.append(
                {
                    "account": account,
                    "platform": option,
                    "checked": account.pk in selected,
                    "custom": account.pk in variants,
                    "variant": variants.get(account.pk, ""),
                    "limit": cls.capabilities.text_limit if cls else None,
                    "first_comment_limit": cls.capabilities.comment_limit if cls else None,
                    # The first comment field only where the platform posts one (the service decides
                    # again, and refuses a first comment anywhere else).
                    "takes_first_comment": bool(cls and cls.capabilities.first_comment),
                    "first_comment": first_comments.get(account.pk, ""),
                    "first_comment_errors": errors.get("first_comment", []),
                    "settings": settings,
                    "cover_frame": takes_cover_frame(settings),
                    "has_errors": bool(errors),
                    # A saved WeChat Official Account variant opens in the article editor.
                    "wechat_editor": reverse(
                        "content:wechat_editor", args=[self.workspace.pk, saved_targets[account.pk]]
                    )
                    if account.platform == "wechat_oa" and account.pk in saved_targets
                    else "",
                }
            )
        # The chosen media first, in their order (the first image is the cover), then the library.
        chosen_order = list(dict.fromkeys(int(v) for v in (form["media"].value() or []) if str(v).isdigit()))
        chosen_media = set(chosen_order)
        library = list(form.fields["media"].queryset[:40])
        missing = [pk for pk in chosen_order if pk not in {m.pk for m in library}]
        if missing:
            library += list(form.fields["media"].queryset.filter(pk__in=missing))
        position = {pk: index for index, pk in enumerate(chosen_order)}
        library.sort(key=lambda m: (position.get(m.pk, len(position)), -m.pk))
        tag_groups = []
        chosen_tags = {int(v) for v in (form["tags"].value() or []) if str(v).isdigit()}
        for group in selectors.tag_groups(self.workspace):
            tag_groups.append({"group": group, "tags": [(t, t.pk in chosen_tags) for t in group.tags.all()]})
        can_submit = hooks.registered("submit_for_approval") is not None and (
            self.editing is None or self.editing.status == S.DRAFT
        )
        return {
            "form": form,
            "post": self.editing,
            "account_rows": account_rows,
            "media_items": [(m, m.pk in chosen_media) for m in library],
            "tag_groups": tag_groups,
            "can_schedule": self.access.can(C.POST_SCHEDULE),
            "can_upload": self.access.can(C.MEDIA_UPLOAD),
            "check_url": reverse("content:composer_check", args=[self.workspace.pk]),
            "media_api_url": reverse("media-list", args=[self.workspace.pk]),
            "tz_name": self.workspace.timezone,
            "is_scheduled": self.editing is not None and self.editing.status == S.SCHEDULED,
            # "Submit for approval" beside Save, for new posts and drafts; the chain shown for saved ones
            "can_submit": can_submit,
            "approval_route": hooks.approval_route(self.editing)
            if can_submit and self.editing is not None
            else None,
        }

    def get(self, request, *args, **kwargs):
        form = ComposerForm(initial=self.initial(), **self.form_kwargs())
        return self.render_to_response(self.get_context_data(**self.composer_context(form)))

    def post(self, request, *args, **kwargs):
        form = ComposerForm(request.POST, **self.form_kwargs())
        if form.is_valid():
            action = form.cleaned_data["action"]
            if action in (ACTION_SCHEDULE, ACTION_QUEUE) and not self.access.can(C.POST_SCHEDULE):
                form.add_error(None, _("Your role does not allow scheduling; save it as a draft."))
            else:
                try:
                    with transaction.atomic():
                        post = self.save(form)
                except DomainError as error:
                    _show_error(form, error)
                else:
                    done = self.done_message(action, post)
                    messages.success(request, f"{done} {form.time_note}" if form.time_note else done)
                    if action == ACTION_SUBMIT:
                        return redirect("approvals:post_review", self.workspace.pk, post.pk)
                    return redirect("content:post_detail", self.workspace.pk, post.pk)
        return self.render_to_response(self.get_context_data(**self.composer_context(form)))

    def save_alt_texts(self, form: ComposerForm, post: Post) -> Post:
        """Alt texts typed in the composer go to the library assets (after the post's own edit, which
        checked the version the person opened); a changed one resets approvals like any edit."""
        changed = False
        for asset, text in form.alt_texts().items():
            if text != asset.alt_text:
                services.media_update(actor=self.request.user, media=asset, alt_text=text)
                changed = True
        return Post.objects.get(pk=post.pk) if changed else post

    def finish(self, form: ComposerForm, post: Post) -> Post:
        """After the content is saved: schedule, queue, or keep it a draft."""
        data = form.cleaned_data
        action = data["action"]
        try:
            if action == ACTION_SCHEDULE:
                return services.post_schedule(
                    actor=self.request.user,
                    post=post,
                    scheduled_at=data["scheduled_at"],
                    override_warnings=data["override_warnings"],
                )
            if action == ACTION_QUEUE:
                return services.post_add_to_queue(
                    actor=self.request.user, post=post, override_warnings=data["override_warnings"]
                )
            if action == ACTION_SUBMIT:
                hooks.submit_for_approval(post, actor=self.request.user)
                return Post.objects.get(pk=post.pk)
        except DomainError as error:
            raise _in_form_order(error, post, form) from None
        return post

    def done_message(self, action: str, post: Post) -> str:
        if action in (ACTION_SCHEDULE, ACTION_QUEUE):
            return _("Scheduled for %(when)s (%(tz)s).") % {
                "when": timezones.time_label(post.scheduled_at, self.workspace.tzinfo, with_date=True),
                "tz": self.workspace.timezone,
            }
        if action == ACTION_SUBMIT:
            return _("Saved and submitted for approval.")
        return _("Saved as a draft.")


class ComposerCreateView(_ComposerMixin, TemplateView):
    required_capabilities = {"GET": C.POST_CREATE, "POST": C.POST_CREATE}

    def initial(self) -> dict:
        initial = {}
        day = self.request.GET.get("date", "")
        when = _wall_clock(day if "T" in day else f"{day}T10:00:00", self.workspace.tzinfo) if day else None
        if when is not None:
            initial.update(scheduled_date=when.date(), scheduled_time=when.time())
        account = self.request.GET.get("account")
        if account and account.isdigit():
            initial["accounts"] = [int(account)]
        return initial

    def save(self, form: ComposerForm) -> Post:
        data = form.cleaned_data
        post = services.post_create(
            actor=self.request.user,
            workspace=self.workspace,
            targets=form.targets(),
            title=data["title"],
            campaign=data["campaign"].pk if data["campaign"] else None,
            tags=[t.pk for t in data["tags"]],
            scheduled_at=data["scheduled_at"],
            is_paid_or_kol=data["is_paid_or_kol"],
        )
        post = self.save_alt_texts(form, post)
        return self.finish(form, post)


class ComposerEditView(_ComposerMixin, TemplateView):
    required_capabilities = {"GET": C.POST_EDIT, "POST": C.POST_EDIT}

    def dispatch_post(self):
        if self.editing is None:
            self.editing = _loaded_post(self.workspace, self.kwargs["post_id"])
        return self.editing

    def form_kwargs(self):
        # A save that leaves the shown date and time alone keeps the post's instant exactly.
        return {**super().form_kwargs(), "keep": self.editing.scheduled_at}

    def get(self, request, *args, **kwargs):
        self.dispatch_post()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.dispatch_post()
        return super().post(request, *args, **kwargs)

    def initial(self) -> dict:
        post = self.editing
        targets = list(post.targets.all())
        texts = [t.text for t in targets]
        main = max(texts, key=texts.count) if texts else ""
        media = []
        for target in targets:
            for link in target.media_links.all():
                if link.media_id not in media:
                    media.append(link.media_id)
        initial = {
            "title": post.title,
            "accounts": [t.account_id for t in targets],
            "text": main,
            "media": media,
            "campaign": post.campaign_id,
            "tags": [t.pk for t in post.tags.all()],
            "is_paid_or_kol": post.is_paid_or_kol,
            "version": post.version,
        }
        if post.scheduled_at:
            tz = self.workspace.tzinfo
            local = timezone.localtime(post.scheduled_at, tz)
            initial.update(scheduled_date=local.date(), scheduled_time=local.time().replace(second=0))
            # Which of two repeated wall times (a fall-back day's 01:30s) the post is at, shown as chosen.
            initial["time_choice"] = timezones.occurrence(post.scheduled_at, tz)
        return initial

    def typed_targets(self, form: ComposerForm, post: Post) -> list[dict]:
        """The variants as typed, with what the composer does not show kept: a WeChat variant's push
        settings and images placed in the WeChat editor (content.services.wechat_push.keep_editor_work)."""
        from ..services.wechat_push import keep_editor_work

        stored = {
            t.account_id: t for t in post.targets.select_related("account").prefetch_related("media_links")
        }
        out = []
        for typed in form.targets():
            target = stored.get(typed["account"])
            if target is not None and target.account.platform == "wechat_oa":
                media = [link.media_id for link in sorted(target.media_links.all(), key=lambda m: m.position)]
                typed = keep_editor_work(target.options or {}, media, typed)
            out.append(typed)
        return out

    def save(self, form: ComposerForm) -> Post:
        data = form.cleaned_data
        post = self.editing
        changes = {
            "title": data["title"],
            "campaign": data["campaign"].pk if data["campaign"] else None,
            "tags": [t.pk for t in data["tags"]],
            "is_paid_or_kol": data["is_paid_or_kol"],
            "targets": self.typed_targets(form, post),
        }
        # A scheduled post moves with the schedule action (post_schedule), not with an edit.
        if post.status != S.SCHEDULED:
            changes["scheduled_at"] = data["scheduled_at"]
        version = data.get("version") or post.version
        post = services.post_update(actor=self.request.user, post=post, version=version, **changes)
        post = self.save_alt_texts(form, post)
        if data["action"] == ACTION_DRAFT and post.status == S.SCHEDULED:
            return services.post_unschedule(actor=self.request.user, post=post)
        return self.finish(form, post)


class ComposerCheckView(WorkspaceViewMixin, View):
    """The composer's live check: per account, the length by the platform's own rule and the compliance
    findings (with UTF-16 spans for highlighting) of its text and, where the platform posts one, of its
    first comment (findings with `field` "first_comment", and the first comment's own count); and the
    findings of the main text."""

    required_capabilities = {"POST": C.POST_VIEW}

    def post(self, request, workspace_id):
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse(
                {"error": {"code": "invalid", "message": _("Invalid JSON."), "fields": {}}}, status=400
            )
        if not isinstance(body, dict):
            body = {}
        main = str(body.get("text") or "")
        paid = bool(body.get("is_paid_or_kol"))
        media = [int(m) for m in body.get("media") or [] if str(m).isdigit()]
        variants = [
            v
            for v in body.get("variants") or []
            if isinstance(v, dict) and str(v.get("account", "")).isdigit()
        ]
        try:
            result = {"main": [], "variants": []}
            account_ids = [int(v["account"]) for v in variants]
            accounts = {
                a.pk: a for a in SocialAccount.objects.filter(workspace=self.workspace, pk__in=account_ids)
            }
            follows_main = []
            for variant in variants:
                account = accounts.get(int(variant["account"]))
                if account is None:
                    raise Http404
                text = main if not variant.get("custom") else str(variant.get("text") or "")
                # A first comment only where the platform posts one (the composer shows no field elsewhere).
                takes_comment = services.takes_first_comment(account.platform)
                first_comment = str(variant.get("first_comment") or "") if takes_comment else ""
                findings, _platforms = services.compliance_check_text(
                    workspace=self.workspace,
                    text=text,
                    accounts=[account.pk],
                    media=media,
                    is_paid_or_kol=paid,
                    first_comment=first_comment,
                )
                if not variant.get("custom"):
                    follows_main.append(account.pk)
                in_comment = [f for f in findings if f.field == compliance.FIRST_COMMENT]
                result["variants"].append(
                    {
                        "account": account.pk,
                        "platform": account.platform,
                        "custom": bool(variant.get("custom")),
                        **text_count(account.platform, text),
                        "blocking": any(f.blocking for f in findings),
                        "findings": [f.to_dict() for f in findings],
                        # Counted by the same rule as the text (the connector's count_text), against
                        # the first comment's own limit.
                        "first_comment": {
                            **text_count(account.platform, first_comment, first_comment=True),
                            "blocking": any(f.blocking for f in in_comment),
                        }
                        if takes_comment
                        else None,
                    }
                )
            findings, _platforms = services.compliance_check_text(
                workspace=self.workspace, text=main, accounts=follows_main, media=media, is_paid_or_kol=paid
            )
            result["main"] = [f.to_dict() for f in findings]
        except DomainError as error:
            return _error_json(error)
        return JsonResponse(result)

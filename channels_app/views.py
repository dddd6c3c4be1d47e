"""Dashboard pages of the account matrix: the matrix, connect flows, organising, disconnecting.

Thin views: parse a form, call one service or selector, render. Reading needs account.view; everything
that connects, organises or disconnects needs account.connect (admins and managers).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability
from accounts.selectors import organization_membership_for
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error

from . import selectors, services
from .forms import (
    AccountEditForm,
    AccountGroupForm,
    AccountGroupRenameForm,
    AppCredentialsForm,
    AppPasswordForm,
    AssistedAccountForm,
    MatrixFilterForm,
)
from .models import PLATFORM_LABELS, Platform, SocialAccount

VIEW, CONNECT = Capability.ACCOUNT_VIEW, Capability.ACCOUNT_CONNECT
CHINESE_PLATFORMS = ("wechat_oa", "weibo", "douyin", "bilibili", "kuaishou", "xiaohongshu", "wechat_channels")
# Brand colours for the platform marks on the matrix.
PLATFORM_COLORS = {
    "wechat_oa": "#07c160",
    "weibo": "#e6162d",
    "douyin": "#161823",
    "bilibili": "#fb7299",
    "kuaishou": "#ff4906",
    "xiaohongshu": "#ff2442",
    "wechat_channels": "#fa9d3b",
    "x": "#0f1419",
    "facebook": "#1877f2",
    "instagram": "#c13584",
    "linkedin": "#0a66c2",
    "tiktok": "#25f4ee",
    "youtube": "#ff0000",
    "mastodon": "#6364ff",
    "bluesky": "#1185fe",
}
PLATFORM_MARKS = {
    "wechat_oa": "微",
    "weibo": "博",
    "douyin": "抖",
    "bilibili": "B",
    "kuaishou": "快",
    "xiaohongshu": "红",
    "wechat_channels": "视",
    "x": "X",
    "facebook": "f",
    "instagram": "IG",
    "linkedin": "in",
    "tiktok": "TT",
    "youtube": "YT",
    "mastodon": "M",
    "bluesky": "B",
}
PLATFORM_SHORT_LABELS = {"wechat_oa": gettext_lazy("WeChat OA"), "wechat_channels": gettext_lazy("Channels")}
FORMS_BY_KIND = {
    "app_credentials": AppCredentialsForm,
    "app_password": AppPasswordForm,
    "assisted": AssistedAccountForm,
}


@dataclass(frozen=True)
class PlatformOption:
    key: str
    label: str
    auth: str  # "oauth2", "oauth2_pkce", "app_credentials", "app_password", "assisted"
    color: str
    mark: str
    region: str  # "china" or "global"
    short: str = ""  # for the compact connect buttons

    @property
    def is_oauth(self) -> bool:
        return self.auth in services.OAUTH_KINDS


def platform_option(key: str) -> PlatformOption:
    return PlatformOption(
        key=key,
        label=str(PLATFORM_LABELS.get(key, key)),
        auth=services.platform_auth_kind(key),
        color=PLATFORM_COLORS.get(key, "#4f46e5"),
        mark=PLATFORM_MARKS.get(key, key[:1].upper()),
        region="china" if key in CHINESE_PLATFORMS else "global",
        short=str(PLATFORM_SHORT_LABELS.get(key) or PLATFORM_LABELS.get(key, key)),
    )


def platform_options() -> list[PlatformOption]:
    return [option for option in map(platform_option, Platform.values) if option.auth]


def organization_is_administered_by(organization_id: int, user) -> bool:
    membership = organization_membership_for(user=user, organization_id=organization_id)
    return membership is not None and membership.is_org_admin


def matrix_url(workspace_id: int) -> str:
    return reverse("dashboard:accounts", args=[workspace_id])


def _rows(accounts) -> list[dict]:
    return [
        {
            "account": account,
            "health": selectors.social_account_health(account),
            "platform": platform_option(account.platform),
        }
        for account in accounts
    ]


class AccountMatrixView(WorkspacePageMixin, TemplateView):
    """/w/<workspace_id>/accounts/: every account of the workspace, grouped by platform or by group."""

    template_name = "channels_app/matrix.html"
    required_capabilities = {"GET": VIEW}

    def get_context_data(self, rename_failed=(None, None), **kwargs):
        context = super().get_context_data(**kwargs)
        workspace = self.workspace
        groups = list(selectors.account_groups_for_workspace(workspace))
        failed_id, failed_form = rename_failed
        tags = selectors.workspace_tags(workspace)
        form = MatrixFilterForm(self.request.GET or None, groups=groups, tags=tags)
        by = form.value("by") or "platform"
        accounts = list(
            selectors.social_accounts_for_workspace(
                workspace,
                platform=form.value("platform"),
                group_id=form.value("group") or None,
                status=form.value("status"),
                tag=form.value("tag"),
            )
        )
        rows = _rows(accounts)
        if by == "group":
            sections = []
            for group in groups:
                members = [row for row in rows if group in row["account"].groups.all()]
                if members:
                    sections.append({"title": group.name, "subtitle": group.description, "rows": members})
            loose = [row for row in rows if not row["account"].groups.all()]
            if loose:
                sections.append({"title": _("Not in a group"), "subtitle": "", "rows": loose})
        else:
            sections = []
            for key in Platform.values:
                members = [row for row in rows if row["account"].platform == key]
                if members:
                    option = platform_option(key)
                    sections.append({"title": option.label, "platform": option, "rows": members})
        health_counts = {"ok": 0, "expiring": 0, "expired": 0, "problem": 0}
        for row in rows:
            kind = row["health"].kind
            if kind in ("ok", "assisted"):
                health_counts["ok"] += 1
            elif kind == "expiring":
                health_counts["expiring"] += 1
            elif kind == "expired":
                health_counts["expired"] += 1
            else:
                health_counts["problem"] += 1
        options = platform_options()
        context.update(
            filter_form=form,
            by=by,
            sections=sections,
            total=len(rows),
            health_counts=health_counts,
            can_connect=self.access.can(CONNECT),
            china_options=[o for o in options if o.region == "china"],
            global_options=[o for o in options if o.region == "global"],
            groups=groups,
            group_rows=[
                {
                    "group": group,
                    "failed": group.pk == failed_id,
                    "form": failed_form
                    if group.pk == failed_id
                    else AccountGroupRenameForm(
                        initial={"name": group.name}, auto_id=f"id_group{group.pk}_%s"
                    ),
                }
                for group in groups
            ],
            group_form=AccountGroupForm(),
            filtered=any(form.value(name) for name in ("platform", "group", "status", "tag")),
            organization_view_url=(
                reverse("channels:organization_accounts", args=[workspace.organization_id])
                if self.access.via == "organization"
                or organization_is_administered_by(workspace.organization_id, self.request.user)
                else ""
            ),
        )
        return context


class ConnectView(WorkspaceViewMixin, TemplateView):
    """/w/<id>/accounts/connect/<platform>/: OAuth platforms redirect to the consent page on POST;
    the others show their form (app credentials, app password, assisted account)."""

    template_name = "channels_app/connect.html"
    required_capabilities = {"GET": CONNECT, "POST": CONNECT}

    def _option(self) -> PlatformOption:
        platform = self.kwargs["platform"]
        if platform not in Platform.values:
            raise Http404
        option = platform_option(platform)
        if not option.auth:
            raise Http404
        return option

    def _form(self, option: PlatformOption, data=None):
        form_class = FORMS_BY_KIND.get(option.auth)
        if form_class is None:
            return None
        if form_class is AssistedAccountForm:
            initial = {"handle": self.request.GET.get("handle", "")}
            if self.access.member is not None:
                initial["responsible"] = str(self.access.member.pk)
            return form_class(
                data,
                initial=initial,
                members=selectors.workspace_members_for_choice(self.workspace),
            )
        return form_class(data, initial={"handle": self.request.GET.get("handle", "")})

    def get(self, request, *args, **kwargs):
        option = self._option()
        return self.render_to_response(self.get_context_data(option=option, form=self._form(option)))

    def post(self, request, workspace_id, platform):
        option = self._option()
        if option.is_oauth:
            redirect_uri = request.build_absolute_uri(reverse("channels:oauth_callback", args=[platform]))
            try:
                start = services.social_account_connect_start(
                    actor=request.user,
                    workspace=self.workspace,
                    platform=platform,
                    redirect_uri=redirect_uri,
                    session_key=request.session.session_key,
                )
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(matrix_url(self.workspace.pk))
            return HttpResponseRedirect(start.authorization_url)
        form = self._form(option, request.POST)
        if form.is_valid():
            try:
                if option.auth == "assisted":
                    account = services.social_account_add_assisted(
                        actor=request.user,
                        workspace=self.workspace,
                        platform=platform,
                        handle=form.cleaned_data["handle"],
                        display_name=form.cleaned_data["display_name"],
                        responsible_id=form.cleaned_data["responsible"],
                    )
                else:
                    account = services.social_account_connect_with_credentials(
                        actor=request.user,
                        workspace=self.workspace,
                        platform=platform,
                        fields=form.cleaned_data,
                    )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(platform)s account @%(handle)s is connected.")
                    % {"platform": option.label, "handle": account.handle},
                )
                return redirect(matrix_url(self.workspace.pk))
        return self.render_to_response(self.get_context_data(option=option, form=form), status=400)


class OAuthCallbackView(LoginRequiredMixin, View):
    """/connect/<platform>/callback/: where the platform sends the person back with `code` and `state`.

    The workspace comes from the signed state, never from the URL; the service checks the state belongs
    to this person and this session, is unused and unexpired, and that the person may still connect.
    """

    def get(self, request, platform):
        state = request.GET.get("state", "")
        try:
            account = services.social_account_connect_callback(
                actor=request.user,
                platform=platform,
                state=state,
                code=request.GET.get("code", ""),
                error=request.GET.get("error", ""),
                session_key=request.session.session_key,
            )
        except DomainError as error:
            messages.error(request, error.message)
            workspace_id = _workspace_from_state(state)
            if workspace_id is None:
                return redirect("dashboard:home")
            return redirect(matrix_url(workspace_id))
        messages.success(
            request,
            _("%(platform)s account @%(handle)s is connected.")
            % {"platform": account.get_platform_display(), "handle": account.handle},
        )
        return redirect(matrix_url(account.workspace_id))


def _workspace_from_state(state: str) -> int | None:
    try:
        payload = signing.loads(state, salt=services.STATE_SALT)
    except signing.BadSignature:
        return None
    workspace_id = payload.get("w") if isinstance(payload, dict) else None
    return workspace_id if isinstance(workspace_id, int) else None


class AccountObjectMixin:
    def get_account(self) -> SocialAccount:
        account = selectors.social_account_get(self.workspace, self.kwargs["account_id"])
        if account is None:
            raise Http404
        return account


class DisconnectView(AccountObjectMixin, WorkspaceViewMixin, View):
    required_capabilities = {"POST": CONNECT}

    def post(self, request, workspace_id, account_id):
        account = services.social_account_disconnect(actor=request.user, account=self.get_account())
        messages.success(
            request,
            _("@%(handle)s is disconnected; its history is kept. Reconnect it any time.")
            % {"handle": account.handle},
        )
        return redirect(matrix_url(self.workspace.pk))


class AccountEditView(AccountObjectMixin, WorkspaceViewMixin, TemplateView):
    """Responsible person, tags and groups of one account."""

    template_name = "channels_app/account_edit.html"
    required_capabilities = {"GET": VIEW, "POST": CONNECT}

    def _form(self, account, data=None):
        initial = {
            "responsible": str(account.responsible_id or ""),
            "tags": ", ".join(account.tags),
            "groups": [str(group.pk) for group in account.groups.all()],
        }
        return AccountEditForm(
            data,
            initial=initial,
            members=selectors.workspace_members_for_choice(self.workspace),
            groups=selectors.account_groups_for_workspace(self.workspace),
        )

    def get(self, request, *args, **kwargs):
        account = self.get_account()
        return self.render_to_response(
            self.get_context_data(
                account=account,
                health=selectors.social_account_health(account),
                platform=platform_option(account.platform),
                form=self._form(account),
                can_connect=self.access.can(CONNECT),
            )
        )

    def post(self, request, workspace_id, account_id):
        account = self.get_account()
        form = self._form(account, request.POST)
        if form.is_valid():
            try:
                services.social_account_update(
                    actor=request.user,
                    account=account,
                    tags=form.tag_list(),
                    group_ids=form.cleaned_data["groups"],
                    responsible_id=form.cleaned_data["responsible"] or None,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(matrix_url(self.workspace.pk))
        return self.render_to_response(
            self.get_context_data(
                account=account,
                health=selectors.social_account_health(account),
                platform=platform_option(account.platform),
                form=form,
                can_connect=True,
            ),
            status=400,
        )


class GroupCreateView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": CONNECT}

    def post(self, request, workspace_id):
        form = AccountGroupForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the group a name."))
            return redirect(matrix_url(self.workspace.pk))
        try:
            group = services.account_group_create(
                actor=request.user, workspace=self.workspace, **form.cleaned_data
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
        return redirect(matrix_url(self.workspace.pk))


class GroupRenameView(WorkspaceViewMixin, View):
    """Rename a group inline on the matrix (account_group_update, the API's PATCH). A refusal re-renders
    the matrix (400) with the message under that group's name field."""

    required_capabilities = {"POST": CONNECT}

    def post(self, request, workspace_id, group_id):
        group = selectors.account_group_get(self.workspace, group_id)
        if group is None:
            raise Http404
        form = AccountGroupRenameForm(request.POST, auto_id=f"id_group{group.pk}_%s")
        if form.is_valid():
            try:
                renamed = services.account_group_update(
                    actor=request.user, group=group, name=form.cleaned_data["name"]
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Group “%(old)s” is now “%(new)s”.") % {"old": group.name, "new": renamed.name},
                )
                return redirect(matrix_url(self.workspace.pk))
        page = AccountMatrixView(request=request, args=(), kwargs=self.kwargs)
        page.workspace, page.access = self.workspace, self.access
        context = page.get_context_data(rename_failed=(group.pk, form))
        return page.render_to_response(context, status=400)


class GroupDeleteView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": CONNECT}

    def post(self, request, workspace_id, group_id):
        group = selectors.account_group_get(self.workspace, group_id)
        if group is None:
            raise Http404
        services.account_group_delete(actor=request.user, group=group)
        messages.success(request, _("Group “%(name)s” deleted; its accounts stay.") % {"name": group.name})
        return redirect(matrix_url(self.workspace.pk))


class OrganizationAccountsView(LoginRequiredMixin, TemplateView):
    """/org/<organization_id>/accounts/: every account of every workspace, for the organization's admins.

    Not a member: 404. A member who is not an owner or admin: 403.
    """

    template_name = "channels_app/organization_accounts.html"

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        platform = self.request.GET.get("platform", "")
        if status not in [*SocialAccount.Status.values, "disconnected"]:
            status = ""
        if platform not in Platform.values:
            platform = ""
        rows = _rows(
            selectors.social_accounts_for_organization(self.organization, platform=platform, status=status)
        )
        workspaces: dict[int, dict] = {}
        for row in rows:
            workspace = row["account"].workspace
            entry = workspaces.setdefault(workspace.pk, {"workspace": workspace, "rows": []})
            entry["rows"].append(row)
        context.update(
            organization=self.organization,
            workspace_sections=list(workspaces.values()),
            total=len(rows),
            needs_attention=sum(1 for row in rows if row["health"].kind not in ("ok", "assisted")),
            status=status,
            platform=platform,
            status_choices=[*SocialAccount.Status.choices, ("disconnected", _("Disconnected"))],
            platform_choices=Platform.choices,
        )
        return context

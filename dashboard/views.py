"""The browser dashboard: thin views that parse a form, call one service or selector, and render.

Workspace pages inherit core.views.WorkspaceViewMixin (workspace from the URL, 404 without access, a
capability per HTTP method). Services decide; their DomainErrors are shown next to the form field.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.models import Invitation, Organization
from accounts.roles import Capability as C
from accounts.roles import Role
from accounts.selectors import organization_membership_for, workspace_access_for, workspaces_for_user
from budgets.models import CapMode, SpendKind, SpendStatus
from budgets.models import Category as BudgetCategory
from core.errors import DomainError
from core.timezones import day_start
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error
from inbox.models import ItemStatus, Priority
from objectives.models import Kpi, RateBasis
from objectives.models import PeriodKind as ObjectivePeriod
from objectives.models import Scope as ObjectiveScope
from publishing.forms import EVENT_CHOICES as WEBHOOK_EVENT_CHOICES

from . import selectors
from .audit_labels import AUDIT_ACTION_LABELS, AUDIT_FIELD_LABELS
from .context_processors import LAST_WORKSPACE_SESSION_KEY
from .forms import (
    AgencyAssignmentForm,
    AgencyGrantForm,
    AuditFilterForm,
    InvitationForm,
    MemberRoleForm,
    ProfileForm,
    RoleCeilingForm,
    TokenCreateForm,
    WorkspaceSettingsForm,
    roles_within,
)
from .personal_zone import PersonalPageMixin

# Readable names for audit actions; actions added later by other apps fall back to their code.
AUDIT_PAGE_SIZE = 50
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def save_changes(view, form, *, update, here, saved: str):
    """A settings form's POST: the changed fields to `update` (a service); "Nothing changed" when none;
    a refusal next to its field (400), else `saved` and back to `here`."""
    if form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        if not changes:
            messages.info(view.request, _("Nothing changed."))
            return here
        try:
            update(**changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(view.request, saved)
            return here
    return view.render_to_response(view.get_context_data(form=form), status=400)


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("Please check the form.")


def _not_found():
    raise Http404


# --- shared mixins ---------------------------------------------------------------------------------


class AgencyAdminMixin(LoginRequiredMixin):
    """Pages of an agency organization, for its owners and admins: 404 for outsiders, 403 for members."""

    organization: Organization | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = organization_membership_for(
            user=request.user, organization_id=kwargs.get("organization_id")
        )
        if membership is None or membership.organization.kind != Organization.Kind.AGENCY:
            raise Http404
        if not membership.is_org_admin:
            raise PermissionDenied
        self.organization = membership.organization
        return super().dispatch(request, *args, **kwargs)


# --- entry points ----------------------------------------------------------------------------------


def _set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class HomeView(LoginRequiredMixin, TemplateView):
    """`/` (where sign-in lands): the workspace used last, else the first one, else a friendly page.

    A person who saved a non-default preferred language and has not picked one in this browser yet gets
    it here, right after signing in; the language switch in the top bar always wins afterwards.
    """

    template_name = "dashboard/no_workspace.html"

    def get(self, request, *args, **kwargs):
        response = self._destination(request, *args, **kwargs)
        preferred = request.user.language
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and preferred
            and preferred != settings.LANGUAGE_CODE
        ):
            _set_language_cookie(response, preferred)
        return response

    def _destination(self, request, *args, **kwargs):
        last_id = request.session.get(LAST_WORKSPACE_SESSION_KEY)
        if last_id is not None and workspace_access_for(user=request.user, workspace_id=last_id):
            return redirect("dashboard:workspace_home", last_id)
        first = workspaces_for_user(user=request.user).first()
        if first is not None:
            return redirect("dashboard:workspace_home", first.pk)
        return super().get(request, *args, **kwargs)


class WorkspaceHomeView(WorkspacePageMixin, TemplateView):
    """My work: what this person has to do here, in blocks their role can act on (dashboard.selectors.
    my_work), times in the workspace's zone."""

    template_name = "dashboard/workspace_home.html"
    required_capabilities = {"GET": C.WORKSPACE_VIEW}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access = self.access
        context["blocks"] = selectors.my_work(self.workspace, user=self.request.user, access=access)
        context["role_label"] = Role(access.role).label
        return context


# --- members and invitations -----------------------------------------------------------------------


def _member_row_context(access, member) -> dict:
    return {
        "member": member,
        "role_label": Role(member.role).label,
        "role_choices": roles_within(member.grant.role_ceiling) if member.grant_id else Role.choices,
        "can_manage": access.can(C.MEMBER_MANAGE),
    }


class MembersView(WorkspacePageMixin, TemplateView):
    template_name = "dashboard/settings/members.html"
    required_capabilities = {"GET": C.MEMBER_VIEW, "POST": C.MEMBER_MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("invite_form", InvitationForm())
        context = super().get_context_data(**kwargs)
        context["member_rows"] = [
            _member_row_context(self.access, member) for member in selectors.workspace_members(self.workspace)
        ]
        context["invitations"] = selectors.workspace_open_invitations(self.workspace)
        context["can_manage"] = self.access.can(C.MEMBER_MANAGE)
        return context

    def post(self, request, *args, **kwargs):
        """Invite someone by email with a role."""
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation, _token = services.invitation_create(
                    actor=request.user,
                    workspace=self.workspace,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("dashboard:members", self.workspace.pk)
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class MemberRoleView(WorkspaceViewMixin, View):
    """Change a member's role. With htmx the row is swapped in place (including any error)."""

    required_capabilities = {"POST": C.MEMBER_MANAGE}

    def post(self, request, workspace_id, member_id):
        member = selectors.workspace_member_get(self.workspace, member_id) or _not_found()
        form = MemberRoleForm(request.POST)
        error = None
        if form.is_valid():
            try:
                services.member_change_role(actor=request.user, member=member, role=form.cleaned_data["role"])
            except DomainError as exc:
                error = exc.message
        else:
            error = _first_error(form)
        if request.htmx:
            member = selectors.workspace_member_get(self.workspace, member_id)
            context = _member_row_context(self.access, member) | {
                "workspace": self.workspace,
                "row_error": error,
                "row_saved": error is None,
            }
            return render(request, "dashboard/settings/_member_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": member.user.get_full_name(), "role": Role(form.cleaned_data["role"]).label},
            )
        return redirect("dashboard:members", self.workspace.pk)


class MemberRemoveView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.MEMBER_MANAGE}

    def post(self, request, workspace_id, member_id):
        member = selectors.workspace_member_get(self.workspace, member_id) or _not_found()
        try:
            services.member_remove(actor=request.user, member=member)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("dashboard:members", self.workspace.pk)
        messages.success(
            request, _("%(person)s was removed from the workspace.") % {"person": member.user.get_full_name()}
        )
        if member.user_id == request.user.pk:
            return redirect("dashboard:home")
        return redirect("dashboard:members", self.workspace.pk)


class InvitationResendView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.MEMBER_MANAGE}

    def post(self, request, workspace_id, invitation_id):
        invitation = selectors.workspace_invitation_get(self.workspace, invitation_id) or _not_found()
        try:
            services.invitation_resend(actor=request.user, invitation=invitation)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Invitation re-sent to %(email)s.") % {"email": invitation.email})
        return redirect("dashboard:members", self.workspace.pk)


class InvitationRevokeView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.MEMBER_MANAGE}

    def post(self, request, workspace_id, invitation_id):
        invitation = selectors.workspace_invitation_get(self.workspace, invitation_id) or _not_found()
        try:
            services.invitation_revoke(actor=request.user, invitation=invitation)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
            )
        return redirect("dashboard:members", self.workspace.pk)


# --- agency access (client side) -------------------------------------------------------------------


class AgenciesView(WorkspacePageMixin, TemplateView):
    template_name = "dashboard/settings/agencies.html"
    required_capabilities = {"GET": C.AGENCY_MANAGE, "POST": C.AGENCY_MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("grant_form", AgencyGrantForm())
        context = super().get_context_data(**kwargs)
        context["grants"] = [
            {
                "grant": grant,
                "ceiling_label": Role(grant.role_ceiling).label,
                "people": [
                    {"member": member, "role_label": Role(member.role).label}
                    for member in grant.assignments.all()
                ],
            }
            for grant in selectors.workspace_active_grants(self.workspace)
        ]
        context["role_choices"] = Role.choices
        return context

    def post(self, request, *args, **kwargs):
        """Grant an agency organization (found by slug) access up to a role ceiling."""
        form = AgencyGrantForm(request.POST)
        if form.is_valid():
            agency = selectors.agency_by_slug(form.cleaned_data["agency"])
            if agency is None:
                form.add_error("agency", _("No agency organization has this slug."))
            else:
                try:
                    services.agency_grant_create(
                        actor=request.user,
                        workspace=self.workspace,
                        agency=agency,
                        role_ceiling=form.cleaned_data["role_ceiling"],
                    )
                except DomainError as error:
                    apply_domain_error(form, error)
                else:
                    messages.success(request, _("%(agency)s now has access.") % {"agency": agency.name})
                    return redirect("dashboard:agencies", self.workspace.pk)
        return self.render_to_response(self.get_context_data(grant_form=form), status=400)


class AgencyCeilingView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.AGENCY_MANAGE}

    def post(self, request, workspace_id, grant_id):
        grant = selectors.workspace_grant_get(self.workspace, grant_id) or _not_found()
        form = RoleCeilingForm(request.POST)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return redirect("dashboard:agencies", self.workspace.pk)
        try:
            services.agency_grant_change_ceiling(
                actor=request.user, grant=grant, role_ceiling=form.cleaned_data["role_ceiling"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(agency)s is now limited to the %(role)s role.")
                % {"agency": grant.agency.name, "role": Role(form.cleaned_data["role_ceiling"]).label},
            )
        return redirect("dashboard:agencies", self.workspace.pk)


class AgencyRevokeView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.AGENCY_MANAGE}

    def post(self, request, workspace_id, grant_id):
        grant = selectors.workspace_grant_get(self.workspace, grant_id) or _not_found()
        try:
            services.agency_grant_revoke(actor=request.user, grant=grant)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(agency)s no longer has access.") % {"agency": grant.agency.name})
        return redirect("dashboard:agencies", self.workspace.pk)


# --- agency home (agency side) ---------------------------------------------------------------------


class AgencyHomeView(AgencyAdminMixin, TemplateView):
    """The client workspaces granted to an agency, and who of the agency works in each."""

    template_name = "dashboard/agency_home.html"

    def get_context_data(self, **kwargs):
        failed_grant_id, failed_form = kwargs.pop("failed", (None, None))
        context = super().get_context_data(**kwargs)
        people = [membership.user for membership in selectors.agency_people(self.organization)]
        cards = []
        for grant in selectors.agency_grants_with_assignments(self.organization):
            assigned = list(grant.assignments.all())
            assigned_ids = {member.user_id for member in assigned}
            if grant.pk == failed_grant_id:
                form = failed_form
            else:
                form = self._assignment_form(grant, people, assigned_ids)
            cards.append(
                {
                    "grant": grant,
                    "ceiling_label": Role(grant.role_ceiling).label,
                    "assigned": [{"member": m, "role_label": Role(m.role).label} for m in assigned],
                    "form": form,
                    "has_candidates": bool(form.fields["user"].choices),
                }
            )
        context.update(organization=self.organization, cards=cards, people=people)
        return context

    @staticmethod
    def _assignment_form(grant, people, assigned_ids, data=None):
        candidates = [person for person in people if person.pk not in assigned_ids]
        form = AgencyAssignmentForm(
            data, people=candidates, ceiling=grant.role_ceiling, auto_id=f"id_grant{grant.pk}_%s"
        )
        form.fields["role"].widget.choices = form.allowed_roles
        return form


class AgencyAssignView(AgencyAdminMixin, View):
    def post(self, request, organization_id, grant_id):
        grant = selectors.agency_grant_get(self.organization, grant_id) or _not_found()
        people = [membership.user for membership in selectors.agency_people(self.organization)]
        assigned_ids = {member.user_id for member in grant.assignments.all()}
        form = AgencyHomeView._assignment_form(grant, people, assigned_ids, data=request.POST)
        if form.is_valid():
            person = selectors.agency_person_get(self.organization, form.cleaned_data["user"])
            try:
                if person is None:
                    raise DomainError(_("Only people of your agency can be assigned."), field="user")
                services.agency_assignment_create(
                    actor=request.user, grant=grant, user=person, role=form.cleaned_data["role"]
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(person)s now works in %(workspace)s.")
                    % {"person": person.get_full_name(), "workspace": grant.workspace.name},
                )
                return redirect("dashboard:agency_home", self.organization.pk)
        view = AgencyHomeView(request=request, kwargs=self.kwargs, args=())
        view.organization = self.organization
        context = view.get_context_data(failed=(grant.pk, form))
        return render(request, AgencyHomeView.template_name, context, status=400)


class AgencyUnassignView(AgencyAdminMixin, View):
    def post(self, request, organization_id, member_id):
        member = selectors.agency_assignment_get(self.organization, member_id) or _not_found()
        try:
            services.agency_assignment_remove(actor=request.user, member=member)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(person)s no longer works in %(workspace)s.")
                % {"person": member.user.get_full_name(), "workspace": member.workspace.name},
            )
        return redirect("dashboard:agency_home", self.organization.pk)


# --- audit log -------------------------------------------------------------------------------------


# Budgets' coded values, in words (budgets.services name these fields apart from other objects').
BUDGET_VALUE_LABELS = {
    "category": dict(BudgetCategory.choices),
    "cap_mode": dict(CapMode.choices),
    "spend_kind": dict(SpendKind.choices),
    "spend_status": dict(SpendStatus.choices),
    # objectives (objectives.services names these keys apart too)
    "objective_period": dict(ObjectivePeriod.choices),
    "objective_scope": dict(ObjectiveScope.choices),
    "kpi": dict(Kpi.choices),
    "rate_basis": dict(RateBasis.choices),
}


def _readable(field: str, value, zone=None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and ISO_INSTANT.match(value):
        # Instants are stored in UTC (ISO 8601); the log shows them in the workspace's time zone.
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None and zone is not None:
            return date_format(moment.astimezone(zone), "Y-m-d H:i")
    if field == "lowered_members" and isinstance(value, list):
        return ngettext("%(count)s person", "%(count)s people", len(value)) % {"count": len(value)}
    if field in ("role", "role_ceiling") and value in Role.values:
        return str(Role(value).label)
    if field in BUDGET_VALUE_LABELS and value in BUDGET_VALUE_LABELS[field]:
        return str(BUDGET_VALUE_LABELS[field][value])
    if field == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if field == "priority" and value in Priority.values:
        return str(Priority(value).label)
    if field == "status" and value in ItemStatus.values:  # the inbox's; other statuses read as before
        return str(ItemStatus(value).label)
    if field == "events" and isinstance(value, list):
        labels = dict(WEBHOOK_EVENT_CHOICES)
        return ", ".join(str(labels.get(event, event)) for event in value) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _changes(before: dict | None, after: dict | None, zone=None) -> list[dict]:
    before, after = before or {}, after or {}
    fields = list(before) + [field for field in after if field not in before]
    return [
        {
            "label": AUDIT_FIELD_LABELS.get(field, field),
            "before": _readable(field, before.get(field), zone) if field in before else None,
            "after": _readable(field, after.get(field), zone) if field in after else None,
        }
        for field in fields
    ]


def _audit_rows(events, zone=None) -> list[dict]:
    return [
        {
            "event": event,
            "action_label": AUDIT_ACTION_LABELS.get(event.action, event.action),
            "actor": event.actor.get_full_name() if event.actor else (event.actor_label or _("System")),
            "changes": _changes(event.before, event.after, zone),
        }
        for event in events
    ]


class AuditLogView(WorkspacePageMixin, TemplateView):
    template_name = "dashboard/settings/audit.html"
    required_capabilities = {"GET": C.AUDIT_VIEW}

    def render_to_response(self, context, **response_kwargs):
        # Filters that are not valid (a reversed date range) are a 400, shown next to their field.
        form = context["filter_form"]
        if form.is_bound and form.errors:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workspace = self.workspace
        form = AuditFilterForm(
            self.request.GET or None,
            actions=selectors.workspace_audit_actions(workspace),
            actors=selectors.workspace_audit_actors(workspace),
            action_labels=AUDIT_ACTION_LABELS,
        )
        filters = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            zone = workspace.tzinfo
            filters = {
                "action": data.get("action") or "",
                "actor_id": data.get("actor"),
                # The dates are days in the workspace's time zone (a day starts where its first instant
                # is: some zones skip midnight on the day their clocks change).
                "since": day_start(data["date_from"], zone) if data.get("date_from") else None,
                "until": day_start(data["date_to"] + timedelta(days=1), zone)
                if data.get("date_to")
                else None,
            }
        events = selectors.workspace_audit_events(workspace, **filters)
        if form.is_bound and not form.is_valid():
            events = events.none()
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            page=page,
            rows=_audit_rows(page.object_list, workspace.tzinfo),
            query=query.urlencode(),
            timezone_name=workspace.timezone,
            now=timezone.now(),
        )
        return context


# --- workspace settings ----------------------------------------------------------------------------


class WorkspaceSettingsView(WorkspacePageMixin, TemplateView):
    template_name = "dashboard/settings/workspace.html"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE, "POST": C.WORKSPACE_MANAGE}

    def _initial(self) -> dict:
        workspace = self.workspace
        return {field: getattr(workspace, field) for field in services.WORKSPACE_FIELDS}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", WorkspaceSettingsForm(initial=self._initial()))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = WorkspaceSettingsForm(request.POST, initial=self._initial())
        return save_changes(
            self,
            form,
            update=lambda **changes: services.workspace_update(
                actor=request.user, workspace=self.workspace, **changes
            ),
            here=redirect("dashboard:workspace_settings", self.workspace.pk),
            saved=_("Workspace settings saved."),
        )


# --- personal settings: profile and access tokens --------------------------------------------------


class PersonalSettingsView(PersonalPageMixin, TemplateView):
    """Profile and personal access tokens. A new token's plain value is shown once, in this response."""

    template_name = "dashboard/personal_settings.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault(
            "profile_form", ProfileForm(initial={"full_name": user.full_name, "language": user.language})
        )
        kwargs.setdefault("token_form", TokenCreateForm())
        context = super().get_context_data(**kwargs)
        context["tokens"] = selectors.user_tokens(user)
        context["now"] = timezone.now()
        return context

    def post(self, request, *args, **kwargs):
        """Create a token."""
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data.get("expires_in")
            expires_at = timezone.now() + timedelta(days=days) if days else None
            try:
                token, plain = services.personal_token_create(
                    actor=request.user, name=form.cleaned_data["name"], expires_at=expires_at
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                response = self.render_to_response(self.get_context_data(new_token=token, new_plain=plain))
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(token_form=form), status=400)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, token_id):
        token = selectors.user_token_get(request.user, token_id) or _not_found()
        try:
            services.personal_token_revoke(actor=request.user, token=token)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("dashboard:tokens")


class ProfileView(LoginRequiredMixin, View):
    def get(self, request):
        return redirect("dashboard:tokens")

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_profile(
                    actor=request.user,
                    full_name=form.cleaned_data["full_name"],
                    language=form.cleaned_data["language"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                language = form.cleaned_data["language"]
                translation.activate(language)
                messages.success(request, _("Your profile was saved."))
                return _set_language_cookie(redirect("dashboard:tokens"), language)
        view = PersonalSettingsView(request=request, kwargs={}, args=())
        return render(request, view.template_name, view.get_context_data(profile_form=form), status=400)


# --- invitation acceptance -------------------------------------------------------------------------


def _invitation_problem(invitation, user) -> str | None:
    """Why this invitation cannot be accepted by this person (the service re-checks on accept)."""
    if invitation is None:
        return _("This invitation link is not valid.")
    if invitation.status == Invitation.Status.ACCEPTED:
        return _("This invitation has already been used.")
    if invitation.status == Invitation.Status.REVOKED:
        return _("This invitation was revoked.")
    if invitation.status == Invitation.Status.EXPIRED or invitation.is_expired:
        return _("This invitation has expired; ask for a new one.")
    if user.is_authenticated and invitation.email.lower() != user.email.lower():
        return _("This invitation was sent to %(email)s; sign in with that address to accept it.") % {
            "email": invitation.email
        }
    return None


class InvitationAcceptView(TemplateView):
    template_name = "dashboard/invitation_accept.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitation = services.invitation_for_token(self.kwargs["token"])
        user = self.request.user
        next_path = self.request.get_full_path()
        context.update(
            invitation=invitation,
            role_label=Role(invitation.role).label if invitation else "",
            problem=kwargs.get("problem") or _invitation_problem(invitation, user),
            login_url=f"{reverse('account_login')}?{urlencode({'next': next_path})}",
            signup_url=f"{reverse('account_signup')}?{urlencode({'next': next_path})}",
        )
        return context

    def post(self, request, token):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            member = services.invitation_accept(user=request.user, token=token)
        except DomainError as error:
            return self.render_to_response(self.get_context_data(problem=error.message), status=400)
        request.session[LAST_WORKSPACE_SESSION_KEY] = member.workspace_id
        messages.success(
            request,
            _("Welcome to %(workspace)s! You joined as %(role)s.")
            % {"workspace": member.workspace.name, "role": Role(member.role).label},
        )
        return HttpResponseRedirect(reverse("dashboard:workspace_home", args=[member.workspace_id]))

"""Personal settings tabs beside "Profile & access tokens": notification choices and private calendar
feeds. The dashboard side of `PUT notifications/preferences/` (approvals.api) and `me/ical-feeds/`
(content.api): the same services, so the same rules and the same audit entries.

A feed's URL holds a secret of which only a hash is kept: it is shown once, in the answer to the
creation (like a personal access token); the list shows its first characters only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from approvals import selectors as approval_selectors
from approvals import services as approval_services
from content import selectors as content_selectors
from content import services as content_services
from core.errors import DomainError
from core.views import apply_domain_error

from .personal_forms import IcalFeedForm, NotificationPreferencesForm
from .personal_zone import PersonalPageMixin


class NotificationSettingsView(LoginRequiredMixin, TemplateView):
    """Which notices reach the person, per kind and channel (in the app, by email)."""

    template_name = "dashboard/personal/notifications.html"

    def get_context_data(self, **kwargs):
        rows = approval_selectors.notification_preferences_for(user=self.request.user)
        form = kwargs.setdefault(
            "form", NotificationPreferencesForm(initial=NotificationPreferencesForm.initial_for(rows))
        )
        context = super().get_context_data(**kwargs)
        chosen = {
            channel: {str(value) for value in (form[channel].value() or [])}
            for channel in NotificationPreferencesForm.CHANNELS
        }
        context["rows"] = [
            {
                "kind": row.kind,
                "label": row.get_kind_display(),
                "in_app": row.kind in chosen["in_app"],
                "email": row.kind in chosen["email"],
            }
            for row in rows
        ]
        context["tab"] = "notifications"
        return context

    def post(self, request, *args, **kwargs):
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            try:
                approval_services.notification_preferences_set(
                    actor=request.user, preferences=form.preferences()
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Your notification choices were saved."))
                return redirect("dashboard:notification_settings")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IcalFeedsView(PersonalPageMixin, TemplateView):
    """The person's private calendar feeds. A new feed's URL is shown once, in this response."""

    template_name = "dashboard/personal/ical_feeds.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", IcalFeedForm())
        context = super().get_context_data(**kwargs)
        context["feeds"] = content_selectors.ical_feeds_for_user(user=self.request.user)
        context["tab"] = "ical_feeds"
        return context

    def post(self, request, *args, **kwargs):
        form = IcalFeedForm(request.POST)
        if form.is_valid():
            try:
                feed, secret = content_services.ical_feed_create(
                    actor=request.user, name=form.cleaned_data["name"]
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                url = request.build_absolute_uri(reverse("ical-feed", args=[secret]))
                response = self.render_to_response(self.get_context_data(new_feed=feed, new_url=url))
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IcalFeedRevokeView(LoginRequiredMixin, View):
    """POST: revoke one of the person's feeds; calendar apps get a 404 from then on."""

    def post(self, request, feed_id):
        feed = get_object_or_404(content_selectors.ical_feeds_for_user(user=request.user), pk=feed_id)
        content_services.ical_feed_revoke(actor=request.user, feed=feed)
        messages.success(
            request, _("The calendar feed “%(name)s” was revoked.") % {"name": feed.name or "iCal"}
        )
        return redirect("dashboard:ical_feeds")

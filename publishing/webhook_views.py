"""Workspace Settings → Webhooks: the dashboard side of publishing/api's webhook endpoints.

Thin views over the same services the API calls (publishing.services: URL safety, known events, the
per-workspace limit, audit entries). A new webhook's signing secret is shown once, in the answer to the
creation, like a personal access token; afterwards only its first characters are. Times are in the
workspace's time zone (WorkspaceViewMixin activates it).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error

from . import selectors, services
from .forms import EVENT_CHOICES, WebhookForm
from .models import ALL_EVENTS, WebhookDelivery

MANAGE = C.WORKSPACE_MANAGE  # the API's capability for every webhook endpoint
DELIVERIES_PER_PAGE = 25
EVENT_LABELS = dict(EVENT_CHOICES)


def _endpoint(view, webhook_id):
    return get_object_or_404(selectors.webhook_endpoints_for(view.workspace), pk=webhook_id)


def _delivery(view, delivery_id):
    return get_object_or_404(
        selectors.webhook_deliveries_for(view.workspace).select_related("endpoint"), pk=delivery_id
    )


def _event_labels(events: list[str]) -> list[str]:
    if ALL_EVENTS in events:
        return [_("All events")]
    return [str(EVENT_LABELS.get(event, event)) for event in events]


def _status_badge(delivery: WebhookDelivery) -> str:
    return {
        WebhookDelivery.Status.DELIVERED: "badge-success",
        WebhookDelivery.Status.FAILED: "badge-danger",
    }.get(delivery.status, "badge-warn")


def _delivery_row(delivery: WebhookDelivery) -> dict:
    return {
        "delivery": delivery,
        "event_label": delivery.get_event_display(),
        "status_label": delivery.get_status_display(),
        "status_badge": _status_badge(delivery),
        "can_redeliver": delivery.status != WebhookDelivery.Status.PENDING,
    }


def _form_data(request) -> WebhookForm:
    return WebhookForm(request.POST)


def _service_input(form: WebhookForm) -> dict:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "events": data["events"],
        "description": data["description"],
        "active": data["active"],
    }


class WebhooksView(WorkspacePageMixin, TemplateView):
    """The list and the creation form. The answer to a creation holds the secret (shown only then)."""

    template_name = "publishing/webhooks.html"
    required_capabilities = {"GET": MANAGE, "POST": MANAGE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", WebhookForm(initial={"active": True, "events": [ALL_EVENTS]}))
        context = super().get_context_data(**kwargs)
        context["webhooks"] = [
            {"endpoint": endpoint, "event_labels": _event_labels(endpoint.events)}
            for endpoint in selectors.webhook_endpoints_for(self.workspace)
        ]
        return context

    def post(self, request, *args, **kwargs):
        form = _form_data(request)
        if form.is_valid():
            try:
                endpoint, secret = services.webhook_endpoint_create(
                    actor=request.user, workspace=self.workspace, **_service_input(form)
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                context = self.get_context_data(new_webhook=endpoint, new_secret=secret)
                response = self.render_to_response(context)
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WebhookView(WorkspacePageMixin, TemplateView):
    """One webhook: its settings form, "Send test", "Delete" and its delivery log, newest first."""

    template_name = "publishing/webhook.html"
    required_capabilities = {"GET": MANAGE, "POST": MANAGE}

    def get_context_data(self, **kwargs):
        endpoint = kwargs.pop("endpoint", None) or _endpoint(self, self.kwargs["webhook_id"])
        kwargs.setdefault(
            "form",
            WebhookForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                    "active": endpoint.active,
                }
            ),
        )
        context = super().get_context_data(**kwargs)
        deliveries = selectors.webhook_deliveries_for(self.workspace, endpoint_id=endpoint.pk)
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            endpoint=endpoint,
            event_labels=_event_labels(endpoint.events),
            page=page,
            rows=[_delivery_row(delivery) for delivery in page.object_list],
            timezone_name=self.workspace.timezone,
        )
        return context

    def post(self, request, *args, **kwargs):
        endpoint = _endpoint(self, kwargs["webhook_id"])
        form = _form_data(request)
        if form.is_valid():
            try:
                services.webhook_endpoint_update(
                    actor=request.user, endpoint=endpoint, **_service_input(form)
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("publishing:webhook", self.workspace.pk, endpoint.pk)
        return self.render_to_response(self.get_context_data(endpoint=endpoint, form=form), status=400)


class WebhookDeleteView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": MANAGE}

    def post(self, request, workspace_id, webhook_id):
        endpoint = _endpoint(self, webhook_id)
        services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The webhook to %(url)s was deleted.") % {"url": endpoint.url})
        return redirect("publishing:webhooks", self.workspace.pk)


class WebhookTestView(WorkspaceViewMixin, View):
    """POST: a `webhook.test` event to this webhook now (even when it is switched off)."""

    required_capabilities = {"POST": MANAGE}

    def post(self, request, workspace_id, webhook_id):
        endpoint = _endpoint(self, webhook_id)
        services.webhook_send_test(actor=request.user, endpoint=endpoint)
        messages.success(request, _("A test event was sent. Its delivery is at the top of the log below."))
        return redirect("publishing:webhook", self.workspace.pk, endpoint.pk)


class WebhookDeliveryView(WorkspacePageMixin, TemplateView):
    """One delivery: the request we sent (headers we add, JSON body) and every attempt's answer."""

    template_name = "publishing/webhook_delivery.html"
    required_capabilities = {"GET": MANAGE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = _delivery(self, self.kwargs["delivery_id"])
        context.update(
            endpoint=delivery.endpoint,
            row=_delivery_row(delivery),
            delivery=delivery,
            body=json.dumps(delivery.payload, indent=2, ensure_ascii=False, sort_keys=True),
            attempts=list(delivery.attempts.all()),
            timezone_name=self.workspace.timezone,
        )
        return context


class WebhookRedeliverView(WorkspaceViewMixin, View):
    """POST: send a finished delivery again (a new delivery with the same event id)."""

    required_capabilities = {"POST": MANAGE}

    def post(self, request, workspace_id, delivery_id):
        delivery = _delivery(self, delivery_id)
        try:
            services.webhook_delivery_redeliver(actor=request.user, delivery=delivery)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sent again. The new delivery is at the top of the log."))
        return redirect("publishing:webhook", self.workspace.pk, delivery.endpoint_id)

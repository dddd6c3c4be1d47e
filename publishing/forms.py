"""Dashboard forms of the webhook settings. They only parse the browser's input; the rules (a safe URL,
known events, the per-workspace limit) live in publishing.services, shared with the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALL_EVENTS, SUBSCRIBABLE_EVENTS, WebhookEvent

EVENT_CHOICES = [
    (ALL_EVENTS, _("All events, including ones added later")),
    *[(event, WebhookEvent(event).label) for event in SUBSCRIBABLE_EVENTS],
]


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Payload URL"),
        max_length=2000,
        required=False,  # the service says what is missing, in the same words as in the API
        widget=forms.URLInput(
            attrs={"placeholder": "https://example.com/kawo-events", "autocomplete": "off"}
        ),
        help_text=_("We send a signed POST with a JSON body here for every event you choose."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Switched off, it receives nothing (a test event is still sent)."),
    )


class AssistedConfirmForm(forms.Form):
    """The live link of an assisted post that was published by hand. Only parses the input: the rule
    (an http or https link, the target waiting for it) is publishing.services.assisted_confirm's."""

    url = forms.CharField(
        label=_("Live link of the post"),
        max_length=500,
        required=False,  # the service says what is wrong, in the same words as in the API
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "inputmode": "url"}),
        help_text=_("Once it is live, copy its link from the app and paste it here."),
    )

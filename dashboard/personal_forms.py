"""Forms of the personal settings tabs added beside profile and tokens: notification choices and private
calendar feeds. They parse the browser's input; the services (approvals, content) keep the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import PREFERENCE_KINDS
from content.services.ical import ICAL_FEED_NAME_MAX


class NotificationPreferencesForm(forms.Form):
    """The kinds × channels grid: each channel is the list of kinds it is on for (a box left unticked is
    off). The API's `PUT notifications/preferences/` takes the same choices as one row per kind."""

    in_app = forms.MultipleChoiceField(
        label=_("In the app"), choices=PREFERENCE_KINDS, required=False, widget=forms.CheckboxSelectMultiple
    )
    email = forms.MultipleChoiceField(
        label=_("Email"), choices=PREFERENCE_KINDS, required=False, widget=forms.CheckboxSelectMultiple
    )

    CHANNELS = ("in_app", "email")

    @classmethod
    def initial_for(cls, rows) -> dict:
        return {channel: [row.kind for row in rows if getattr(row, channel)] for channel in cls.CHANNELS}

    def preferences(self) -> list[dict]:
        """The service's input: one entry per kind, every channel on or off."""
        chosen = {channel: set(self.cleaned_data[channel]) for channel in self.CHANNELS}
        return [
            {"kind": kind, **{channel: kind in chosen[channel] for channel in self.CHANNELS}}
            for kind, _label in PREFERENCE_KINDS
        ]


class IcalFeedForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ICAL_FEED_NAME_MAX,
        required=False,
        help_text=_("So you can tell your feeds apart, e.g. “Work phone”. Calendar apps show it too."),
    )

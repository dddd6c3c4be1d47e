from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.models import Platform

from .sources.registry import SUPPORTED_PLATFORMS


def platform_choices() -> list[tuple[str, str]]:
    labels = dict(Platform.choices)
    return [("", _("From the address"))] + [(key, labels.get(key, key)) for key in SUPPORTED_PLATFORMS]


class CompetitorAddForm(forms.Form):
    name = forms.CharField(label=_("Competitor brand"), max_length=120)
    profile = forms.CharField(
        label=_("Profile address or handle"),
        max_length=500,
        help_text=_("For example https://x.com/rivalbrand, or a handle with its platform chosen."),
    )
    platform = forms.ChoiceField(label=_("Platform"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = platform_choices()

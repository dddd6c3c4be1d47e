from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.models import Platform

from .models import BenchmarkSchedule
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


class AlertSettingsForm(forms.Form):
    """The alert rules (competitors.services.alerts); the service checks the ranges and names the field."""

    keywords = forms.CharField(
        label=_("Watched keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line. Case does not matter; Chinese keywords match anywhere in the text, "
            "English ones as whole words."
        ),
    )
    baseline_posts = forms.IntegerField(
        label=_("Baseline posts (N)"),
        help_text=_("A post is compared with the account's last N posts (10 to 200)."),
    )
    threshold_k = forms.DecimalField(
        label=_("Sensitivity (k)"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Alert above the median + k × 1.4826 × MAD (1 to 20; lower alerts more often)."),
    )
    spike_on = forms.BooleanField(label=_("A post far above the rival's usual engagement"), required=False)
    posting_on = forms.BooleanField(label=_("A rival posting far more than usual"), required=False)
    keyword_on = forms.BooleanField(label=_("A post matching a watched keyword"), required=False)

    @classmethod
    def of(cls, found) -> AlertSettingsForm:
        return cls(
            initial={
                "keywords": "\n".join(found.keywords),
                "baseline_posts": found.baseline_posts,
                "threshold_k": found.threshold_k,
                "spike_on": found.spike_on,
                "posting_on": found.posting_on,
                "keyword_on": found.keyword_on,
            }
        )


class BenchmarkScheduleForm(forms.Form):
    """A scheduled benchmark email (competitors.services.schedules checks the recipients)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    frequency = forms.ChoiceField(label=_("How often"), choices=BenchmarkSchedule.Frequency.choices)
    format = forms.ChoiceField(label=_("File"), choices=BenchmarkSchedule.Format.choices)
    recipients = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who may see competitors; each gets it in their own language."),
    )
    addresses = forms.CharField(
        label=_("Other email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    language = forms.ChoiceField(
        label=_("Language for these addresses"), choices=settings.LANGUAGES, initial="en"
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [
            (user.pk, f"{user.get_full_name() or user.email} <{user.email}>") for user in people
        ]

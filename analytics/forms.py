"""Forms of the analytics pages: they parse input only; the rules (a formula the safe evaluator accepts,
a free name, recipients who may see analytics) are the services', whose errors land on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EngagementRateBasis, ScheduledReport


class CustomMetricForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    formula = forms.CharField(
        label=_("Formula"),
        max_length=300,
        help_text=_(
            "Numbers, common metric names (such as engagements, followers, views), + - * / and parentheses."
        ),
        widget=forms.TextInput(
            attrs={"placeholder": "engagements / followers * 1000", "spellcheck": "false"}
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class AnalyticsSettingsForm(forms.Form):
    lead_engagement_rate = forms.ChoiceField(
        label=_("Engagement rate reports lead with"),
        choices=EngagementRateBasis.choices,
        widget=forms.RadioSelect,
        help_text=_("Reports show all three rates; this one comes first and ranks the post table."),
    )


class ScheduledReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    frequency = forms.ChoiceField(
        label=_("Period"),
        choices=ScheduledReport.Frequency.choices,
        help_text=_("Weekly: Monday to Sunday, sent the following Monday. Monthly: the calendar month."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ScheduledReport.Format.choices)
    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who may see analytics; each gets the report in their own language."),
        error_messages={"required": _("Choose at least one recipient.")},
    )
    active = forms.BooleanField(label=_("Send it"), required=False, initial=True)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [
            (user.pk, f"{user.get_full_name() or user.email} <{user.email}>") for user in people
        ]

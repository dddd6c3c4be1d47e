"""The objective form: it parses the browser's input (types only); objectives.services keeps the rules
and their errors land next to the fields (core.views.apply_domain_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.models import Platform, SocialAccount
from competitors.selectors import benchmarked_brands
from content.models import Campaign, Tag

from .models import Kpi, PeriodKind, RateBasis, Scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(rows):
    return [("", "—"), *rows]


class ObjectiveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kpi = forms.ChoiceField(label=_("KPI"), choices=Kpi.choices)
    rate_basis = forms.ChoiceField(
        label=_("Rate denominator"),
        required=False,
        choices=_choices(RateBasis.choices),
        help_text=_("Only for an engagement rate: engagements divided by followers, reach or views."),
    )
    target = forms.CharField(
        label=_("Target"),
        max_length=40,
        help_text=_(
            "A count, posts per week, a rate or share as a ratio (0.05 is 5 %), money per engagement or "
            "the longest median first response in business-hour minutes."
        ),
    )
    rivals = forms.TypedMultipleChoiceField(
        label=_("Rivals"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for share of voice: the benchmarked competitor brands to compare with."),
    )
    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Last day"), widget=DATE, required=False, help_text=_("Only for a custom period.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.WORKSPACE)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = _choices(Platform.choices)
        accounts = SocialAccount.objects.filter(workspace=workspace).order_by("display_name")
        self.fields["account"].choices = _choices((a.pk, str(a)) for a in accounts)
        campaigns = Campaign.objects.filter(workspace=workspace).order_by("name")
        self.fields["campaign"].choices = _choices((c.pk, c.name) for c in campaigns)
        tags = Tag.objects.filter(workspace=workspace).select_related("group").order_by("group__name", "name")
        self.fields["tag"].choices = _choices((t.pk, str(t)) for t in tags)
        self.fields["rivals"].choices = [(b.pk, b.name) for b in benchmarked_brands(workspace)]

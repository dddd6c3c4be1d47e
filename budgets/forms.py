"""The budgets pages' forms: they parse the browser's input (types only); the services keep the rules
and their errors land next to the fields (core.views.apply_domain_error). Amounts stay text until the
service reads them as Decimal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.models import Platform
from content.models import Campaign, Post

from .models import CapMode, Category, SpendKind
from .money import currency_choices
from .selectors import agencies_granted

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _currencies(workspace):
    return currency_choices(first=(workspace.currency, "CNY", "USD", "EUR", "HKD", "JPY"))


def _campaigns(workspace):
    return [
        ("", "—"),
        *((c.pk, c.name) for c in Campaign.objects.filter(workspace=workspace).order_by("name")),
    ]


class BudgetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    currency = forms.ChoiceField(label=_("Currency of the plan"))
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    approval_threshold = forms.CharField(
        label=_("Approval above"),
        required=False,
        max_length=40,
        help_text=_("Spend above this amount (in the plan's currency) waits for approval. Empty: none does."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currencies(workspace)
        self.fields["currency"].initial = workspace.currency
        self.fields["campaign"].choices = _campaigns(workspace)


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    planned = forms.CharField(label=_("Planned amount"), max_length=40)
    cap_mode = forms.ChoiceField(label=_("When exceeded"), choices=CapMode.choices, initial=CapMode.SOFT)
    agency = forms.TypedChoiceField(
        label=_("Managed by agency"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("That agency's people see this line alone and may record spend on it."),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("Any platform")), *Platform.choices]
        self.fields["agency"].choices = [
            ("", _("None: our own line")),
            *((a.pk, a.name) for a in agencies_granted(workspace)),
        ]


class SpendForm(forms.Form):
    line = forms.TypedChoiceField(label=_("Line"), coerce=int)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.CharField(label=_("Amount"), max_length=40)
    currency = forms.ChoiceField(label=_("Currency"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SpendKind.choices, initial=SpendKind.ACTUAL)
    vendor = forms.CharField(label=_("Vendor"), required=False, max_length=200)
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    posts = forms.TypedMultipleChoiceField(
        label=_("Posts"),
        required=False,
        coerce=int,
        help_text=_("The posts this spend promoted, if any."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    receipt = forms.FileField(
        label=_("Receipt or invoice"), required=False, help_text=_("PDF or image, up to 10 MB.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, budget, lines, **kwargs):
        super().__init__(*args, **kwargs)
        workspace = budget.workspace
        self.fields["line"].choices = [(line.pk, line_label(line)) for line in lines]
        self.fields["currency"].choices = _currencies(workspace)
        self.fields["currency"].initial = budget.currency
        self.fields["campaign"].choices = _campaigns(workspace)
        posts = Post.objects.filter(workspace=workspace).order_by("-updated_at")[:200]
        self.fields["posts"].choices = [(post.pk, post.title or f"#{post.pk}") for post in posts]


class SpendDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ExchangeRateForm(forms.Form):
    on = forms.DateField(label=_("From"), widget=DATE)
    base = forms.ChoiceField(label=_("1 of"))
    quote = forms.ChoiceField(label=_("is worth, in"))
    rate = forms.CharField(label=_("Rate"), max_length=40)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].choices = _currencies(workspace)
        self.fields["base"].initial = "USD" if workspace.currency != "USD" else "CNY"
        self.fields["quote"].choices = _currencies(workspace)
        self.fields["quote"].initial = workspace.currency


class ExchangeRateImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One rate per row: date,currency,in,rate, e.g. 2026-01-02,USD,CNY,7.1234."),
    )


def line_label(line) -> str:
    parts = [str(Category(line.category).label)]
    if line.platform:
        parts.append(str(dict(Platform.choices).get(line.platform, line.platform)))
    if line.name:
        parts.append(line.name)
    return " · ".join(parts)

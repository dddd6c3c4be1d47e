"""Dashboard forms parse input only; the rules live in the services, whose errors land on these fields."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import CURRENCIES, Organization
from accounts.roles import Role, role_within_ceiling

# Old names the tz database keeps only as aliases ("Cuba", "US/Eastern", "EST5EDT"): a zone picker offers
# the Area/City names instead. A workspace already on an alias keeps it (WorkspaceSettingsForm).
ALIAS_AREAS = ("Etc/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/", "SystemV/")


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = [
        name
        for name in zoneinfo.available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith(ALIAS_AREAS))
    ]
    return [(name, name.replace("_", " ")) for name in sorted(names)]


def roles_within(ceiling: str) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if role_within_ceiling(value, ceiling)]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AgencyGrantForm(forms.Form):
    agency = forms.SlugField(
        label=_("Agency"),
        max_length=60,
        help_text=_("The agency organization's slug, as its admins see it on their agency page."),
    )
    role_ceiling = forms.ChoiceField(label=_("Role ceiling"), choices=Role.choices, initial=Role.EDITOR)


class RoleCeilingForm(forms.Form):
    role_ceiling = forms.ChoiceField(label=_("Role ceiling"), choices=Role.choices)


class AgencyAssignmentForm(forms.Form):
    user = forms.ChoiceField(label=_("Person"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, people, ceiling: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(person.pk, person.get_full_name()) for person in people]
        # Every role is offered so that a hand-made request still reaches the service's ceiling check.
        self.fields["role"].choices = Role.choices
        self.allowed_roles = roles_within(ceiling)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(label=_("Actor"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions, actors, action_labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [
            (action, action_labels.get(action, action)) for action in actions
        ]
        self.fields["actor"].choices = [("", _("Everyone"))] + list(actors)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, help_text=_("Letters, numbers, hyphens or underscores.")
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Times in this workspace (calendar, audit log) are shown in this zone."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (self.initial or {}).get("timezone")
        if current and current not in dict(timezone_choices()):
            self.fields["timezone"].choices = [(current, current), *timezone_choices()]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


TOKEN_EXPIRY_CHOICES = [
    ("", _("Never")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In one year")),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What is it for? For example “reporting script”.")
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires"), choices=TOKEN_EXPIRY_CHOICES, required=False, coerce=int, empty_value=None
    )


SLUG_HELP = _("Letters, numbers, hyphens or underscores; part of addresses, so keep it short.")


class OrganizationForm(forms.Form):
    """Name and slug: what organization_update may change. The service checks both (the same rules as the
    API), so the form only parses them."""

    name = forms.CharField(label=_("Name"))
    slug = forms.CharField(label=_("Slug"), help_text=SLUG_HELP)


class OrganizationCreateForm(OrganizationForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Organization.Kind.choices,
        initial=Organization.Kind.BRAND,
        required=False,
        help_text=_("A brand runs its own workspaces; an agency works in its clients' workspaces."),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Organization.Kind.BRAND  # the API's default too


class WorkspaceCreateForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    name = forms.CharField(label=_("Name"))
    slug = forms.CharField(label=_("Slug"), help_text=SLUG_HELP)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        initial="Asia/Shanghai",
        help_text=_("Times in this workspace (calendar, audit log) are shown in this zone."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="zh-hans")
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="CNY")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]

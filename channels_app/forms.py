"""Dashboard forms of the account matrix. They parse input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Platform, SocialAccount


class MatrixFilterForm(forms.Form):
    BY_CHOICES = [("platform", _("Platform")), ("group", _("Group"))]

    by = forms.ChoiceField(label=_("Group by"), choices=BY_CHOICES, required=False)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args, groups=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["platform"].choices = everything + list(Platform.choices)
        self.fields["group"].choices = everything + [(str(g.pk), g.name) for g in groups]
        self.fields["status"].choices = everything + [
            *SocialAccount.Status.choices,
            ("disconnected", _("Disconnected")),
        ]
        self.fields["tag"].choices = everything + [(tag, tag) for tag in tags]

    def value(self, name: str) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data.get(name) or ""


class AppCredentialsForm(forms.Form):
    """WeChat Official Accounts: the AppID and AppSecret from the WeChat developer console."""

    appid = forms.CharField(label=_("AppID"), max_length=64)
    secret = forms.CharField(
        label=_("AppSecret"),
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted; nobody can read it back."),
    )


class AppPasswordForm(forms.Form):
    """Bluesky: the handle and an app password (Settings → App passwords), never the main password."""

    handle = forms.CharField(label=_("Handle"), max_length=253, help_text=_("For example brand.bsky.social"))
    app_password = forms.CharField(
        label=_("App password"),
        max_length=64,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Create one under Settings → Privacy and security → App passwords."),
    )


class AssistedAccountForm(forms.Form):
    """Xiaohongshu and WeChat Channels: no publishing API, so a person publishes and confirms."""

    handle = forms.CharField(label=_("Handle or account id"), max_length=200)
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False)
    responsible = forms.ChoiceField(
        label=_("Responsible person"),
        help_text=_("Gets the ready post at the due time and confirms it with the live URL."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [("", "—")] + [
            (str(m.pk), m.user.get_full_name()) for m in members
        ]


class AccountEditForm(forms.Form):
    responsible = forms.ChoiceField(label=_("Responsible person"), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas, e.g. flagship, mainland")
    )
    groups = forms.MultipleChoiceField(label=_("Groups"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [("", "—")] + [
            (str(m.pk), m.user.get_full_name()) for m in members
        ]
        self.fields["groups"].choices = [(str(g.pk), g.name) for g in groups]

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").replace("，", ",").split(",")]


class AccountGroupRenameForm(forms.Form):
    """Only parses: the service (account_group_update, as the API's PATCH) checks the name."""

    name = forms.CharField(label=_("New name"), required=False)


class AccountGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

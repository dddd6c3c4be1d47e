"""Dashboard forms for the content settings pages: campaigns, tag groups and tags, banned words, posting
slots.

They only parse types (a date, a time, a choice among the workspace's own objects). What a value may be
(blank, length, colour format, date order, duplicates) is decided by content.services, the same checks
the API runs; their errors land next to the field here (core.views.apply_domain_error).
"""

from __future__ import annotations

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import WorkspaceMember
from channels_app.models import SocialAccount

from .models import BannedWord, BannedWordList

COLOR_WIDGET = forms.TextInput(attrs={"type": "color"})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAY_CHOICES = [(day, WEEKDAYS[day]) for day in range(7)]  # 0 is Monday, as PostingSlot.weekday


class _OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WorkspaceMember) -> str:
        return obj.user.get_full_name() or obj.user.email


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE_WIDGET)
    color = forms.CharField(label=_("Colour"), required=False, initial="#4f46e5", widget=COLOR_WIDGET)
    objective = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the campaign is for; shown to everyone planning its posts."),
    )
    owner = _OwnerField(
        label=_("Owner"), queryset=WorkspaceMember.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = WorkspaceMember.objects.filter(workspace=workspace).select_related(
            "user"
        )

    def service_input(self) -> dict:
        data = dict(self.cleaned_data)
        data["owner"] = data["owner"].pk if data["owner"] else None
        data["objective"] = data["objective"] or ""
        return data


class TagGroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), required=False)
    required = forms.BooleanField(
        label=_("Required"), required=False, help_text=_("Every post carries one of its tags.")
    )
    exclusive = forms.BooleanField(
        label=_("Mutually exclusive"), required=False, help_text=_("At most one of its tags per post.")
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag name"), required=False)
    color = forms.CharField(label=_("Colour"), required=False, initial="#64748b", widget=COLOR_WIDGET)


class TagRenameForm(forms.Form):
    name = forms.CharField(label=_("Tag name"), required=False)


class BannedWordForm(forms.Form):
    word = forms.CharField(
        label=_("Word or phrase"),
        required=False,
        help_text=_("Matched anywhere in a post's text and first comment, ignoring case and width."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=BannedWord.Severity.choices,
        initial=BannedWord.Severity.BLOCKING,
        help_text=_("Blocking stops scheduling; a warning needs a recorded override; info only informs."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, help_text=_("Why it is banned, or what to write instead.")
    )
    word_list = forms.ModelChoiceField(
        label=_("List"), queryset=BannedWordList.objects.none(), required=False, empty_label=_("No list")
    )

    def __init__(self, *args, workspace, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a word stays on the list it was added to (the API does not move it either)
            del self.fields["word_list"]
        else:
            self.fields["word_list"].queryset = BannedWordList.objects.filter(workspace=workspace)

    def service_input(self) -> dict:
        data = dict(self.cleaned_data)
        if "word_list" in data:
            data["word_list"] = data["word_list"].pk if data["word_list"] else None
        return data


class _AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SocialAccount) -> str:
        return f"{obj.get_platform_display()} · @{obj.handle}"


class PostingSlotForm(forms.Form):
    account = _AccountField(
        label=_("Account"), queryset=SocialAccount.objects.none(), empty_label=_("Choose an account")
    )
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAY_CHOICES, coerce=int)
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(
            workspace=workspace, disconnected_at__isnull=True
        )

    def service_input(self) -> dict:
        data = dict(self.cleaned_data)
        data["account"] = data["account"].pk
        return data

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import ItemKind, ItemStatus, Priority, Sentiment


def _any(choices):
    return [("", _("Any")), *choices]


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Workspaces"),
        choices=[("", _("This workspace")), ("all", _("All my workspaces"))],
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=_any(ItemStatus.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_any(ItemKind.choices), required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=_any(Sentiment.choices), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class ItemTriageForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=800, help_text=_("Separate tags with commas.")
    )

    def clean_tags(self):
        return [tag.strip() for tag in self.cleaned_data["tags"].replace("，", ",").split(",") if tag.strip()]


class ItemAssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Nobody")),
            *[(p.pk, p.get_full_name() or p.email) for p in people],
        ]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("Reply to the fan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


def variables_hint() -> str:
    """The saved-reply variables by the names a reader of this language writes (both sets work)."""
    if (get_language() or "").startswith("zh"):
        return "{粉丝}、{粉丝账号}、{账号}、{客服}"
    return "{fan}, {fan_handle}, {account}, {agent}"


class SavedReplyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    body = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "The fan's name, their handle, the account's name and yours are filled in where you write "
            "%(variables)s."
        ) % {"variables": variables_hint()}


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class InboxSettingsForm(forms.Form):
    business_days = forms.TypedMultipleChoiceField(
        label=_("Business days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opens_at = forms.TimeField(
        label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    first_response_minutes = forms.IntegerField(
        label=_("First response within (minutes of business time)"), min_value=1, max_value=7 * 24 * 60
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemKind, ItemStatus, Priority, Sentiment


def _any(choices):
    return [("", _("Any")), *choices]


class QueueFilterForm(forms.Form):
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

"""Forms of the approvals pages. They only parse input; the services validate (the API's rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CommentForm(forms.Form):
    """A comment or a reply (`parent`), with the people picked in the @ menu (`mentions`: their ids,
    comma-separated; `@email` written by hand in the text counts too)."""

    body = forms.CharField(
        label=_("Comment"),
        required=False,  # the service says "Write a comment." (the same message as the API)
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": "1"}),
        help_text=_("Type @ and a name or email to mention someone of this workspace."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mentions = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_mentions(self) -> list[int]:
        raw = [part.strip() for part in (self.cleaned_data.get("mentions") or "").split(",")]
        try:
            return sorted({int(part) for part in raw if part})
        except ValueError:
            raise forms.ValidationError(_("Mention people of this workspace.")) from None

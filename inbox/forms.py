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
    priority = forms.ChoiceField(label=_("Priority"), choices=_any(Priority.choices), required=False)
    account = forms.TypedChoiceField(label=_("Account"), coerce=int, empty_value=None, required=False)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, empty_value=None, required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    hidden = forms.BooleanField(label=_("Hidden items"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args, accounts=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [
            ("", _("Any")),
            *[(a.pk, f"{a.get_platform_display()} · @{a.handle}") for a in accounts],
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (0, _("Nobody")),
            *[(p.pk, p.get_full_name() or p.email) for p in people],
        ]


# The query-string keys a saved queue view keeps.
QUEUE_FILTER_KEYS = (
    "scope",
    "status",
    "kind",
    "sentiment",
    "priority",
    "account",
    "assignee",
    "tag",
    "mine",
    "hidden",
    "q",
)


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
        label=_("Reply to the fan"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Offered where the platform takes an image with a reply (capabilities.reply_media): the workspace's
    # library images; the service checks again (and refuses one on a platform that cannot take it).
    media = forms.TypedChoiceField(label=_("Image"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["media"].choices = [("", _("No image"))] + [
            (image.pk, image.original_name or image.file.name) for image in images
        ]


class PlatformActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    platform_action = forms.ChoiceField(choices=[(a, a) for a in ("hide", "unhide", "delete", "like")])


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
    resolution_minutes = forms.IntegerField(
        label=_("Resolved within (minutes of business time)"), min_value=1, max_value=30 * 24 * 60
    )
    warning_minutes = forms.IntegerField(
        label=_("Warn this many minutes before a target"), min_value=0, max_value=24 * 60
    )
    approval_accounts = forms.TypedMultipleChoiceField(
        label=_("Replies on these accounts need approval"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    approval_keywords = forms.CharField(
        label=_("Replies containing any of these words need approval"),
        required=False,
        max_length=3000,
        help_text=_("Separate words with commas. A person who may approve posts approves them on the item."),
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approval_accounts"].choices = [
            (a.pk, f"{a.get_platform_display()} · @{a.handle}") for a in accounts
        ]

    def clean_approval_keywords(self):
        return _split(self.cleaned_data["approval_keywords"])


def _split(value: str) -> list[str]:
    """Words separated by commas (either kind) or new lines."""
    return [w.strip() for w in value.replace("，", ",").replace("\n", ",").split(",") if w.strip()]


class RuleForm(forms.Form):
    """One inbox rule: its conditions (every one set must hold) and its actions."""

    name = forms.CharField(label=_("Name"), max_length=80)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    keywords = forms.CharField(
        label=_("Text contains any of"),
        required=False,
        max_length=3000,
        help_text=_(
            "Separate keywords with commas. Chinese matches anywhere in the text; English whole words."
        ),
    )
    account = forms.TypedChoiceField(label=_("Account"), coerce=int, empty_value=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_any(ItemKind.choices), required=False)
    min_followers = forms.IntegerField(
        label=_("Fan has at least this many followers"), min_value=0, required=False
    )
    vip = forms.CharField(
        label=_("VIP fans"),
        required=False,
        max_length=3000,
        help_text=_("Fans' handles or ids, separated by commas."),
    )
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=_any(Sentiment.choices), required=False)
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, max_length=800, help_text=_("Separate tags with commas.")
    )
    assign_to = forms.TypedChoiceField(label=_("Assign to"), coerce=int, empty_value=None, required=False)
    assign_team = forms.TypedMultipleChoiceField(
        label=_("Or take turns (round-robin) among"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    set_priority = forms.ChoiceField(
        label=_("Set priority"), choices=[("", _("Leave as it is")), *Priority.choices], required=False
    )
    close = forms.BooleanField(label=_("Close it"), required=False)
    hide = forms.BooleanField(label=_("Hide it"), required=False)
    stop = forms.BooleanField(label=_("Stop here: later rules do not apply"), required=False)

    def __init__(self, *args, people=(), accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = [(p.pk, p.get_full_name() or p.email) for p in people]
        self.fields["assign_to"].choices = [("", _("Nobody")), *names]
        self.fields["assign_team"].choices = names
        self.fields["account"].choices = [
            ("", _("Any")),
            *[(a.pk, f"{a.get_platform_display()} · @{a.handle}") for a in accounts],
        ]

    def clean_keywords(self):
        return _split(self.cleaned_data["keywords"])

    def clean_vip(self):
        return _split(self.cleaned_data["vip"])

    def clean_add_tags(self):
        return _split(self.cleaned_data["add_tags"])


def rule_initial(rule) -> dict:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "keywords": ", ".join(rule.keywords),
        "account": rule.account_id,
        "kind": rule.kind,
        "min_followers": rule.min_followers,
        "vip": ", ".join(rule.vip),
        "sentiment": rule.sentiment,
        "add_tags": ", ".join(rule.add_tags),
        "assign_to": rule.assign_to_id,
        "assign_team": rule.assign_team,
        "set_priority": rule.set_priority,
        "close": rule.close,
        "hide": rule.hide,
        "stop": rule.stop,
    }


class RuleTestForm(forms.Form):
    """A sample message to run the rules over (nothing is stored)."""

    text = forms.CharField(label=_("Sample text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    account = forms.TypedChoiceField(label=_("Account"), coerce=int, empty_value=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.COMMENT)
    followers = forms.IntegerField(label=_("Fan's followers"), min_value=0, required=False)
    fan = forms.CharField(label=_("Fan's handle or id"), max_length=200, required=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [
            ("", _("Any")),
            *[(a.pk, f"{a.get_platform_display()} · @{a.handle}") for a in accounts],
        ]

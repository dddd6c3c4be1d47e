"""Dashboard forms for content: the composer and the calendar's filters.

The forms only parse input; the services decide (content.services). Every choice is limited to the
workspace's own objects, so another workspace's id is an invalid choice before any service runs.
"""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.connectors.registry import CONNECTORS
from channels_app.models import Platform, SocialAccount
from core import timezones

from . import selectors
from .models import Campaign, MediaAsset, Tag, TargetStatus

ACTION_DRAFT, ACTION_SCHEDULE, ACTION_QUEUE, ACTION_SUBMIT = "draft", "schedule", "queue", "submit"
# A list setting typed in one field: "#春茶 #下午茶", "tea, oolong" or one per line.
LIST_SPLIT = re.compile(r"[,，、\n#]+")


def option_field(account_id: int, name: str) -> str:
    """The composer's field name of one account's platform setting."""
    return f"opt_{account_id}_{name}"


class AccountChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SocialAccount) -> str:
        return f"{obj.get_platform_display()} · @{obj.handle}"


class ComposerForm(forms.Form):
    """One post: accounts, the main text and per-account variants (each with its first comment where the
    platform has one), media, campaign, tags, time."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_(
            "Published as the article or video title (WeChat, Bilibili, YouTube, link cards) and part of "
            "what reviewers approve."
        ),
    )
    accounts = AccountChoiceField(
        label=_("Accounts"),
        queryset=SocialAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account.")},
    )
    text = forms.CharField(
        label=_("Text"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 7})
    )
    media = forms.ModelMultipleChoiceField(
        label=_("Media"),
        queryset=MediaAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=_("No campaign")
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_paid_or_kol = forms.BooleanField(label=_("Paid or KOL post (needs a disclosure)"), required=False)
    scheduled_date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scheduled_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    # Where the date and time name no instant or two (a clock change): which one the person chose, and
    # for which wall time they chose it (a choice made for another time does not count).
    time_choice = forms.ChoiceField(
        label=_("Which time?"),
        choices=[("", "")] + [(choice, choice) for choice in timezones.CHOICES],
        required=False,
    )
    time_choice_for = forms.CharField(required=False, widget=forms.HiddenInput)
    override_warnings = forms.BooleanField(
        label=_("I have read the warnings and schedule anyway (recorded)"), required=False
    )
    action = forms.ChoiceField(
        choices=[
            (ACTION_DRAFT, ACTION_DRAFT),
            (ACTION_SCHEDULE, ACTION_SCHEDULE),
            (ACTION_QUEUE, ACTION_QUEUE),
            (ACTION_SUBMIT, ACTION_SUBMIT),
        ],
        required=False,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, workspace, keep=None, **kwargs):
        """`keep`: the post's time when editing; a save that leaves the date and time as they were shown
        keeps exactly this instant (its seconds, and which of two repeated 01:30s it is)."""
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.keep = keep
        self.time_note = ""  # what the time conversion did, for the answer (e.g. "moved forward to 03:30")
        self.target_errors: dict[int, dict[str, list[str]]] = {}  # account id -> field -> messages
        day, at = self.initial.get("scheduled_date"), self.initial.get("scheduled_time")
        # The choices the shown time needs (a repeated or skipped wall time), offered next to it.
        self.time_options, self.time_options_for = [], ""
        if not self.is_bound and day and at:
            self._offer(datetime.combine(day, at))
        self.fields["accounts"].queryset = SocialAccount.objects.filter(
            workspace=workspace, disconnected_at__isnull=True
        )
        self.fields["media"].queryset = selectors.media_assets(workspace)
        self.fields["campaign"].queryset = selectors.campaigns(workspace)
        self.fields["tags"].queryset = selectors.tags(workspace)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action") or ACTION_DRAFT
        cleaned["action"] = action
        day, time = cleaned.get("scheduled_date"), cleaned.get("scheduled_time")
        if (day is None) != (time is None):
            self.add_error("scheduled_date", _("Give both a date and a time, or neither."))
        cleaned["scheduled_at"] = self._instant(datetime.combine(day, time)) if day and time else None
        if (
            action == ACTION_SCHEDULE
            and cleaned["scheduled_at"] is None
            and "scheduled_date" not in self.errors
            and "scheduled_time" not in self.errors
        ):
            self.add_error("scheduled_date", _("Pick a date and time to schedule this post."))
        return cleaned

    def _offer(self, wall: datetime) -> datetime:
        wall = wall.replace(second=0, microsecond=0)
        self.time_options = timezones.options_for(wall, self.workspace.tzinfo)
        self.time_options_for = wall.isoformat(timespec="minutes") if self.time_options else ""
        return wall

    def _instant(self, wall: datetime):
        """The instant the shown date and time name (core.timezones.wall_to_instant); refusals land next
        to the time, with the choices offered there."""
        zone = self.workspace.tzinfo
        wall = self._offer(wall)
        choice = self.cleaned_data.get("time_choice") or None
        chosen_for = self.cleaned_data.get("time_choice_for") or ""
        if chosen_for and chosen_for != wall.isoformat(timespec="minutes"):
            choice = None  # chosen for a time the person has since changed
        keep = self.keep
        if keep is not None and keep.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) == wall:
            repeated = timezones.occurrence(keep, zone)
            if not repeated or choice in (None, repeated):
                return keep  # the time was not touched: it stays exactly what it was
        try:
            resolved = timezones.wall_to_instant(wall, zone, choice=choice, field="scheduled_time")
        except timezones.WallTimeRefused as refused:
            self.add_error("scheduled_time", refused.message)
            return None
        self.time_note = resolved.note
        return resolved.instant

    def variant_texts(self) -> dict[int, str]:
        """Per-account text: an account whose variant is customised keeps its own text, the others take
        the main text."""
        main = self.cleaned_data.get("text") or ""
        texts = {}
        for account in self.cleaned_data.get("accounts") or []:
            custom = self.data.get(f"custom_{account.pk}") in ("1", "on", "true")
            texts[account.pk] = self.data.get(f"variant_{account.pk}", "") if custom else main
        return texts

    def first_comment(self, account_id: int) -> str:
        """The first comment typed for one account (`first_comment_<id>`); blank if only whitespace. Sent as
        typed whatever the platform: the service refuses it where the platform has no first comment."""
        value = self.data.get(f"first_comment_{account_id}", "") or ""
        return value if value.strip() else ""

    def ordered_media(self) -> list:
        """The chosen media in the order the page sent them (the composer's list is reordered by drag; the
        first image is the cover where the platform has one)."""
        chosen = list(self.cleaned_data.get("media") or [])
        sent = [int(v) for v in self.data.getlist("media") if str(v).isdigit()] if self.is_bound else []
        position = {pk: index for index, pk in enumerate(dict.fromkeys(sent))}
        return sorted(chosen, key=lambda m: position.get(m.pk, len(position)))

    def variant_options(self, account) -> dict:
        """One account's platform settings as typed (`opt_<account id>_<name>`), in the shapes its connector
        declares (channels_app.connectors.options). Only parsing: a value that does not parse is passed
        on as typed, and the service says what is wrong with it, next to the field."""
        from channels_app.connectors.options import BOOL, INT, LIST, MEDIA, SECONDS

        cls = CONNECTORS.get(account.platform)
        options = {}
        for spec in cls.post_options if cls else ():
            key = option_field(account.pk, spec.name)
            raw = self.data.get(key, "")
            raw = raw.strip() if isinstance(raw, str) else raw
            if spec.kind == BOOL:
                if raw in ("1", "on", "true"):
                    options[spec.name] = True
                continue
            if raw in ("", None):
                continue
            if spec.kind == LIST:
                options[spec.name] = [item for item in LIST_SPLIT.split(raw) if item.strip()]
            elif spec.kind in (INT, MEDIA):
                options[spec.name] = int(raw) if raw.lstrip("-").isdigit() else raw
            elif spec.kind == SECONDS:
                try:
                    options[spec.name] = float(raw)
                except ValueError:
                    options[spec.name] = raw
            else:
                options[spec.name] = raw
        return options

    def targets(self) -> list[dict]:
        """The variants to save, each with its platform settings."""
        media = [m.pk for m in self.ordered_media()]
        accounts = {a.pk: a for a in self.cleaned_data.get("accounts") or []}
        return [
            {
                "account": account_id,
                "text": text,
                "first_comment": self.first_comment(account_id),
                "media": media,
                "options": self.variant_options(accounts[account_id]),
            }
            for account_id, text in self.variant_texts().items()
        ]

    def alt_texts(self) -> dict:
        """{media asset: alt text typed} for the chosen media whose `alt_text_<id>` field was sent. The alt
        text is the library asset's: every post using it sends it (and needs approval again)."""
        typed = {}
        for asset in self.cleaned_data.get("media") or []:
            key = f"alt_text_{asset.pk}"
            if key in self.data:
                value = str(self.data.get(key) or "").strip()
                if len(value) > 1000:
                    self.add_error("media", _("An alt text has at most 1,000 characters."))
                    continue
                typed[asset] = value
        return typed

    def add_target_error(self, index: int, field: str, message: str) -> None:
        """A service's error about one target's input (`targets.<index>.<field>`), kept per account so the
        composer shows it in that account's variant, next to the field."""
        targets = self.targets()
        if not 0 <= index < len(targets):
            self.add_error(None, message)
            return
        account_id = targets[index]["account"]
        self.target_errors.setdefault(account_id, {}).setdefault(field, []).append(message)


class CalendarFilterForm(forms.Form):
    """The calendar's filters (all optional; several values of one filter mean any of them)."""

    account = forms.ModelMultipleChoiceField(
        label=_("Account"), queryset=SocialAccount.objects.none(), required=False
    )
    platform = forms.MultipleChoiceField(label=_("Platform"), choices=(), required=False)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=_("All campaigns")
    )
    tag = forms.ModelMultipleChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False)
    status = forms.MultipleChoiceField(label=_("Status"), choices=TargetStatus.choices, required=False)
    author = forms.TypedChoiceField(
        label=_("Author"), choices=(), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, workspace, authors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = SocialAccount.objects.filter(workspace=workspace)
        self.fields["campaign"].queryset = selectors.campaigns(workspace)
        self.fields["tag"].queryset = selectors.tags(workspace)
        platforms = sorted(
            set(SocialAccount.objects.filter(workspace=workspace).values_list("platform", flat=True))
        )
        labels = dict(Platform.choices)
        self.fields["platform"].choices = [(p, labels.get(p, p)) for p in platforms]
        self.fields["author"].choices = [
            ("", _("Anyone")),
            *[(u.pk, str(u.get_full_name() or u.email)) for u in authors],
        ]

    def selector_filters(self) -> dict:
        """The filters as content.selectors.posts_filter takes them (invalid values are ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "accounts": [a.pk for a in data.get("account") or []],
            "platforms": list(data.get("platform") or []),
            "campaign": data["campaign"].pk if data.get("campaign") else None,
            "tags": [t.pk for t in data.get("tag") or []],
            "status": list(data.get("status") or []),
            "author": data.get("author") or None,
        }

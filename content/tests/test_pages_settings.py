"""The content settings pages (campaigns, tag groups and tags, banned words, posting slots): each lists,
creates, changes and deletes through the same services as the API, with the same audit entries; refused
input is a 400 with the message next to its field and nothing written; a too-weak role gets 403 and
another workspace's object 404."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import BannedWord, Campaign, PostingSlot, Tag, TagGroup
from core.errors import ValidationFailed
from core.models import AuditEvent

from .factories import (
    BannedWordFactory,
    CampaignFactory,
    PostFactory,
    PostingSlotFactory,
    TagFactory,
    TagGroupFactory,
)
from .pages_kit import brand_with_accounts, member_user, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand():
    workspace, accounts = brand_with_accounts("weibo", "x")
    admin = member_user(workspace, role=Role.ADMIN)
    return {
        "workspace": workspace,
        "accounts": accounts,
        "admin": admin,
        "client": signed_in_client(admin),
        "other": brand_with_accounts("weibo")[0],
    }


def url(name: str, workspace, *args) -> str:
    return reverse(f"content:{name}", args=[workspace.pk, *args])


def audit_actions(workspace) -> list[str]:
    return list(
        AuditEvent.objects.filter(workspace=workspace).order_by("pk").values_list("action", flat=True)
    )


def error_next_to(html: str, field_id: str, message: str) -> bool:
    return f'id="{field_id}_error">{message}' in html


# --- navigation -------------------------------------------------------------------------------------


def test_the_settings_navigation_lists_the_four_pages_for_anyone_who_sees_posts(brand):
    viewer = signed_in_client(member_user(brand["workspace"], role=Role.VIEWER))
    html = viewer.get(reverse("dashboard:workspace_home", args=[brand["workspace"].pk])).content.decode()
    for name in ("campaigns", "tag_groups", "banned_words", "posting_slots"):
        assert url(name, brand["workspace"]) in html


def test_viewers_see_the_pages_without_forms(brand):
    viewer = signed_in_client(member_user(brand["workspace"], role=Role.VIEWER))
    CampaignFactory(workspace=brand["workspace"], name="Spring tea")
    page = viewer.get(url("campaigns", brand["workspace"]))
    assert page.status_code == 200
    assert "Spring tea" in page.content.decode()
    assert 'data-testid="campaign-form"' not in page.content.decode()


# --- campaigns --------------------------------------------------------------------------------------


def test_campaigns_list_with_dates_in_the_readers_language_and_post_counts(brand):
    workspace = brand["workspace"]
    campaign = CampaignFactory(
        workspace=workspace, name="Mid-Autumn", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30)
    )
    PostFactory.create_batch(2, workspace=workspace, campaign=campaign)
    english = brand["client"].get(url("campaigns", workspace)).content.decode()
    chinese = brand["client"].get(url("campaigns", workspace), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Sept. 1, 2026" in english and "2026-09-01" not in english
    assert "2 posts" in english
    assert "2026年9月1日" in chinese.content.decode()


def test_create_a_campaign(brand):
    workspace = brand["workspace"]
    response = brand["client"].post(
        url("campaigns", workspace),
        {"name": "Double 11", "starts_on": "2026-11-01", "ends_on": "2026-11-11", "color": "#ff0000"},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(workspace=workspace)
    assert (campaign.name, campaign.starts_on, campaign.color) == ("Double 11", date(2026, 11, 1), "#ff0000")
    assert "campaign.create" in audit_actions(workspace)


def test_a_campaign_ending_before_it_starts_is_refused_next_to_the_end_date(brand):
    workspace = brand["workspace"]
    response = brand["client"].post(
        url("campaigns", workspace),
        {"name": "Backwards", "starts_on": "2026-11-11", "ends_on": "2026-11-01", "color": "#ff0000"},
    )
    assert response.status_code == 400
    assert error_next_to(
        response.content.decode(), "id_new_ends_on", "The campaign must end on or after its start."
    )
    assert not Campaign.objects.filter(workspace=workspace).exists()
    assert audit_actions(workspace) == []


def test_a_blank_or_too_long_campaign_name_is_refused_as_in_the_api(brand):
    workspace = brand["workspace"]
    blank = brand["client"].post(url("campaigns", workspace), {"name": "  ", "color": "#ff0000"})
    long = brand["client"].post(url("campaigns", workspace), {"name": "x" * 121, "color": "#ff0000"})
    assert blank.status_code == 400 and long.status_code == 400
    assert error_next_to(blank.content.decode(), "id_new_name", "This field is required.")
    assert "Use at most 120 characters" in long.content.decode()
    assert not Campaign.objects.filter(workspace=workspace).exists()


def test_edit_a_campaign(brand):
    workspace = brand["workspace"]
    campaign = CampaignFactory(workspace=workspace, name="Old", color="#111111")
    page = brand["client"].get(url("campaign_edit", workspace, campaign.pk))
    assert page.status_code == 200 and 'value="Old"' in page.content.decode()
    response = brand["client"].post(
        url("campaign_edit", workspace, campaign.pk),
        {"name": "New", "color": "#111111", "objective": "Launch the oolong"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.objective) == ("New", "Launch the oolong")
    event = AuditEvent.objects.get(workspace=workspace, action="campaign.update")
    assert event.before["name"] == "Old" and event.after["name"] == "New"


def test_a_duplicate_campaign_name_on_edit_is_refused_and_nothing_changes(brand):
    workspace = brand["workspace"]
    CampaignFactory(workspace=workspace, name="Taken")
    campaign = CampaignFactory(workspace=workspace, name="Mine", color="#111111")
    response = brand["client"].post(
        url("campaign_edit", workspace, campaign.pk), {"name": "Taken", "color": "#111111"}
    )
    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "id_name", "A campaign with this name exists.")
    campaign.refresh_from_db()
    assert campaign.name == "Mine"
    assert audit_actions(workspace) == []


def test_delete_a_campaign(brand):
    workspace = brand["workspace"]
    campaign = CampaignFactory(workspace=workspace)
    response = brand["client"].post(url("campaign_delete", workspace, campaign.pk))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert "campaign.delete" in audit_actions(workspace)


def test_campaign_writes_need_post_schedule(brand):
    workspace = brand["workspace"]
    editor = signed_in_client(member_user(workspace, role=Role.EDITOR))
    campaign = CampaignFactory(workspace=workspace)
    assert editor.post(url("campaigns", workspace), {"name": "X", "color": "#ff0000"}).status_code == 403
    assert editor.post(url("campaign_delete", workspace, campaign.pk)).status_code == 403
    assert Campaign.objects.filter(workspace=workspace).count() == 1


def test_another_workspaces_campaign_is_404(brand):
    theirs = CampaignFactory(workspace=brand["other"])
    workspace = brand["workspace"]
    assert brand["client"].get(url("campaign_edit", workspace, theirs.pk)).status_code == 404
    assert brand["client"].post(url("campaign_delete", workspace, theirs.pk)).status_code == 404
    assert Campaign.objects.filter(pk=theirs.pk).exists()


# --- tag groups and tags ----------------------------------------------------------------------------


def test_tag_groups_list_their_tags(brand):
    group = TagGroupFactory(workspace=brand["workspace"], name="Pillar", required=True)
    TagFactory(group=group, name="Oolong")
    html = brand["client"].get(url("tag_groups", brand["workspace"])).content.decode()
    assert "Pillar" in html and 'value="Oolong"' in html and "Required" in html


def test_create_a_tag_group_and_a_tag_rename_and_remove_it(brand):
    workspace = brand["workspace"]
    client = brand["client"]
    assert (
        client.post(url("tag_groups", workspace), {"name": "Product", "exclusive": "on"}).status_code == 302
    )
    group = TagGroup.objects.get(workspace=workspace)
    assert group.exclusive and not group.required
    assert (
        client.post(url("tag_create", workspace, group.pk), {"name": "Green", "color": "#00aa00"}).status_code
        == 302
    )
    tag = Tag.objects.get(group=group)
    assert client.post(url("tag_edit", workspace, tag.pk), {"name": "Green tea"}).status_code == 302
    tag.refresh_from_db()
    assert tag.name == "Green tea"
    assert client.post(url("tag_delete", workspace, tag.pk)).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert client.post(url("tag_group_edit", workspace, group.pk), {"name": "Products"}).status_code == 302
    group.refresh_from_db()
    assert group.name == "Products" and not group.exclusive
    assert audit_actions(workspace) == [
        "tag_group.create",
        "tag.create",
        "tag.update",
        "tag.delete",
        "tag_group.update",
    ]


def test_a_duplicate_tag_is_refused_next_to_its_groups_name_field(brand):
    workspace = brand["workspace"]
    group = TagGroupFactory(workspace=workspace)
    TagFactory(group=group, name="Oolong")
    response = brand["client"].post(
        url("tag_create", workspace, group.pk), {"name": "Oolong", "color": "#00aa00"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_next_to(html, f"id_group{group.pk}_tag_name", "This group already has a tag with this name.")
    assert Tag.objects.filter(group=group).count() == 1
    assert audit_actions(workspace) == []


def test_a_blank_tag_rename_is_refused_next_to_that_tag(brand):
    workspace = brand["workspace"]
    tag = TagFactory(group=TagGroupFactory(workspace=workspace), name="Oolong")
    response = brand["client"].post(url("tag_edit", workspace, tag.pk), {"name": ""})
    assert response.status_code == 400
    assert error_next_to(response.content.decode(), f"id_tag{tag.pk}_name", "This field is required.")
    tag.refresh_from_db()
    assert tag.name == "Oolong"


def test_tag_writes_need_workspace_manage(brand):
    workspace = brand["workspace"]
    manager = signed_in_client(member_user(workspace, role=Role.MANAGER))
    group = TagGroupFactory(workspace=workspace)
    assert manager.get(url("tag_groups", workspace)).status_code == 200
    assert manager.post(url("tag_groups", workspace), {"name": "X"}).status_code == 403
    assert manager.post(url("tag_create", workspace, group.pk), {"name": "X"}).status_code == 403
    assert manager.post(url("tag_group_delete", workspace, group.pk)).status_code == 403
    assert TagGroup.objects.filter(workspace=workspace).count() == 1 and not Tag.objects.exists()


def test_another_workspaces_tag_group_and_tag_are_404(brand):
    workspace = brand["workspace"]
    group = TagGroupFactory(workspace=brand["other"])
    tag = TagFactory(group=group)
    client = brand["client"]
    assert client.post(url("tag_create", workspace, group.pk), {"name": "X"}).status_code == 404
    assert client.post(url("tag_group_edit", workspace, group.pk), {"name": "X"}).status_code == 404
    assert client.post(url("tag_edit", workspace, tag.pk), {"name": "X"}).status_code == 404
    assert client.post(url("tag_delete", workspace, tag.pk)).status_code == 404
    assert Tag.objects.filter(pk=tag.pk, name=tag.name).exists()


# --- banned words -----------------------------------------------------------------------------------


def test_banned_words_page_shows_the_workspaces_words_and_the_built_in_terms(brand):
    BannedWordFactory(workspace=brand["workspace"], word="cheap", severity=BannedWord.Severity.WARNING)
    html = brand["client"].get(url("banned_words", brand["workspace"])).content.decode()
    assert "cheap" in html and "Warning" in html
    assert "国家级" in html and "最佳" in html  # Advertising Law terms, read-only
    assert "#sponsored" in html and "google.com" in html


def test_add_a_banned_word(brand):
    workspace = brand["workspace"]
    response = brand["client"].post(
        url("banned_words", workspace), {"word": " 特效 ", "severity": "warning", "note": "medical claim"}
    )
    assert response.status_code == 302
    word = BannedWord.objects.get(workspace=workspace)
    assert (word.word, word.severity, word.note) == ("特效", "warning", "medical claim")
    assert "banned_word.create" in audit_actions(workspace)


def test_a_duplicate_banned_word_is_refused_next_to_the_word(brand):
    workspace = brand["workspace"]
    BannedWordFactory(workspace=workspace, word="cheap")
    response = brand["client"].post(url("banned_words", workspace), {"word": "cheap", "severity": "blocking"})
    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "id_new_word", "This word is already on the list.")
    assert BannedWord.objects.filter(workspace=workspace).count() == 1
    assert audit_actions(workspace) == []


def test_edit_a_banned_words_severity(brand):
    workspace = brand["workspace"]
    word = BannedWordFactory(workspace=workspace, word="cheap")
    assert brand["client"].get(url("banned_word_edit", workspace, word.pk)).status_code == 200
    response = brand["client"].post(
        url("banned_word_edit", workspace, word.pk), {"word": "cheap", "severity": "info", "note": ""}
    )
    assert response.status_code == 302
    word.refresh_from_db()
    assert word.severity == "info"
    event = AuditEvent.objects.get(workspace=workspace, action="banned_word.update")
    assert event.after == {"severity": "info"}


def test_a_blank_banned_word_on_edit_is_refused_and_kept(brand):
    workspace = brand["workspace"]
    word = BannedWordFactory(workspace=workspace, word="cheap")
    response = brand["client"].post(
        url("banned_word_edit", workspace, word.pk), {"word": " ", "severity": "info"}
    )
    assert response.status_code == 400
    assert error_next_to(response.content.decode(), "id_word", "This field is required.")
    word.refresh_from_db()
    assert (word.word, word.severity) == ("cheap", "blocking")


def test_delete_a_banned_word(brand):
    workspace = brand["workspace"]
    word = BannedWordFactory(workspace=workspace)
    assert brand["client"].post(url("banned_word_delete", workspace, word.pk)).status_code == 302
    assert not BannedWord.objects.filter(pk=word.pk).exists()
    assert "banned_word.delete" in audit_actions(workspace)


def test_banned_word_writes_need_workspace_manage(brand):
    workspace = brand["workspace"]
    manager = signed_in_client(member_user(workspace, role=Role.MANAGER))
    word = BannedWordFactory(workspace=workspace)
    assert manager.post(url("banned_words", workspace), {"word": "x", "severity": "info"}).status_code == 403
    assert manager.post(url("banned_word_delete", workspace, word.pk)).status_code == 403
    assert BannedWord.objects.filter(workspace=workspace).count() == 1


def test_another_workspaces_banned_word_is_404(brand):
    theirs = BannedWordFactory(workspace=brand["other"])
    workspace = brand["workspace"]
    assert brand["client"].get(url("banned_word_edit", workspace, theirs.pk)).status_code == 404
    assert brand["client"].post(url("banned_word_delete", workspace, theirs.pk)).status_code == 404
    assert BannedWord.objects.filter(pk=theirs.pk).exists()


# --- posting slots ----------------------------------------------------------------------------------


def test_posting_slots_by_account_and_weekday(brand):
    workspace = brand["workspace"]
    weibo = brand["accounts"]["weibo"]
    PostingSlotFactory(workspace=workspace, account=weibo, weekday=2, time=time(9, 30))
    with translation.override("en"):
        html = brand["client"].get(url("posting_slots", workspace)).content.decode()
    assert "@brand_weibo" in html and "@brand_x" in html
    assert "Wednesday" in html and "09:30" in html
    assert "Asia/Shanghai" in html


def test_add_and_remove_a_posting_slot(brand):
    workspace = brand["workspace"]
    weibo = brand["accounts"]["weibo"]
    response = brand["client"].post(
        url("posting_slots", workspace), {"account": weibo.pk, "weekday": "4", "time": "18:15"}
    )
    assert response.status_code == 302
    slot = PostingSlot.objects.get(workspace=workspace)
    assert (slot.account_id, slot.weekday, slot.time) == (weibo.pk, 4, time(18, 15))
    assert brand["client"].post(url("posting_slot_delete", workspace, slot.pk)).status_code == 302
    assert not PostingSlot.objects.exists()
    assert audit_actions(workspace) == ["posting_slot.create", "posting_slot.delete"]


def test_a_slot_twice_or_without_a_time_is_refused_next_to_the_time(brand):
    workspace = brand["workspace"]
    weibo = brand["accounts"]["weibo"]
    PostingSlotFactory(workspace=workspace, account=weibo, weekday=0, time=time(9, 0))
    twice = brand["client"].post(
        url("posting_slots", workspace), {"account": weibo.pk, "weekday": "0", "time": "09:00"}
    )
    empty = brand["client"].post(
        url("posting_slots", workspace), {"account": weibo.pk, "weekday": "0", "time": ""}
    )
    assert twice.status_code == 400 and empty.status_code == 400
    assert error_next_to(
        twice.content.decode(), "id_new_time", "This account already has a slot at that time."
    )
    assert error_next_to(empty.content.decode(), "id_new_time", "This field is required.")
    assert PostingSlot.objects.count() == 1 and audit_actions(workspace) == []


def test_another_workspaces_account_or_slot_is_refused(brand):
    workspace = brand["workspace"]
    their_account = SocialAccountFactory(workspace=brand["other"])
    theirs = PostingSlotFactory(workspace=brand["other"], account=their_account)
    response = brand["client"].post(
        url("posting_slots", workspace), {"account": their_account.pk, "weekday": "0", "time": "10:00"}
    )
    assert response.status_code == 400 and "id_new_account_error" in response.content.decode()
    assert brand["client"].post(url("posting_slot_delete", workspace, theirs.pk)).status_code == 404
    assert PostingSlot.objects.filter(workspace=workspace).count() == 0
    assert PostingSlot.objects.filter(pk=theirs.pk).exists()


def test_posting_slot_writes_need_post_schedule(brand):
    workspace = brand["workspace"]
    editor = signed_in_client(member_user(workspace, role=Role.EDITOR))
    slot = PostingSlotFactory(workspace=workspace, account=brand["accounts"]["x"])
    assert editor.get(url("posting_slots", workspace)).status_code == 200
    data = {"account": brand["accounts"]["x"].pk, "weekday": "1", "time": "10:00"}
    assert editor.post(url("posting_slots", workspace), data).status_code == 403
    assert editor.post(url("posting_slot_delete", workspace, slot.pk)).status_code == 403
    assert PostingSlot.objects.count() == 1


# --- the API and the pages agree --------------------------------------------------------------------


def test_the_services_check_what_the_api_serializers_checked(brand):
    # given: input only a serializer used to refuse, sent straight to the services (the pages' path)
    workspace, admin = brand["workspace"], brand["admin"]
    tag = TagFactory(group=TagGroupFactory(workspace=workspace), name="Oolong")
    word = BannedWordFactory(workspace=workspace, word="cheap")
    campaign = CampaignFactory(workspace=workspace)
    cases = [
        (lambda: services.tag_update(actor=admin, tag=tag, color="red"), "color"),
        (lambda: services.tag_update(actor=admin, tag=tag, name="x" * 81), "name"),
        (lambda: services.banned_word_update(actor=admin, banned_word=word, word=" "), "word"),
        (lambda: services.banned_word_update(actor=admin, banned_word=word, severity="fatal"), "severity"),
        (lambda: services.campaign_update(actor=admin, campaign=campaign, color="#12345"), "color"),
        (lambda: services.tag_group_create(actor=admin, workspace=workspace, name=""), "name"),
    ]
    for call, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert field in refused.value.fields
    assert audit_actions(workspace) == []


# --- queries do not grow with the list ---------------------------------------------------------------


def _fill(workspace, accounts, count: int, first: int = 0) -> None:
    for _index in range(count):
        CampaignFactory(workspace=workspace, owner=None)
        TagFactory(group=TagGroupFactory(workspace=workspace))
        BannedWordFactory(workspace=workspace)
    for minute in range(first, first + count):
        PostingSlotFactory(
            workspace=workspace, account=accounts["weibo"], weekday=minute % 7, time=time(9, minute)
        )


@pytest.mark.parametrize("name", ["campaigns", "tag_groups", "banned_words", "posting_slots"])
def test_each_page_runs_as_many_queries_for_20_items_as_for_1(brand, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    workspace, client = brand["workspace"], brand["client"]
    _fill(workspace, brand["accounts"], 1)
    client.get(url(name, workspace))  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(name, workspace)).status_code == 200
    _fill(workspace, brand["accounts"], 19, first=1)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url(name, workspace)).status_code == 200
    assert len(twenty) == len(one)

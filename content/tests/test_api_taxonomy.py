"""Campaigns, tag groups and tags, banned words, posting slots and the media library: CRUD, workspace
lookups of related ids, and constant query counts for every list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Campaign, PostingSlot, Tag
from content.tests.factories import (
    BannedWordFactory,
    CampaignFactory,
    MediaAssetFactory,
    PostingSlotFactory,
    PostTargetFactory,
    TagFactory,
    TagGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def admin(ws, client_for):
    return client_for(WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user)


@pytest.fixture
def base(ws):
    return f"/api/v1/workspaces/{ws.pk}"


def test_campaign_crud_and_owner_from_the_workspace(ws, admin, base):
    owner = WorkspaceMemberFactory(workspace=ws)
    created = admin.post(
        f"{base}/campaigns/",
        {
            "name": "Spring",
            "starts_on": "2031-03-01",
            "ends_on": "2031-03-31",
            "owner": owner.pk,
            "objective": "Reach",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    campaign_id = created.json()["id"]
    assert created.json()["owner"] == owner.pk
    # another workspace's member as owner
    stranger = WorkspaceMemberFactory()
    refused = admin.patch(f"{base}/campaigns/{campaign_id}/", {"owner": stranger.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()["error"]["fields"]
    # dates the wrong way round
    refused = admin.patch(f"{base}/campaigns/{campaign_id}/", {"ends_on": "2031-02-01"}, format="json")
    assert refused.status_code == 400 and "ends_on" in refused.json()["error"]["fields"]
    # duplicate name
    refused = admin.post(f"{base}/campaigns/", {"name": "Spring"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "duplicate"
    assert admin.delete(f"{base}/campaigns/{campaign_id}/").status_code == 204
    assert not Campaign.objects.filter(pk=campaign_id).exists()


def test_tags_belong_to_a_group_of_the_same_workspace(ws, admin, base):
    group = admin.post(
        f"{base}/tag-groups/", {"name": "Pillar", "required": True, "exclusive": True}, format="json"
    )
    assert group.status_code == 201
    tag = admin.post(f"{base}/tags/", {"group": group.json()["id"], "name": "Recipes"}, format="json")
    assert tag.status_code == 201
    listed = admin.get(f"{base}/tag-groups/").json()["results"]
    assert listed[0]["tags"][0]["name"] == "Recipes" and listed[0]["required"] is True
    foreign_group = TagGroupFactory(workspace=WorkspaceFactory())
    refused = admin.post(f"{base}/tags/", {"group": foreign_group.pk, "name": "Sneaky"}, format="json")
    assert refused.status_code == 400 and "group" in refused.json()["error"]["fields"]
    assert not Tag.objects.filter(name="Sneaky").exists()


def test_banned_words_feed_the_compliance_check(ws, admin, base):
    created = admin.post(
        f"{base}/banned-words/", {"word": "cheap", "severity": "warning", "note": "off-brand"}, format="json"
    )
    assert created.status_code == 201
    check = admin.post(
        f"{base}/compliance/check/", {"text": "a cheap deal", "platforms": ["mastodon"]}, format="json"
    )
    (finding,) = [f for f in check.json()["findings"] if f["rule"] == "banned_word"]
    assert (finding["severity"], finding["start"], finding["end"]) == ("warning", 2, 7)
    duplicate = admin.post(f"{base}/banned-words/", {"word": "cheap"}, format="json")
    assert duplicate.status_code == 400


def test_a_banned_word_moves_to_one_of_the_workspaces_lists_only(ws, admin, base):
    # given: a word, a list of this workspace and one of another workspace
    from content.models import BannedWord, BannedWordList

    word = BannedWordFactory(workspace=ws)
    own = BannedWordList.objects.create(workspace=ws, name="Legal")
    foreign = BannedWordList.objects.create(workspace=WorkspaceFactory(), name="Legal")
    url = f"{base}/banned-words/{word.pk}/"
    # when
    refused = admin.patch(url, {"word_list": foreign.pk}, format="json")
    moved = admin.patch(url, {"word_list": own.pk}, format="json")
    # then
    assert refused.status_code == 400 and "word_list" in refused.json()["error"]["fields"]
    assert moved.status_code == 200 and moved.json()["word_list"] == own.pk
    assert BannedWord.objects.get(pk=word.pk).word_list_id == own.pk
    # and null takes it off the list
    assert admin.patch(url, {"word_list": None}, format="json").json()["word_list"] is None


def test_posting_slots_for_own_accounts_only(ws, admin, base):
    account = SocialAccountFactory(workspace=ws)
    created = admin.post(
        f"{base}/posting-slots/", {"account": account.pk, "weekday": 0, "time": "09:00"}, format="json"
    )
    assert created.status_code == 201
    foreign = SocialAccountFactory(workspace=WorkspaceFactory())
    refused = admin.post(
        f"{base}/posting-slots/", {"account": foreign.pk, "weekday": 0, "time": "09:00"}, format="json"
    )
    assert refused.status_code == 400 and "account" in refused.json()["error"]["fields"]
    assert PostingSlot.objects.count() == 1
    listed = admin.get(f"{base}/posting-slots/", {"account": account.pk}).json()["results"]
    assert [s["time"] for s in listed] == ["09:00:00"]


def test_tag_rules_apply_through_the_api(ws, admin, base):
    pillar = TagGroupFactory(workspace=ws, name="Pillar", required=True)
    TagFactory(group=pillar)
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    response = admin.post(
        f"{base}/posts/", {"targets": [{"account": account.pk, "text": "x"}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "tag_rules" and "Pillar" in response.json()["error"]["message"]


ROWS = {
    "campaigns": lambda ws, n: CampaignFactory(workspace=ws),
    "tag-groups": lambda ws, n: TagFactory(group=TagGroupFactory(workspace=ws)),
    "tags": lambda ws, n: TagFactory(group=TagGroupFactory(workspace=ws)),
    "banned-words": lambda ws, n: BannedWordFactory(workspace=ws),
    "posting-slots": lambda ws, n: PostingSlotFactory(workspace=ws, weekday=n % 7),
    "media": lambda ws, n: MediaAssetFactory(workspace=ws),
    "posts": lambda ws, n: PostTargetFactory(post__workspace=ws),
}


@pytest.mark.parametrize("path", list(ROWS))
def test_every_list_costs_the_same_queries_for_1_and_20_rows(ws, admin, base, path):
    # given
    ROWS[path](ws, 0)
    admin.get(f"{base}/{path}/")
    # when
    with CaptureQueriesContext(connection) as one:
        first = admin.get(f"{base}/{path}/")
    for n in range(1, 20):
        ROWS[path](ws, n)
    with CaptureQueriesContext(connection) as twenty:
        second = admin.get(f"{base}/{path}/")
    # then
    assert len(first.json()["results"]) == 1 and len(second.json()["results"]) == 20
    assert len(twenty) == len(one), path


def test_services_write_the_audit_log(ws):
    from core.models import AuditEvent

    actor = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    group = services.tag_group_create(actor=actor, workspace=ws, name="Pillar")
    services.tag_create(actor=actor, workspace=ws, group=group.pk, name="Tips")
    services.campaign_create(actor=actor, workspace=ws, name="Launch")
    actions = set(AuditEvent.objects.filter(workspace=ws).values_list("action", flat=True))
    assert {"tag_group.create", "tag.create", "campaign.create"} <= actions

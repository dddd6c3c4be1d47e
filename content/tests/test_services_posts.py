"""Post services: versions and hashes, optimistic concurrency, workspace lookups, tag rules, scheduling
refusals and overrides, the queue, duplicate and delete."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import IllegalTransition, Post, PostTarget, PostVersion, TargetStatus
from content.payload import payload_diff, publishable
from content.tests.factories import (
    BannedWordFactory,
    CampaignFactory,
    MediaAssetFactory,
    PostingSlotFactory,
    TagFactory,
    TagGroupFactory,
)
from core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

S = TargetStatus


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def manager(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user


@pytest.fixture
def mastodon(ws):
    return SocialAccountFactory(workspace=ws, platform="mastodon")


@pytest.fixture
def bluesky(ws):
    return SocialAccountFactory(workspace=ws, platform="bluesky")


def soon(days=2):
    return timezone.now() + timedelta(days=days)


def make_post(actor, ws, accounts, text="Spring menu is here", **kwargs):
    return services.post_create(
        actor=actor,
        workspace=ws,
        targets=[{"account": a.pk, "text": text} for a in accounts],
        **kwargs,
    )


def test_create_makes_version_one_with_hash_and_audit(manager, ws, mastodon, bluesky):
    # when
    post = make_post(manager, ws, [mastodon, bluesky], title="Launch", scheduled_at=soon())
    # then
    post.refresh_from_db()
    assert post.version == 1
    assert len(post.content_hash) == 64
    (version,) = PostVersion.objects.filter(post=post)
    assert version.number == 1 and version.content_hash == post.content_hash
    assert [t["account"] for t in version.snapshot["targets"]] == sorted([mastodon.pk, bluesky.pk])
    assert AuditEvent.objects.filter(action="post.create", target_id=str(post.pk)).exists()


def test_every_edit_makes_a_new_version_and_the_hash_follows_title_and_text(manager, ws, mastodon):
    # given
    post = make_post(manager, ws, [mastodon])
    first_hash = Post.objects.get(pk=post.pk).content_hash
    # when
    services.post_update(actor=manager, post=post, version=1, title="New title")
    after_title = Post.objects.get(pk=post.pk)
    services.post_update(
        actor=manager, post=post, version=2, targets=[{"account": mastodon.pk, "text": "Changed text"}]
    )
    after_text = Post.objects.get(pk=post.pk)
    # then
    assert after_title.version == 2 and after_title.content_hash != first_hash  # the title is sent too
    assert after_text.version == 3 and after_text.content_hash not in (first_hash, after_title.content_hash)
    assert list(PostVersion.objects.filter(post=post).values_list("number", flat=True)) == [1, 2, 3]


def test_a_version_summary_names_the_variant_fields_that_changed_not_just_accounts(manager, ws, mastodon):
    # given
    post = make_post(manager, ws, [mastodon])
    # when: only the text changes, then the first comment and the options together
    services.post_update(
        actor=manager, post=post, version=1, targets=[{"account": mastodon.pk, "text": "Changed text"}]
    )
    services.post_update(
        actor=manager,
        post=post,
        version=2,
        targets=[
            {
                "account": mastodon.pk,
                "text": "Changed text",
                "first_comment": "More below",
                "options": {"visibility": "unlisted"},
            }
        ],
    )
    # then
    summaries = list(
        PostVersion.objects.filter(post=post).order_by("number").values_list("change_summary", flat=True)
    )
    assert summaries[1:] == ["Changed: text", "Changed: first_comment, options"]


def test_an_edit_that_changes_nothing_makes_no_version(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon], title="Same")
    services.post_update(actor=manager, post=post, version=1, title="Same")
    assert Post.objects.get(pk=post.pk).version == 1
    assert PostVersion.objects.filter(post=post).count() == 1


def test_a_stale_version_is_refused_and_nothing_is_overwritten(manager, ws, mastodon):
    # given: two people opened version 1; the first saved
    post = make_post(manager, ws, [mastodon], title="Original")
    services.post_update(actor=manager, post=post, version=1, title="First person's title")
    # when: the second saves what they edited from version 1
    with pytest.raises(Conflict) as caught:
        services.post_update(actor=manager, post=post, version=1, title="Second person's title")
    # then
    assert caught.value.status_code == 409
    assert caught.value.code == "stale_version"
    assert "version 1" in caught.value.message and "version 2" in caught.value.message
    post.refresh_from_db()
    assert post.title == "First person's title" and post.version == 2


def test_history_shows_who_changed_what_with_a_diff(manager, ws, mastodon):
    from content.selectors import post_history

    # given
    post = make_post(manager, ws, [mastodon], text="Our best tea\nSecond line")
    # when
    services.post_update(
        actor=manager,
        post=post,
        version=1,
        targets=[{"account": mastodon.pk, "text": "Our good tea\nSecond line"}],
    )
    history = post_history(ws, post)
    # then
    latest = history[0]
    assert latest["number"] == 2 and latest["author_label"] == manager.email
    (change,) = latest["changes"]
    assert change["field"] == f"targets.{mastodon.pk}.text"
    assert "-Our best tea" in change["diff"] and "+Our good tea" in change["diff"]
    assert {"op": "delete", "text": "best"} in change["segments"]
    assert {"op": "insert", "text": "good"} in change["segments"]
    assert history[1]["changes"] == []


@pytest.mark.parametrize("kind", ["account", "media", "campaign", "tag"])
def test_another_workspaces_ids_are_refused_and_nothing_is_created(manager, ws, mastodon, kind):
    # given
    other = WorkspaceFactory()
    foreign = {
        "account": lambda: SocialAccountFactory(workspace=other),
        "media": lambda: MediaAssetFactory(workspace=other),
        "campaign": lambda: CampaignFactory(workspace=other),
        "tag": lambda: TagFactory(group=TagGroupFactory(workspace=other)),
    }[kind]()
    target = {"account": foreign.pk if kind == "account" else mastodon.pk, "text": "Hi"}
    if kind == "media":
        target["media"] = [foreign.pk]
    kwargs = (
        {"campaign": foreign.pk} if kind == "campaign" else {"tags": [foreign.pk]} if kind == "tag" else {}
    )
    # when
    with pytest.raises(ValidationFailed) as caught:
        services.post_create(actor=manager, workspace=ws, targets=[target], **kwargs)
    # then
    expected_field = {
        "account": "targets.0.account",
        "media": "targets.0.media",
        "campaign": "campaign",
        "tag": "tags",
    }
    assert expected_field[kind] in caught.value.fields
    assert Post.objects.count() == 0 and PostTarget.objects.count() == 0


def test_tag_rules_required_and_exclusive(manager, ws, mastodon):
    # given
    pillar = TagGroupFactory(workspace=ws, name="Pillar", required=True, exclusive=True)
    recipes, news = TagFactory(group=pillar, name="Recipes"), TagFactory(group=pillar, name="News")
    # then: none from a required group
    with pytest.raises(ValidationFailed, match="Pillar"):
        make_post(manager, ws, [mastodon])
    # and: two from an exclusive group
    with pytest.raises(ValidationFailed, match="only one"):
        make_post(manager, ws, [mastodon], tags=[recipes.pk, news.pk])
    # and: exactly one is fine
    post = make_post(manager, ws, [mastodon], tags=[recipes.pk])
    assert list(post.tags.values_list("name", flat=True)) == ["Recipes"]


def test_schedule_refuses_blocking_findings_with_the_reason(manager, ws, mastodon):
    # given: an absolute claim China's advertising law forbids
    post = make_post(manager, ws, [mastodon], text="全国第一的奶茶", scheduled_at=soon())
    # when
    with pytest.raises(ValidationFailed) as caught:
        services.post_schedule(actor=manager, post=post)
    # then
    assert caught.value.code == "compliance_blocking"
    assert "全国第一" in caught.value.message
    assert set(PostTarget.objects.filter(post=post).values_list("status", flat=True)) == {S.DRAFT}


def test_warnings_need_an_override_which_is_recorded(manager, ws, mastodon):
    # given
    BannedWordFactory(workspace=ws, word="cheap", severity="warning", note="off-brand")
    post = make_post(manager, ws, [mastodon], text="A cheap treat", scheduled_at=soon())
    # when: without the override
    with pytest.raises(ValidationFailed) as caught:
        services.post_schedule(actor=manager, post=post)
    assert caught.value.code == "compliance_warnings"
    # when: with it
    services.post_schedule(actor=manager, post=post, override_warnings=True)
    # then
    post.refresh_from_db()
    assert post.status == S.SCHEDULED
    assert post.compliance_override["rules"] == ["banned_word"]
    assert post.compliance_override["by"] == manager.pk
    assert AuditEvent.objects.filter(action="post.compliance_override", target_id=str(post.pk)).exists()


def test_schedule_refuses_the_past_and_states_that_forbid_it(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    with pytest.raises(ValidationFailed, match="future"):
        services.post_schedule(actor=manager, post=post, scheduled_at=timezone.now() - timedelta(minutes=1))
    # given: a published variant
    PostTarget.objects.filter(post=post).update(status=S.PUBLISHED)
    with pytest.raises(IllegalTransition, match="published"):
        services.post_schedule(actor=manager, post=post, scheduled_at=soon())


def test_reschedule_moves_the_time_and_records_a_version(manager, ws, mastodon):
    # given
    post = make_post(manager, ws, [mastodon], scheduled_at=soon(2))
    services.post_schedule(actor=manager, post=post)
    new_time = soon(3)
    # when
    services.post_reschedule(actor=manager, post=post, scheduled_at=new_time)
    # then
    post.refresh_from_db()
    assert post.scheduled_at == new_time and post.status == S.SCHEDULED
    latest = PostVersion.objects.filter(post=post).order_by("-number").first()
    assert datetime.fromisoformat(latest.snapshot["scheduled_at"]) == new_time
    assert latest.change_summary == "Rescheduled"


def test_reschedule_refused_for_published_and_for_editors_on_scheduled_posts(manager, ws, mastodon):
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    post = make_post(manager, ws, [mastodon], scheduled_at=soon())
    services.post_schedule(actor=manager, post=post)
    with pytest.raises(PermissionRefused):
        services.post_reschedule(actor=editor, post=post, scheduled_at=soon(5))
    PostTarget.objects.filter(post=post).update(status=S.PUBLISHED)
    with pytest.raises(IllegalTransition, match="no longer be moved"):
        services.post_reschedule(actor=manager, post=post, scheduled_at=soon(5))


def test_unschedule_returns_targets_to_draft(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon], scheduled_at=soon())
    services.post_schedule(actor=manager, post=post)
    services.post_unschedule(actor=manager, post=post)
    assert Post.objects.get(pk=post.pk).status == S.DRAFT
    with pytest.raises(IllegalTransition):
        services.post_unschedule(actor=manager, post=post)


def test_add_to_queue_takes_the_next_free_slot(manager, ws, mastodon):
    # given: slots on every weekday at 09:00 and 18:00; one post already takes the first free one
    for weekday in range(7):
        PostingSlotFactory(workspace=ws, account=mastodon, weekday=weekday, time=time(9, 0))
        PostingSlotFactory(workspace=ws, account=mastodon, weekday=weekday, time=time(18, 0))
    first = make_post(manager, ws, [mastodon])
    second = make_post(manager, ws, [mastodon])
    # when
    services.post_add_to_queue(actor=manager, post=first)
    services.post_add_to_queue(actor=manager, post=second)
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    tz = ws.tzinfo
    now_local = timezone.now().astimezone(tz)
    assert first.scheduled_at > timezone.now() and second.scheduled_at > first.scheduled_at
    assert {first.scheduled_at.astimezone(tz).time(), second.scheduled_at.astimezone(tz).time()} <= {
        time(9, 0),
        time(18, 0),
    }
    assert first.scheduled_at - now_local < timedelta(hours=15)
    assert first.status == second.status == S.SCHEDULED


def test_add_to_queue_without_slots_says_so(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    with pytest.raises(ValidationFailed) as caught:
        services.post_add_to_queue(actor=manager, post=post)
    assert caught.value.code == "no_free_slot"


def test_duplicate_copies_targets_media_campaign_and_tags(manager, ws, mastodon):
    campaign = CampaignFactory(workspace=ws)
    tag = TagFactory(group=TagGroupFactory(workspace=ws))
    media = MediaAssetFactory(workspace=ws)
    post = services.post_create(
        actor=manager,
        workspace=ws,
        title="Autumn",
        campaign=campaign.pk,
        tags=[tag.pk],
        targets=[{"account": mastodon.pk, "text": "Leaves", "media": [media.pk]}],
    )
    copy = services.post_duplicate(actor=manager, post=post)
    copy = Post.objects.get(pk=copy.pk)
    assert copy.pk != post.pk and copy.title == "Autumn (copy)"
    assert copy.campaign_id == campaign.pk and list(copy.tags.all()) == [tag]
    (target,) = copy.targets.all()
    assert target.text == "Leaves" and [link.media_id for link in target.media_links.all()] == [media.pk]
    # the same payload but for the title, which is sent (WeChat, Bilibili, YouTube) and says "(copy)"
    changes = payload_diff(publishable(post), publishable(copy))
    assert {c["path"].rsplit(".", 1)[-1] for c in changes} == {"title"}


def test_delete_is_soft_and_cancels_unpublished_targets(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    services.post_delete(actor=manager, post=post)
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert post.targets.get().status == S.CANCELLED
    with pytest.raises(NotFound):
        services.post_update(actor=manager, post=post, version=post.version, title="x")


def test_delete_is_refused_while_publishing(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    PostTarget.objects.filter(post=post).update(status=S.PUBLISHING)
    with pytest.raises(Conflict, match="being published"):
        services.post_delete(actor=manager, post=post)
    assert Post.objects.get(pk=post.pk).deleted_at is None


def test_editing_a_published_variant_is_refused(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    PostTarget.objects.filter(post=post).update(status=S.PUBLISHED)
    with pytest.raises(Conflict, match="can no longer change"):
        services.post_update(
            actor=manager, post=post, version=1, targets=[{"account": mastodon.pk, "text": "new"}]
        )
    assert PostTarget.objects.get(post=post).text == "Spring menu is here"


def test_an_edit_after_approval_sends_the_variant_back_to_draft(manager, ws, mastodon):
    post = make_post(manager, ws, [mastodon])
    PostTarget.objects.filter(post=post).update(status=S.APPROVED)
    services.post_update(
        actor=manager, post=post, version=1, targets=[{"account": mastodon.pk, "text": "edited"}]
    )
    assert PostTarget.objects.get(post=post).status == S.DRAFT


def test_naive_times_are_refused(manager, ws, mastodon):
    with pytest.raises(ValidationFailed) as caught:
        make_post(manager, ws, [mastodon], scheduled_at=datetime(2030, 1, 1, 9, 0))
    assert "scheduled_at" in caught.value.fields


def test_target_moves_follow_the_table_and_carry_the_result(manager, ws, mastodon, bluesky):
    # given
    post = make_post(manager, ws, [mastodon, bluesky], scheduled_at=soon())
    services.post_schedule(actor=manager, post=post)
    target = PostTarget.objects.get(post=post, account=mastodon)
    # when
    services.post_target_move(actor=None, target=target, status=S.QUEUED)
    services.post_target_move(actor=None, target=target, status=S.PUBLISHING)
    services.post_target_move(
        actor=None, target=target, status=S.PUBLISHED, external_id="109", url="https://m.example/@brand/109"
    )
    # then
    target.refresh_from_db()
    assert (target.status, target.external_id) == (S.PUBLISHED, "109")
    assert Post.objects.get(pk=post.pk).status == S.SCHEDULED  # the other variant is still scheduled
    with pytest.raises(IllegalTransition):
        services.post_target_move(actor=None, target=target, status=S.SCHEDULED)
    assert AuditEvent.objects.filter(action="post_target.status", target_id=str(target.pk)).count() == 3


def test_a_first_comment_only_where_the_platform_has_one(manager, ws, mastodon, bluesky):
    # given: Mastodon has first comments (a reply), Bluesky's connector doesn't
    post = services.post_create(
        actor=manager, workspace=ws, targets=[{"account": mastodon.pk, "text": "Hi", "first_comment": "#tea"}]
    )
    assert post.targets.get().first_comment == "#tea"
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        services.post_create(
            actor=manager,
            workspace=ws,
            targets=[{"account": bluesky.pk, "text": "Hi", "first_comment": "#tea"}],
        )
    assert "targets.0.first_comment" in caught.value.fields

"""The posts API: the calendar (constant queries, filters, across workspaces), edits with versions and
409s, history diffs, cross-workspace references, scheduling with the reason or an override."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import (
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget, PostTargetMedia, PostVersion
from content.tests.factories import (
    BannedWordFactory,
    CampaignFactory,
    MediaAssetFactory,
    PostFactory,
    PostTargetFactory,
    TagFactory,
    TagGroupFactory,
)

pytestmark = pytest.mark.django_db

MONTH = {"start": "2031-03-01T00:00:00+08:00", "end": "2031-04-01T00:00:00+08:00"}


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def manager(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user


@pytest.fixture
def api(manager, client_for):
    return client_for(manager)


@pytest.fixture
def base(ws):
    return f"/api/v1/workspaces/{ws.pk}"


def add_calendar_post(ws, n, accounts, campaign, tags, media):
    post = PostFactory(
        workspace=ws, campaign=campaign, scheduled_at=datetime(2031, 3, 1 + n % 28, 2, n % 60, tzinfo=UTC)
    )
    post.tags.set(tags)
    for account in accounts:
        target = PostTargetFactory(post=post, account=account)
        PostTargetMedia.objects.create(target=target, media=media)
    return post


def test_calendar_month_costs_the_same_queries_for_1_and_50_posts(ws, api, base):
    # given: posts on two accounts with campaign, tags and media
    accounts = [
        SocialAccountFactory(workspace=ws, platform="weibo"),
        SocialAccountFactory(workspace=ws, platform="x"),
    ]
    campaign = CampaignFactory(workspace=ws)
    tags = [TagFactory(group=TagGroupFactory(workspace=ws)) for _ in range(2)]
    media = MediaAssetFactory(workspace=ws)
    add_calendar_post(ws, 0, accounts, campaign, tags, media)
    url = f"{base}/posts/"
    params = {**MONTH, "page_size": 200}
    api.get(url, params)  # warm up
    # when
    with CaptureQueriesContext(connection) as one:
        first = api.get(url, params)
    for n in range(1, 50):
        add_calendar_post(ws, n, accounts, campaign, tags, media)
    with CaptureQueriesContext(connection) as fifty:
        second = api.get(url, params)
    # then
    assert first.status_code == second.status_code == 200
    assert len(first.json()["results"]) == 1 and len(second.json()["results"]) == 50
    assert len(fifty) == len(one), [q["sql"][:120] for q in fifty.captured_queries]
    row = second.json()["results"][0]
    assert row["campaign"]["id"] == campaign.pk and len(row["tags"]) == 2
    assert [t["media"] for t in row["targets"]] == [[media.pk], [media.pk]]


def test_calendar_is_in_time_order_and_filters(ws, api, base, manager):
    # given
    weibo = SocialAccountFactory(workspace=ws, platform="weibo")
    x = SocialAccountFactory(workspace=ws, platform="x")
    campaign = CampaignFactory(workspace=ws)
    tag = TagFactory(group=TagGroupFactory(workspace=ws))
    late = PostTargetFactory(
        post__workspace=ws, account=weibo, post__scheduled_at=datetime(2031, 3, 20, tzinfo=UTC)
    ).post
    early = PostTargetFactory(
        post__workspace=ws, account=x, post__scheduled_at=datetime(2031, 3, 2, tzinfo=UTC), status="scheduled"
    ).post
    early.campaign = campaign
    early.author = manager
    early.save()
    early.tags.add(tag)
    PostTargetFactory(post__workspace=ws, account=x, post__scheduled_at=datetime(2031, 5, 2, tzinfo=UTC))

    def ids(**params):
        response = api.get(f"{base}/posts/", {**MONTH, **params})
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    # then
    assert ids() == [early.pk, late.pk]
    assert ids(platforms="weibo") == [late.pk]
    assert ids(accounts=f"{x.pk}") == [early.pk]
    assert ids(campaign=campaign.pk) == [early.pk]
    assert ids(tags=tag.pk) == [early.pk]
    assert ids(status="scheduled") == [early.pk]
    assert ids(author=manager.pk) == [early.pk]
    assert ids(platforms="weibo,x") == [early.pk, late.pk]


def test_calendar_refuses_a_bad_range(api, base):
    response = api.get(f"{base}/posts/", {"start": MONTH["end"], "end": MONTH["start"]})
    assert response.status_code == 400
    assert "end" in response.json()["error"]["fields"]


def test_agency_member_sees_the_calendar_of_every_client_workspace(client_for):
    # given: an agency person assigned to two client workspaces; a third is not theirs
    grants = [AgencyGrantFactory(role_ceiling=Role.EDITOR), AgencyGrantFactory(role_ceiling=Role.EDITOR)]
    person = MembershipFactory(organization=grants[0].agency).user
    MembershipFactory(organization=grants[1].agency, user=person)
    posts = []
    for grant in grants:
        WorkspaceMemberFactory(workspace=grant.workspace, user=person, grant=grant, role=Role.EDITOR)
        posts.append(
            PostTargetFactory(
                post__workspace=grant.workspace, post__scheduled_at=datetime(2031, 3, 5, tzinfo=UTC)
            ).post
        )
    PostTargetFactory(post__scheduled_at=datetime(2031, 3, 5, tzinfo=UTC))
    # when
    response = client_for(person).get("/api/v1/me/calendar/", MONTH)
    # then
    assert response.status_code == 200
    assert sorted(p["id"] for p in response.json()["results"]) == sorted(p.pk for p in posts)
    assert {p["workspace"] for p in response.json()["results"]} == {g.workspace.pk for g in grants}


def test_create_then_edit_with_version_and_a_stale_edit_is_409(ws, api, base, client_for):
    # given
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    created = api.post(f"{base}/posts/", {"targets": [{"account": account.pk, "text": "v1"}]}, format="json")
    assert created.status_code == 201, created.json()
    post_id = created.json()["id"]
    colleague = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user)
    # when: both edit version 1
    first = colleague.patch(
        f"{base}/posts/{post_id}/",
        {"version": 1, "targets": [{"account": account.pk, "text": "colleague"}]},
        format="json",
    )
    second = api.patch(
        f"{base}/posts/{post_id}/",
        {"version": 1, "targets": [{"account": account.pk, "text": "mine"}]},
        format="json",
    )
    # then
    assert first.status_code == 200 and first.json()["version"] == 2
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale_version"
    assert "reload" in second.json()["error"]["message"]
    assert PostTarget.objects.get(post_id=post_id).text == "colleague"
    history = api.get(f"{base}/posts/{post_id}/history/").json()
    assert [h["number"] for h in history] == [2, 1]
    assert history[0]["changes"][0]["before"] == "v1" and history[0]["changes"][0]["after"] == "colleague"


def test_patch_needs_the_version(ws, api, base):
    post = PostTargetFactory(post__workspace=ws).post
    response = api.patch(f"{base}/posts/{post.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]


@pytest.mark.parametrize("kind", ["account", "media", "campaign", "tag"])
def test_cross_workspace_references_are_400_and_create_nothing(ws, api, base, kind):
    # given
    other = WorkspaceFactory()
    own = SocialAccountFactory(workspace=ws, platform="mastodon")
    foreign = {
        "account": lambda: SocialAccountFactory(workspace=other),
        "media": lambda: MediaAssetFactory(workspace=other),
        "campaign": lambda: CampaignFactory(workspace=other),
        "tag": lambda: TagFactory(group=TagGroupFactory(workspace=other)),
    }[kind]()
    body = {"targets": [{"account": foreign.pk if kind == "account" else own.pk, "text": "Hi"}]}
    if kind == "media":
        body["targets"][0]["media"] = [foreign.pk]
    if kind == "campaign":
        body["campaign"] = foreign.pk
    if kind == "tag":
        body["tags"] = [foreign.pk]
    # when
    response = api.post(f"{base}/posts/", body, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_in_workspace"
    assert Post.objects.count() == 0 and PostVersion.objects.count() == 0


def test_cross_workspace_references_in_an_edit_change_nothing(ws, api, base):
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    post_id = api.post(
        f"{base}/posts/", {"targets": [{"account": account.pk, "text": "Hi"}]}, format="json"
    ).json()["id"]
    foreign_media = MediaAssetFactory(workspace=WorkspaceFactory())
    response = api.patch(
        f"{base}/posts/{post_id}/",
        {
            "version": 1,
            "title": "changed",
            "targets": [{"account": account.pk, "text": "x", "media": [foreign_media.pk]}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "targets.0.media" in response.json()["error"]["fields"]
    post = Post.objects.get(pk=post_id)
    assert post.title == "" and post.version == 1 and post.targets.get().text == "Hi"


def test_another_workspaces_post_is_404(ws, api, base):
    foreign = PostTargetFactory().post
    assert api.get(f"{base}/posts/{foreign.pk}/").status_code == 404
    assert api.post(f"{base}/posts/{foreign.pk}/schedule/", {}, format="json").status_code == 404


def test_schedule_via_api_reason_and_override(ws, api, base):
    # given
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    when = (timezone.now() + timedelta(days=3)).isoformat()
    BannedWordFactory(workspace=ws, word="cheap", severity="warning")
    post_id = api.post(
        f"{base}/posts/",
        {"targets": [{"account": account.pk, "text": "So cheap!"}], "scheduled_at": when},
        format="json",
    ).json()["id"]
    # when
    refused = api.post(f"{base}/posts/{post_id}/schedule/", {}, format="json")
    accepted = api.post(f"{base}/posts/{post_id}/schedule/", {"override_warnings": True}, format="json")
    # then
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "compliance_warnings"
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "scheduled"
    assert accepted.json()["compliance_override"]["rules"] == ["banned_word"]


def test_editors_may_not_schedule_and_viewers_may_not_create(ws, base, client_for):
    editor = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user)
    viewer = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user)
    post = PostTargetFactory(post__workspace=ws).post
    account = SocialAccountFactory(workspace=ws)
    assert editor.post(f"{base}/posts/{post.pk}/schedule/", {}, format="json").status_code == 403
    response = viewer.post(
        f"{base}/posts/", {"targets": [{"account": account.pk, "text": "x"}]}, format="json"
    )
    assert response.status_code == 403
    assert viewer.get(f"{base}/posts/{post.pk}/").status_code == 200


def test_drag_to_another_day_shows_the_new_time_in_history(ws, api, base):
    # given
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    when = timezone.now().replace(microsecond=0) + timedelta(days=2)
    post_id = api.post(
        f"{base}/posts/",
        {"targets": [{"account": account.pk, "text": "Tea time"}], "scheduled_at": when.isoformat()},
        format="json",
    ).json()["id"]
    assert api.post(f"{base}/posts/{post_id}/schedule/", {}, format="json").status_code == 200
    # when
    moved = api.post(
        f"{base}/posts/{post_id}/reschedule/",
        {"scheduled_at": (when + timedelta(days=1)).isoformat()},
        format="json",
    )
    # then
    assert moved.status_code == 200
    history = api.get(f"{base}/posts/{post_id}/history/").json()
    change = next(c for c in history[0]["changes"] if c["field"] == "scheduled_at")
    new_local = (when + timedelta(days=1)).astimezone(ws.tzinfo).isoformat()
    assert change["after"] == new_local


def test_compliance_check_for_the_composer(ws, api, base):
    response = api.post(
        f"{base}/compliance/check/",
        {"text": "最好的茶 https://www.google.com/x", "platforms": ["weibo"]},
        format="json",
    )
    assert response.status_code == 200
    rules = {f["rule"]: f for f in response.json()["findings"]}
    assert response.json()["blocking"] is True
    assert rules["adlaw.absolute_claim"]["start"] == 0 and rules["adlaw.absolute_claim"]["end"] == 2
    assert "link.blocked_in_mainland" in rules


def test_compliance_check_counts_characters_by_each_platforms_rule(ws, api, base):
    # given: X counts a CJK character as two; Mastodon counts characters
    account = SocialAccountFactory(workspace=ws, platform="x")
    # when
    response = api.post(
        f"{base}/compliance/check/",
        {"text": "新品上市", "platforms": ["mastodon"], "accounts": [account.pk]},
        format="json",
    )
    # then
    counts = response.json()["counts"]
    assert counts["mastodon"] == {"count": 4, "limit": 500, "unit": "characters"}
    assert counts["x"]["count"] == 8 and counts["x"]["limit"] == 280


def test_compliance_check_refuses_another_workspaces_account(api, base):
    foreign = SocialAccountFactory(workspace=WorkspaceFactory())
    response = api.post(f"{base}/compliance/check/", {"text": "hi", "accounts": [foreign.pk]}, format="json")
    assert response.status_code == 400
    assert "accounts" in response.json()["error"]["fields"]


def test_delete_hides_the_post_from_the_calendar(ws, api, base):
    post = PostTargetFactory(post__workspace=ws, post__scheduled_at=datetime(2031, 3, 3, tzinfo=UTC)).post
    assert api.delete(f"{base}/posts/{post.pk}/").status_code == 204
    assert api.get(f"{base}/posts/", MONTH).json()["results"] == []
    assert api.get(f"{base}/posts/{post.pk}/").status_code == 404


def test_duplicate_via_api(ws, api, base):
    post = PostTargetFactory(post__workspace=ws, text="Copy me").post
    response = api.post(f"{base}/posts/{post.pk}/duplicate/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["id"] != post.pk
    assert response.json()["targets"][0]["text"] == "Copy me"


def test_the_fast_calendar_json_is_exactly_the_documented_serializer(ws, manager):
    from content.api.serializers import PostSerializer, post_data
    from content.selectors import with_relations

    # given: a post with every relation and result field filled
    post = PostFactory(
        workspace=ws,
        author=manager,
        campaign=CampaignFactory(workspace=ws),
        compliance={"blocking": False, "warnings": 1, "findings": []},
        compliance_override={"by": manager.pk, "rules": ["banned_word"]},
    )
    post.tags.set([TagFactory(group=TagGroupFactory(workspace=ws))])
    target = PostTargetFactory(
        post=post,
        options={"visibility": "public"},
        first_comment="#tea",
        status="published",
        external_id="42",
        url="https://example.com/42",
        published_at=timezone.now(),
    )
    PostTargetMedia.objects.create(target=target, media=MediaAssetFactory(workspace=ws), position=0)
    PostTargetFactory(post=post)
    loaded = with_relations(Post.objects.filter(pk=post.pk)).get()
    # when / then
    assert post_data(loaded) == PostSerializer(loaded).data
    bare = with_relations(Post.objects.filter(pk=PostFactory(workspace=ws, author=None).pk)).get()
    assert post_data(bare) == PostSerializer(bare).data


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_the_calendar_page_read_as_rows_is_exactly_post_data(ws, manager, zone):
    from zoneinfo import ZoneInfo

    from content import selectors
    from content.api.serializers import post_data, posts_data

    # given: posts sharing a campaign, tags and accounts, each relation in an order its model defines
    # (tags by group and name, targets by id, media by position), result times with microseconds
    campaign = CampaignFactory(workspace=ws)
    weibo, x = (SocialAccountFactory(workspace=ws, platform=p) for p in ("weibo", "x"))
    first_group, second_group = TagGroupFactory(workspace=ws), TagGroupFactory(workspace=ws)
    tags = [
        TagFactory(group=second_group, name="0"),
        TagFactory(group=first_group, name="b"),
        TagFactory(group=first_group, name="a"),
    ]
    media = [MediaAssetFactory(workspace=ws) for _ in range(3)]
    posts = []
    for n in range(3):
        post = PostFactory(
            workspace=ws,
            author=manager,
            campaign=campaign,
            scheduled_at=datetime(2031, 3, 2 + n, 1, 30, tzinfo=UTC),
            compliance={"blocking": False, "warnings": n, "findings": []},
            compliance_override={"by": manager.pk, "rules": ["banned_word"]} if n else None,
            is_paid_or_kol=bool(n % 2),
        )
        post.tags.set(tags[n:])
        for account in (x, weibo):
            target = PostTargetFactory(
                post=post,
                account=account,
                options={"visibility": "public"},
                first_comment="#tea",
                status="published",
                external_id=f"{n}-{account.pk}",
                url=f"https://example.com/{n}",
                published_at=datetime(2031, 3, 2, 1, 30, 0, 123456, tzinfo=UTC),
                error_message="",
            )
            for position, asset in ((2, media[0]), (0, media[1]), (1, media[2])):
                PostTargetMedia.objects.create(target=target, media=asset, position=position)
        posts.append(post)
    posts.append(PostFactory(workspace=ws, author=None, scheduled_at=datetime(2031, 3, 9, tzinfo=UTC)))
    queryset = Post.objects.filter(workspace=ws).order_by("scheduled_at", "id")
    # when: in the zone the API activates for the workspace
    with timezone.override(ZoneInfo(zone)):
        rows = list(selectors.post_rows(queryset))
        fast = posts_data(rows, selectors.post_relation_rows([row["id"] for row in rows]))
        expected = [post_data(post) for post in selectors.with_relations(queryset)]
    # then
    assert fast == expected
    assert [t["name"] for t in fast[0]["tags"]] == ["a", "b", "0"]
    assert fast[0]["targets"][0]["media"] == [media[1].pk, media[2].pk, media[0].pk]
    assert fast[3]["author"] is None and fast[3]["campaign"] is None and fast[3]["targets"] == []
    assert fast[0]["targets"][0]["published_at"].endswith("Z" if zone == "UTC" else "+08:00")


def test_my_calendar_costs_the_same_queries_for_1_and_20_posts_across_workspaces(client_for):
    # given: a person in two workspaces
    members = [WorkspaceMemberFactory(role=Role.VIEWER), None]
    person = members[0].user
    members[1] = WorkspaceMemberFactory(user=person, role=Role.EDITOR)
    workspaces = [m.workspace for m in members]
    api = client_for(person)

    def add(n):
        PostTargetFactory(
            post__workspace=workspaces[n % 2], post__scheduled_at=datetime(2031, 3, 1 + n, tzinfo=UTC)
        )

    add(0)
    api.get("/api/v1/me/calendar/", MONTH)
    # when
    with CaptureQueriesContext(connection) as one:
        first = api.get("/api/v1/me/calendar/", MONTH)
    for n in range(1, 20):
        add(n)
    with CaptureQueriesContext(connection) as twenty:
        second = api.get("/api/v1/me/calendar/", MONTH)
    # then
    assert len(first.json()["results"]) == 1 and len(second.json()["results"]) == 20
    assert len(twenty) == len(one)

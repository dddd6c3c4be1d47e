"""Private iCal feeds: a secret URL per person, their workspaces' planned posts, revocable at once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from content.models import IcalFeed
from content.tests.factories import PostTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client_for):
    member = WorkspaceMemberFactory(role=Role.VIEWER)
    soon = timezone.now() + timedelta(days=3)
    mine = PostTargetFactory(
        post__workspace=member.workspace, post__scheduled_at=soon, post__title="Tea launch"
    ).post
    other = PostTargetFactory(
        post__workspace=WorkspaceFactory(), post__scheduled_at=soon, post__title="Secret"
    ).post
    return {"user": member.user, "api": client_for(member.user), "mine": mine, "other": other}


def feed_events(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e.get("summary")): e for e in calendar.walk("VEVENT")}


def test_the_feed_shows_my_workspaces_posts_only(setup, client):
    # given
    created = setup["api"].post("/api/v1/me/ical-feeds/", {"name": "Work"}, format="json")
    assert created.status_code == 201
    url = created.json()["url"]
    # when: fetched without signing in, as a calendar app does
    events = feed_events(client, url)
    # then
    (summary,) = events
    assert "Tea launch" in summary
    event = events[summary]
    assert abs(event.decoded("dtstart") - setup["mine"].scheduled_at) < timedelta(seconds=1)
    assert str(event.get("uid")).startswith(f"post-{setup['mine'].pk}@")


def test_only_the_hash_is_stored_and_the_url_is_shown_once(setup):
    created = setup["api"].post("/api/v1/me/ical-feeds/", {}, format="json").json()
    secret = created["url"].rsplit("/", 1)[1].removesuffix(".ics")
    feed = IcalFeed.objects.get(pk=created["id"])
    assert secret not in feed.secret_hash and len(feed.secret_hash) == 64
    listed = setup["api"].get("/api/v1/me/ical-feeds/").json()["results"]
    assert [f["id"] for f in listed] == [feed.pk] and "url" not in listed[0]


def test_revoking_ends_the_feed_at_once(setup, client):
    created = setup["api"].post("/api/v1/me/ical-feeds/", {}, format="json").json()
    assert client.get(created["url"]).status_code == 200
    assert setup["api"].delete(f"/api/v1/me/ical-feeds/{created['id']}/").status_code == 204
    assert client.get(created["url"]).status_code == 404
    assert setup["api"].get("/api/v1/me/ical-feeds/").json()["results"] == []


def test_an_unknown_secret_is_404(client):
    assert client.get("/ical/not-a-real-secret.ics").status_code == 404


def test_losing_access_empties_the_feed(setup, client):
    created = setup["api"].post("/api/v1/me/ical-feeds/", {}, format="json").json()
    setup["user"].workspace_memberships.all().delete()
    response = client.get(created["url"])
    assert response.status_code == 200
    assert list(Calendar.from_ical(response.content).walk("VEVENT")) == []


def test_someone_elses_feed_cannot_be_revoked(setup, client_for):
    created = setup["api"].post("/api/v1/me/ical-feeds/", {}, format="json").json()
    stranger = client_for(WorkspaceMemberFactory().user)
    assert stranger.delete(f"/api/v1/me/ical-feeds/{created['id']}/").status_code == 404
    assert IcalFeed.objects.get(pk=created["id"]).revoked_at is None

"""The personal settings tabs beside profile and tokens: notification choices (kinds × channels) and
private calendar feeds. The same services as `PUT notifications/preferences/` and `me/ical-feeds/`."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from approvals.models import PREFERENCE_KINDS, NotificationPreference
from content.models import IcalFeed
from content.services import ical_feed_create, ical_secret_hash
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def person():
    return UserFactory()


def checked(html: str, kind: str, channel: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{channel}" value="{kind}"[^>]*>', html).group(0)
    return " checked" in tag


# --- tabs and the user menu ------------------------------------------------------------------------


def test_the_user_menu_and_the_tabs_link_every_personal_page(person):
    html = signed_in(person).get(reverse("dashboard:tokens")).content.decode()
    for name in ("dashboard:tokens", "dashboard:notification_settings", "dashboard:ical_feeds"):
        assert html.count(f'href="{reverse(name)}"') >= 1, name
    assert 'data-testid="personal-tabs"' in html


@pytest.mark.parametrize("name", ["dashboard:notification_settings", "dashboard:ical_feeds"])
def test_signed_out_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.post(reverse(name), {"name": "x"}).status_code == 302
    assert not AuditEvent.objects.exists()


# --- notification choices ------------------------------------------------------------------------------


def test_the_grid_shows_every_kind_and_the_saved_choices(person):
    NotificationPreference.objects.create(user=person, kind="approved", in_app=True, email=False)
    response = signed_in(person).get(reverse("dashboard:notification_settings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'data-testid="pref-row"', html)) == len(PREFERENCE_KINDS)
    assert "A post failed to publish" in html  # labels, not codes
    assert checked(html, "approved", "in_app") and not checked(html, "approved", "email")
    assert checked(html, "failed", "email")  # no saved row: both channels on


def test_saving_turns_unticked_channels_off_and_is_audited(person):
    # given: everything ticked except email for "failed" and both channels of "mentioned"
    kinds = [kind for kind, _label in PREFERENCE_KINDS]
    data = {
        "in_app": [kind for kind in kinds if kind != "mentioned"],
        "email": [kind for kind in kinds if kind not in ("failed", "mentioned")],
    }
    # when
    response = signed_in(person).post(reverse("dashboard:notification_settings"), data)
    # then: saved as the API would save it, and audited once
    assert response.status_code == 302
    saved = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=person)}
    assert saved["failed"] == (True, False)
    assert saved["mentioned"] == (False, False)
    assert saved["approved"] == (True, True)
    event = AuditEvent.objects.get(action="notification_preferences.set")
    assert event.actor == person
    # and the API reads the same choices
    api = signed_in(person).get("/api/v1/notifications/preferences/").json()
    by_kind = {row["kind"]: row for row in api["preferences"]}
    assert by_kind["failed"]["email"] is False and by_kind["mentioned"]["in_app"] is False


def test_an_unknown_kind_is_a_400_next_to_its_channel_and_nothing_is_saved(person):
    response = signed_in(person).post(
        reverse("dashboard:notification_settings"), {"in_app": ["approved", "post.deleted"], "email": []}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<p class="field-error" id="id_in_app_error">[^<]*post\.deleted', html)
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.exists()


def test_choices_are_the_persons_own(person):
    other = UserFactory()
    signed_in(other).post(reverse("dashboard:notification_settings"), {"in_app": [], "email": []})
    html = signed_in(person).get(reverse("dashboard:notification_settings")).content.decode()
    assert checked(html, "approved", "in_app")
    assert not NotificationPreference.objects.filter(user=person).exists()


# --- calendar feeds ------------------------------------------------------------------------------------


def test_creating_a_feed_shows_its_url_once_and_it_works(person):
    client = signed_in(person)
    response = client.post(reverse("dashboard:ical_feeds"), {"name": "Work phone"})
    assert response.status_code == 200
    html = response.content.decode()
    url = re.search(r'<code id="new-feed-url">([^<]+)</code>', html).group(1)
    assert url.startswith("http://testserver/ical/") and url.endswith(".ics")
    feed = IcalFeed.objects.get(user=person)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed.name == "Work phone" and feed.secret_hash == ical_secret_hash(secret)
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.get(action="ical_feed.create").actor == person
    # the link serves the calendar; the list afterwards shows only its first characters
    assert Client().get(url.removeprefix("http://testserver")).status_code == 200
    listing = client.get(reverse("dashboard:ical_feeds")).content.decode()
    assert "Work phone" in listing and feed.prefix in listing and secret not in listing


def test_a_too_long_name_is_a_400_next_to_the_field_and_nothing_is_created(person):
    response = signed_in(person).post(reverse("dashboard:ical_feeds"), {"name": "x" * 101})
    assert response.status_code == 400
    assert re.search(r'<p class="field-error" id="id_name_error">[^<]+</p>', response.content.decode())
    assert not IcalFeed.objects.exists() and not AuditEvent.objects.exists()


def test_the_service_refuses_a_too_long_name_for_every_caller(person):
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        ical_feed_create(actor=person, name="x" * 101)
    assert refused.value.fields == {"name": [refused.value.message]}


def test_revoking_ends_the_feed_and_is_audited(person):
    feed, secret = ical_feed_create(actor=person, name="Old")
    response = signed_in(person).post(reverse("dashboard:ical_feed_revoke", args=[feed.pk]))
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert AuditEvent.objects.filter(action="ical_feed.revoke", actor=person).count() == 1
    assert Client().get(f"/ical/{secret}.ics").status_code == 404
    assert "Old" not in signed_in(person).get(reverse("dashboard:ical_feeds")).content.decode()


def test_another_persons_feed_is_404_and_stays(person):
    feed, _secret = ical_feed_create(actor=UserFactory(), name="Theirs")
    response = signed_in(person).post(reverse("dashboard:ical_feed_revoke", args=[feed.pk]))
    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert "Theirs" not in signed_in(person).get(reverse("dashboard:ical_feeds")).content.decode()


def test_the_api_views_point_to_these_pages():
    from approvals.api.views import NotificationPreferencesView
    from content.api.views import IcalFeedDetailView, IcalFeedListView

    assert reverse(NotificationPreferencesView.dashboard_page) == reverse("dashboard:notification_settings")
    assert reverse(IcalFeedListView.dashboard_page) == reverse("dashboard:ical_feeds")
    assert reverse(IcalFeedDetailView.dashboard_page) == reverse("dashboard:ical_feeds")


# --- times on personal pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["dashboard:ical_feeds", "dashboard:tokens"])
def test_personal_pages_show_times_in_the_last_workspaces_zone_and_name_it(page, person):
    # given: the person last opened a workspace in Los Angeles; a feed and a token made at 12:00 UTC
    from datetime import UTC, datetime

    from accounts.services import personal_token_create
    from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
    from core.views import LAST_WORKSPACE_SESSION_KEY

    workspace = WorkspaceFactory(timezone="America/Los_Angeles")
    WorkspaceMemberFactory(workspace=workspace, user=person)
    feed, _secret = ical_feed_create(actor=person, name="Phone")
    token, _plain = personal_token_create(actor=person, name="CI", expires_at=None)
    noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    IcalFeed.objects.filter(pk=feed.pk).update(created_at=noon)
    type(token).objects.filter(pk=token.pk).update(created_at=noon)
    client = signed_in(person)
    session = client.session
    session[LAST_WORKSPACE_SESSION_KEY] = workspace.pk
    session.save()
    # when
    html = client.get(reverse(page)).content.decode()
    # then: 05:00 in Los Angeles (PDT), never the server's 12:00
    assert "2026-07-01 05:00" in html and "2026-07-01 12:00" not in html
    assert 'data-testid="times-zone"' in html and "America/Los_Angeles" in html

"""Issue 10, time: clock changes in America/New_York (spring forward on 2027-03-14, 02:00 -> 03:00; fall
back on 2027-11-07, 02:00 -> 01:00) through the queue, the composer, the calendar's drag and events, the
API and the import; and a reversed or malformed date range is a 400 wherever a range is read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post
from content.tests.factories import PostingSlotFactory
from content.tests.pages_kit import member_user, signed_in_client
from core.tests.clock_kit import form_data

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
SPRING = datetime(2027, 3, 14)  # a Sunday
FALL = datetime(2027, 11, 7)  # a Sunday
FIRST_0130 = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT (UTC-4)
SECOND_0130 = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST (UTC-5)
SPRING_0330 = datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT, where 02:30 moves forward to


@pytest.fixture
def ny():
    workspace = WorkspaceFactory(timezone="America/New_York")
    account = SocialAccountFactory(workspace=workspace, platform="mastodon", handle="brand_ny")
    return workspace, account, member_user(workspace, Role.MANAGER)


def _draft(workspace, actor, account, *, when=None, text="Fresh bagels at dawn"):
    return services.post_create(
        actor=actor,
        workspace=workspace,
        targets=[{"account": account.pk, "text": text}],
        scheduled_at=when,
    )


# --- the queue ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slot", "travel", "first"),
    [
        (time(2, 30), datetime(2027, 3, 10, 12, tzinfo=UTC), SPRING_0330),  # 02:30 does not exist
        (time(1, 30), datetime(2027, 11, 3, 12, tzinfo=UTC), FIRST_0130),  # 01:30 happens twice
    ],
    ids=["spring-forward-gap", "fall-back-overlap"],
)
def test_the_queue_never_puts_two_posts_on_one_instant_across_a_clock_change(ny, slot, travel, first):
    # given: the account's only posting slot is on Sundays at a time the clock change touches
    workspace, account, manager = ny
    PostingSlotFactory(workspace=workspace, account=account, weekday=6, time=slot)
    posts = [_draft(workspace, manager, account, text=f"Post {n}") for n in range(4)]
    # when
    with time_machine.travel(travel, tick=False):
        for post in posts:
            services.post_add_to_queue(actor=manager, post=post)
    # then: four different instants, the first on the day of the change, then one Sunday after another
    times = sorted(Post.objects.get(pk=p.pk).scheduled_at for p in posts)
    assert len(set(times)) == 4
    assert times[0] == first
    first_day = first.astimezone(NY).date()
    assert [t.astimezone(NY).date() for t in times[1:]] == [
        first_day + timedelta(days=7 * n) for n in (1, 2, 3)
    ]
    assert all(t.astimezone(NY).time() == slot for t in times[1:])


# --- the composer -----------------------------------------------------------------------------------


def test_a_text_only_save_keeps_the_second_0130_of_the_fall_back_day(ny):
    # given: a draft at the second 01:30 (EST, UTC-5) of 2027-11-07
    workspace, account, manager = ny
    post = _draft(workspace, manager, account, when=SECOND_0130)
    client = signed_in_client(manager)
    url = reverse("content:composer_edit", args=[workspace.pk, post.pk])
    page = client.get(url).content.decode()
    # when: the person changes only the text and saves the draft, the form sent back as the browser would
    data = form_data(page, "composer")
    assert data["scheduled_time"] == ["01:30"]
    data["text"] = ["Fresh bagels at dawn, now with lox"]
    data["action"] = ["draft"]
    response = client.post(url, data)
    # then: the text changed, the time did not
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.targets.get().text == "Fresh bagels at dawn, now with lox"
    assert post.scheduled_at == SECOND_0130


def test_the_edit_page_shows_which_0130_the_post_is_at(ny):
    workspace, account, manager = ny
    post = _draft(workspace, manager, account, when=SECOND_0130)
    html = (
        signed_in_client(manager)
        .get(reverse("content:composer_edit", args=[workspace.pk, post.pk]))
        .content.decode()
    )
    assert "01:30 (UTC-4)" in html and "01:30 (UTC-5)" in html
    assert form_data(html, "composer")["time_choice"] == ["second"]


def test_a_nonexistent_time_in_the_composer_is_refused_and_the_valid_time_offered(ny):
    # given
    workspace, account, manager = ny
    client = signed_in_client(manager)
    url = reverse("content:composer_new", args=[workspace.pk])
    asked = {
        "accounts": [account.pk],
        "text": "Spring forward",
        "scheduled_date": "2027-03-14",
        "scheduled_time": "02:30",
        "action": "draft",
    }
    # when
    response = client.post(url, asked)
    # then: nothing saved; the message is next to the time and offers 03:30
    html = response.content.decode()
    assert response.status_code == 200
    assert not Post.objects.filter(workspace=workspace).exists()
    assert 'id="id_scheduled_time_error"' in html
    assert "02:30 does not exist on 2027-03-14" in html and "03:30 (UTC-4)" in html
    # when: the person takes the offered time
    moved = client.post(url, {**asked, "time_choice": "nearest"})
    # then: stored at 03:30, and the answer says it was moved
    assert moved.status_code == 302
    assert Post.objects.get(workspace=workspace).scheduled_at == SPRING_0330
    said = " ".join(str(m) for m in get_messages(moved.wsgi_request))
    assert "moved forward to 03:30 (UTC-4)" in said


def test_a_repeated_time_in_the_composer_needs_a_choice(ny):
    workspace, account, manager = ny
    client = signed_in_client(manager)
    url = reverse("content:composer_new", args=[workspace.pk])
    asked = {
        "accounts": [account.pk],
        "text": "Fall back",
        "scheduled_date": "2027-11-07",
        "scheduled_time": "01:30",
        "action": "draft",
    }
    refused = client.post(url, asked)
    html = refused.content.decode()
    assert refused.status_code == 200 and not Post.objects.exists()
    assert "01:30 happens twice on 2027-11-07" in html
    assert 'value="first"' in html and 'value="second"' in html
    chosen = client.post(url, {**asked, "time_choice": "second"})
    assert chosen.status_code == 302
    assert Post.objects.get().scheduled_at == SECOND_0130


def test_the_composer_refusal_speaks_chinese(ny):
    workspace, account, manager = ny
    client = signed_in_client(manager)
    with translation.override("zh-hans"):
        response = client.post(
            reverse("content:composer_new", args=[workspace.pk]),
            {
                "accounts": [account.pk],
                "text": "春季",
                "scheduled_date": "2027-03-14",
                "scheduled_time": "02:30",
                "action": "draft",
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    html = response.content.decode()
    assert "不存在" in html and "03:30 (UTC-4)" in html


# --- the calendar: drag and events -----------------------------------------------------------------


def test_a_drag_to_a_nonexistent_time_is_refused_with_the_valid_time_then_moved_when_chosen(ny):
    # given
    workspace, account, manager = ny
    post = _draft(workspace, manager, account, when=datetime(2027, 3, 13, 15, tzinfo=UTC))
    client = signed_in_client(manager)
    url = reverse("content:post_move", args=[workspace.pk, post.pk])
    # when
    refused = client.post(url, {"start": "2027-03-14T02:30:00", "version": post.version})
    # then
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "nonexistent_time"
    assert "start" in error["fields"] and "03:30 (UTC-4)" in error["message"]
    assert [o["wall"] for o in error["options"]] == ["2027-03-14T03:30:00"]
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 3, 13, 15, tzinfo=UTC)
    # when: the person picks the offered time
    moved = client.post(
        url, {"start": "2027-03-14T02:30:00", "version": post.version, "time_choice": "nearest"}
    )
    # then: the answer says where it went, and why
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == "2027-03-14T03:30:00"
    assert "moved forward to 03:30" in moved.json()["message"]
    post.refresh_from_db()
    assert post.scheduled_at == SPRING_0330


def test_a_drag_to_a_repeated_time_needs_a_choice(ny):
    workspace, account, manager = ny
    post = _draft(workspace, manager, account, when=datetime(2027, 11, 6, 15, tzinfo=UTC))
    client = signed_in_client(manager)
    url = reverse("content:post_move", args=[workspace.pk, post.pk])
    refused = client.post(url, {"start": "2027-11-07T01:30:00"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "ambiguous_time"
    assert [(o["choice"], o["label"]) for o in error["options"]] == [
        ("first", "01:30 (UTC-4)"),
        ("second", "01:30 (UTC-5)"),
    ]
    moved = client.post(url, {"start": "2027-11-07T01:30:00", "time_choice": "second"})
    assert moved.status_code == 200
    assert "01:30 (UTC-5)" in moved.json()["message"]
    post.refresh_from_db()
    assert post.scheduled_at == SECOND_0130


def test_events_mark_the_two_0130s_of_the_fall_back_day_by_offset(ny):
    # given
    workspace, account, manager = ny
    first = _draft(workspace, manager, account, when=FIRST_0130)
    second = _draft(workspace, manager, account, when=SECOND_0130)
    plain = _draft(workspace, manager, account, when=datetime(2027, 11, 7, 15, tzinfo=UTC))
    # when
    events = (
        signed_in_client(manager)
        .get(
            reverse("content:calendar_events", args=[workspace.pk]),
            {"start": "2027-11-07T00:00:00Z", "end": "2027-11-08T00:00:00Z"},
        )
        .json()
    )
    # then
    labels = {e["id"]: (e["start"], e["extendedProps"]["timeLabel"]) for e in events}
    assert labels == {
        str(first.pk): ("2027-11-07T01:30:00", "01:30 (UTC-4)"),
        str(second.pk): ("2027-11-07T01:30:00", "01:30 (UTC-5)"),
        str(plain.pk): ("2027-11-07T10:00:00", "10:00"),
    }


def test_the_week_view_shows_every_hour():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "static" / "js" / "calendar.js").read_text()
    assert 'slotMinTime: "06:00:00"' not in source
    assert 'slotMinTime: "00:00:00"' in source


@pytest.mark.parametrize(
    "window",
    [
        {"start": "2027-11-08T00:00:00Z", "end": "2027-11-01T00:00:00Z"},  # reversed
        {"start": "2027-11-01T00:00:00Z", "end": "2027-11-01T00:00:00Z"},  # empty
        {"start": "next monday", "end": "2027-11-08T00:00:00Z"},  # malformed
        {"start": "2027-11-01T00:00:00Z"},  # half a range
    ],
    ids=["reversed", "empty", "malformed", "half"],
)
def test_a_reversed_or_malformed_range_is_a_400_on_both_events_endpoints(ny, window):
    workspace, _account, manager = ny
    client = signed_in_client(manager)
    for url in (
        reverse("content:calendar_events", args=[workspace.pk]),
        reverse("content:calendar_all_events"),
    ):
        response = client.get(url, window)
        assert response.status_code == 400, (url, response.content)
        assert response.json()["error"]["fields"]


# --- the API ----------------------------------------------------------------------------------------


def _api_post(api, workspace, account, **body):
    return api.post(
        f"/api/v1/workspaces/{workspace.pk}/posts/",
        {"targets": [{"account": account.pk, "text": "API post"}], **body},
        format="json",
    )


def test_the_api_refuses_a_nonexistent_or_repeated_wall_time_by_field(ny, client_for):
    workspace, account, manager = ny
    api = client_for(manager)
    gap = _api_post(api, workspace, account, scheduled_at="2027-03-14T02:30:00")
    assert gap.status_code == 400
    assert gap.json()["error"]["code"] == "nonexistent_time"
    assert "03:30 (UTC-4)" in gap.json()["error"]["fields"]["scheduled_at"][0]
    overlap = _api_post(api, workspace, account, scheduled_at="2027-11-07T01:30:00")
    assert overlap.status_code == 400
    assert overlap.json()["error"]["code"] == "ambiguous_time"
    assert [o["choice"] for o in overlap.json()["error"]["options"]] == ["first", "second"]
    assert not Post.objects.exists()


def test_the_api_takes_a_choice_and_an_explicit_offset_always_wins(ny, client_for):
    workspace, account, manager = ny
    api = client_for(manager)
    chosen = _api_post(api, workspace, account, scheduled_at="2027-11-07T01:30:00", time_choice="second")
    offset = _api_post(
        api, workspace, account, scheduled_at="2027-11-07T01:30:00-04:00", time_choice="second"
    )
    nearest = _api_post(api, workspace, account, scheduled_at="2027-03-14T02:30:00", time_choice="nearest")
    assert (chosen.status_code, offset.status_code, nearest.status_code) == (201, 201, 201)
    assert chosen.json()["scheduled_at"] == "2027-11-07T01:30:00-05:00"
    assert offset.json()["scheduled_at"] == "2027-11-07T01:30:00-04:00"
    assert nearest.json()["scheduled_at"] == "2027-03-14T03:30:00-04:00"
    assert "how=moved_forward" in nearest["Kawo-Time-Note"]
    assert Post.objects.get(pk=chosen.json()["id"]).scheduled_at == SECOND_0130
    assert Post.objects.get(pk=offset.json()["id"]).scheduled_at == FIRST_0130
    assert Post.objects.get(pk=nearest.json()["id"]).scheduled_at == SPRING_0330


def test_an_api_edit_without_a_time_keeps_the_second_0130(ny, client_for):
    workspace, account, manager = ny
    api = client_for(manager)
    post = _draft(workspace, manager, account, when=SECOND_0130)
    url = f"/api/v1/workspaces/{workspace.pk}/posts/{post.pk}/"
    read = api.get(url).json()
    response = api.patch(
        url,
        {"version": read["version"], "title": "Renamed", "scheduled_at": read["scheduled_at"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    post.refresh_from_db()
    assert post.scheduled_at == SECOND_0130 and post.title == "Renamed"


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2027-11-08T00:00:00Z", "end": "2027-11-01T00:00:00Z"},
        {"start": "yesterday"},
    ],
    ids=["reversed", "malformed"],
)
def test_a_reversed_or_malformed_range_is_a_400_in_the_api(ny, client_for, query):
    workspace, _account, manager = ny
    api = client_for(manager)
    for url in (f"/api/v1/workspaces/{workspace.pk}/posts/", "/api/v1/me/calendar/"):
        response = api.get(url, query)
        assert response.status_code == 400, url
        assert response.json()["error"]["fields"]


def test_a_reversed_audit_range_is_a_400_in_the_api_and_on_the_page(client_for):
    workspace = WorkspaceFactory(timezone="America/New_York")
    admin = member_user(workspace, Role.ADMIN)
    api = client_for(admin)
    response = api.get(
        f"/api/v1/workspaces/{workspace.pk}/audit-events/",
        {"since": "2027-11-08T00:00:00Z", "until": "2027-11-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "until" in response.json()["error"]["fields"]
    page = signed_in_client(admin).get(
        reverse("dashboard:audit", args=[workspace.pk]),
        {"date_from": "2027-11-08", "date_to": "2027-11-01"},
    )
    assert page.status_code == 400
    assert "The end date must not be before the start date." in page.content.decode()


# --- the import -------------------------------------------------------------------------------------


def _import(api, workspace, cells, capture):
    """Upload a CSV as an import job (validated when the upload commits); returns the job as GET shows it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["accounts", "text", "scheduled_at"])
    for n, cell in enumerate(cells):
        writer.writerow(["brand_ny", f"Imported {n}", cell])
    upload = SimpleUploadedFile("posts.csv", buffer.getvalue().encode(), content_type="text/csv")
    url = f"/api/v1/workspaces/{workspace.pk}/imports/"
    with capture(execute=True):
        response = api.post(url, {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    return api.get(f"{url}{response.json()['id']}/").json()


def test_the_import_refuses_nonexistent_and_repeated_wall_times_by_row(
    ny, client_for, django_capture_on_commit_callbacks
):
    workspace, _account, manager = ny
    job = _import(
        client_for(manager),
        workspace,
        ["2027-03-14 02:30", "2027-11-07 01:30"],
        django_capture_on_commit_callbacks,
    )
    assert job["status"] == "invalid"
    rows = job["errors"]
    assert [(r["row"], r["column"]) for r in rows] == [(2, "scheduled_at"), (3, "scheduled_at")]
    assert "03:30 (UTC-4)" in rows[0]["message"]
    assert "01:30 (UTC-4)" in rows[1]["message"] and "01:30 (UTC-5)" in rows[1]["message"]
    assert not Post.objects.exists()


def test_the_import_takes_an_explicit_offset(ny, client_for, django_capture_on_commit_callbacks):
    workspace, _account, manager = ny
    api = client_for(manager)
    job = _import(
        api,
        workspace,
        ["2027-11-07 01:30-05:00", "2027-11-07T01:30:00-04:00"],
        django_capture_on_commit_callbacks,
    )
    assert job["status"] == "ready", job
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/workspaces/{workspace.pk}/imports/{job['id']}/commit/", {}, format="json"
        )
    assert response.status_code == 202, response.json()
    assert sorted(Post.objects.values_list("scheduled_at", flat=True)) == [FIRST_0130, SECOND_0130]


@pytest.mark.django_db(transaction=True)
def test_two_people_queueing_at_once_never_share_an_instant(monkeypatch):
    """The second person's queue waits for the first's to be saved, then takes the next slot (without the
    per-account lock both would read the slot as free and take it)."""
    import threading

    from django.db import connection

    # given: one Sunday 09:00 slot; two drafts for the account
    workspace = WorkspaceFactory(timezone="America/New_York")
    account = SocialAccountFactory(workspace=workspace, platform="mastodon", handle="brand_ny")
    manager = member_user(workspace, Role.MANAGER)
    PostingSlotFactory(workspace=workspace, account=account, weekday=6, time=time(9, 0))
    first, second = (_draft(workspace, manager, account, text=f"Post {n}") for n in (1, 2))
    chosen, errors = threading.Event(), []
    schedule = services.post_schedule

    def slow_schedule(**kwargs):
        # the first queue has picked its slot and holds on before saving it
        if kwargs["post"].pk == first.pk:
            chosen.set()
            threading.Event().wait(0.6)
        return schedule(**kwargs)

    monkeypatch.setattr(services.posts, "post_schedule", slow_schedule)

    def queue(post):
        try:
            with time_machine.travel(datetime(2027, 11, 3, 12, tzinfo=UTC), tick=False):
                services.post_add_to_queue(actor=manager, post=post)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # when: the second person queues while the first one's queue is between choosing and saving
    one = threading.Thread(target=queue, args=(first,))
    one.start()
    assert chosen.wait(10)
    two = threading.Thread(target=queue, args=(second,))
    two.start()
    one.join(20)
    two.join(20)
    # then
    assert errors == []
    times = [Post.objects.get(pk=p.pk).scheduled_at for p in (first, second)]
    assert times[0] == datetime(2027, 11, 7, 14, 0, tzinfo=UTC)  # Sunday 09:00 EST
    assert times[1] == datetime(2027, 11, 14, 14, 0, tzinfo=UTC)  # the Sunday after

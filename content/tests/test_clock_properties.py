"""Issue 10, time, as properties: over the zones the workspace settings offer and their UTC-offset changes
of 2026-2030, the queue, the composer's round trip, the calendar's drag, the import's time conversion and
the API keep instants unique and unchanged.

Each example runs in a savepoint that is rolled back, in one workspace whose zone the example sets."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Workspace
from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory
from channels_app.tests.factories import SocialAccountFactory
from content import importers, services
from content.models import Post, PostingSlot
from content.slots import slot_instant
from content.tests.pages_kit import member_user, signed_in_client
from core import timezones as tz
from core.tests.clock_kit import all_transitions, form_data

pytestmark = pytest.mark.django_db

NY = "America/New_York"
# Each test also runs these, whatever hypothesis draws: the second 01:30 of New York's 2027 fall-back day,
# the first, and 03:30 just after its spring-forward gap.
SECOND_0130 = (NY, datetime(2027, 11, 7, 6, 30, tzinfo=UTC))
FIRST_0130 = (NY, datetime(2027, 11, 7, 5, 30, tzinfo=UTC))
AFTER_GAP = (NY, datetime(2027, 3, 14, 7, 30, tzinfo=UTC))

EXAMPLES = settings(
    max_examples=5,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def near_a_change(draw, *, span=180, step=15):
    """(zone name, instant) within `span` minutes of an offered zone's offset change, on a `step` grid
    of the wall clock before the change (so it lands on a gap's or an overlap's edges and inside)."""
    name, change, _before, _after = draw(st.sampled_from(all_transitions()))
    minutes = draw(st.integers(min_value=-span // step, max_value=span // step)) * step
    return name, change + timedelta(minutes=minutes)


@pytest.fixture
def brand():
    workspace = WorkspaceFactory()
    account = SocialAccountFactory(workspace=workspace, platform="mastodon", handle="brand")
    other = SocialAccountFactory(workspace=workspace, platform="bluesky", handle="brand.bsky.social")
    return workspace, account, other, member_user(workspace, Role.MANAGER)


@contextmanager
def in_zone(workspace, name: str):
    """A rolled-back savepoint in which the workspace is in `name`."""
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(timezone=name)
        workspace.refresh_from_db()
        try:
            yield ZoneInfo(name)
        finally:
            transaction.set_rollback(True)


def _draft(workspace, actor, accounts, when, text="Clock test"):
    return services.post_create(
        actor=actor,
        workspace=workspace,
        targets=[{"account": a.pk, "text": text} for a in accounts],
        scheduled_at=when,
    )


def _wall(instant, zone):
    return instant.astimezone(zone).replace(tzinfo=None)


# --- the queue ---------------------------------------------------------------------------------------


@EXAMPLES
@given(
    case=near_a_change(),
    extra=st.lists(st.integers(min_value=0, max_value=95), max_size=2),
    posts=st.integers(min_value=2, max_value=3),
)
@example(case=AFTER_GAP, extra=[10], posts=3)  # slots at 03:30 and at 02:30, which does not exist that day
@example(case=FIRST_0130, extra=[], posts=3)  # a slot at 01:30, which happens twice that day
def test_the_queue_gives_each_post_its_own_slot_instant(brand, case, extra, posts):
    workspace, account, other, manager = brand
    name, instant = case
    with in_zone(workspace, name) as zone:
        # given: a slot at the wall time near the change (and maybe more, every 15 minutes) on that weekday
        local = instant.astimezone(zone)
        times = {local.time().replace(second=0, microsecond=0)} | {time(q // 4, (q % 4) * 15) for q in extra}
        for at in times:
            PostingSlot.objects.create(workspace=workspace, account=account, weekday=local.weekday(), time=at)
        queued = [_draft(workspace, manager, [account], None, text=f"Queued {n}") for n in range(posts)]
        both = _draft(workspace, manager, [account, other], None, text="On both accounts")
        now = instant - timedelta(days=2)
        # when
        with time_machine.travel(now, tick=False):
            for post in [*queued, both]:
                services.post_add_to_queue(actor=manager, post=post)
        # then: one instant per post of the account, each after now, each a slot's instant on its day
        taken = [Post.objects.get(pk=p.pk).scheduled_at for p in [*queued, both]]
        assert len(set(taken)) == len(taken)
        assert all(t > now for t in taken)
        for when in taken:
            day = when.astimezone(zone).date()
            assert when in {slot_instant(day, at, zone) for at in times}
        assert taken[: len(queued)] == sorted(taken[: len(queued)])


# --- the composer -----------------------------------------------------------------------------------


@EXAMPLES
@given(case=near_a_change(), seconds=st.sampled_from([0, 0, 30]))
@example(case=SECOND_0130, seconds=0)
def test_a_composer_save_that_leaves_the_time_alone_keeps_the_instant(brand, case, seconds):
    workspace, account, _other, manager = brand
    name, instant = case
    instant += timedelta(seconds=seconds)
    client = signed_in_client(manager)
    with in_zone(workspace, name):
        post = _draft(workspace, manager, [account], instant)
        url = reverse("content:composer_edit", args=[workspace.pk, post.pk])
        # when: the page read and sent back as a browser does, with another text
        data = form_data(client.get(url).content.decode(), "composer")
        data.update(text=["Clock test, edited"], action=["draft"])
        response = client.post(url, data)
        # then
        assert response.status_code == 302, response.content.decode()[-3000:]
        post.refresh_from_db()
        assert post.scheduled_at == instant
        assert post.targets.get().text == "Clock test, edited"


@EXAMPLES
@given(start=near_a_change(), target=near_a_change())
@example(start=FIRST_0130, target=SECOND_0130)
def test_a_composer_time_change_lands_on_the_instant_chosen(brand, start, target):
    workspace, account, _other, manager = brand
    name, instant = start
    client = signed_in_client(manager)
    with in_zone(workspace, name) as zone:
        post = _draft(workspace, manager, [account], instant)
        url = reverse("content:composer_edit", args=[workspace.pk, post.pk])
        wanted = target[1]
        wall = _wall(wanted, zone)
        data = form_data(client.get(url).content.decode(), "composer")
        # when: the person types the wall time of `wanted`, and picks which one where it happens twice
        data.update(
            scheduled_date=[wall.date().isoformat()],
            scheduled_time=[wall.strftime("%H:%M")],
            time_choice=[tz.occurrence(wanted, zone)],
            time_choice_for=[""],
            action=["draft"],
        )
        response = client.post(url, data)
        # then
        assert response.status_code == 302, response.content.decode()[-3000:]
        post.refresh_from_db()
        assert post.scheduled_at == wanted


# --- the calendar's drag ----------------------------------------------------------------------------


@settings(EXAMPLES, max_examples=8)
@given(start=near_a_change(), target=near_a_change(step=5))
@example(start=SECOND_0130, target=(NY, datetime(2027, 11, 7, 5, 0, tzinfo=UTC)))  # onto 01:30: twice
@example(start=SECOND_0130, target=(NY, datetime(2027, 3, 14, 6, 45, tzinfo=UTC)))  # onto 02:15: skipped
def test_a_drag_lands_on_the_instant_chosen_or_is_refused_and_changes_nothing(brand, start, target):
    workspace, account, _other, manager = brand
    name, instant = start
    client = signed_in_client(manager)
    with in_zone(workspace, name) as zone:
        post = _draft(workspace, manager, [account], instant)
        url = reverse("content:post_move", args=[workspace.pk, post.pk])
        wall = _wall(target[1], zone) + timedelta(minutes=30)  # sometimes skipped or repeated
        options = tz.options_for(wall, zone)
        # when: dropped without a choice
        response = client.post(url, {"start": wall.isoformat(), "version": post.version})
        post.refresh_from_db()
        if options:
            # then: refused with the options, and the post did not move
            assert response.status_code == 400
            assert [o["choice"] for o in response.json()["error"]["options"]] == [o.choice for o in options]
            assert post.scheduled_at == instant
            # when: the person picks each option in turn
            for option in options:
                picked = client.post(
                    url, {"start": wall.isoformat(), "version": post.version, "time_choice": option.choice}
                )
                assert picked.status_code == 200, picked.content
                post.refresh_from_db()
                assert post.scheduled_at == option.instant
                assert picked.json()["start"] == option.wall.isoformat(timespec="seconds")
        else:
            assert response.status_code == 200, response.content
            assert post.scheduled_at == tz.wall_to_instant(wall, zone).instant
            assert _wall(post.scheduled_at, zone) == wall


# --- the import's time conversion -------------------------------------------------------------------


@settings(max_examples=150, deadline=None, database=None)
@given(case=near_a_change(span=240, step=5))
@example(case=SECOND_0130)
@example(case=(NY, datetime(2027, 3, 14, 6, 45, tzinfo=UTC)))
def test_the_import_reads_a_written_time_as_the_instant_it_names_or_refuses_it(case):
    name, instant = case
    zone = ZoneInfo(name)
    wall = _wall(instant, zone)
    # with its offset: always that instant
    written = tz.written_with_offset(tz.TimeOption("first", instant, wall, "", ""))
    assert importers._when(written, zone) == instant
    # without: that instant where the wall time names one, refused (never guessed) where it names two
    plain = wall.strftime("%Y-%m-%d %H:%M")
    if tz.occurrence(instant, zone):
        with pytest.raises(tz.WallTimeRefused):
            importers._when(plain, zone)
    else:
        assert importers._when(plain, zone) == instant
    # a wall time the clocks skip is refused too
    skipped = wall + timedelta(minutes=30)
    if not tz.instants_of(skipped, zone):
        with pytest.raises(tz.WallTimeRefused):
            importers._when(skipped.strftime("%Y-%m-%d %H:%M"), zone)


# --- the API ----------------------------------------------------------------------------------------


@EXAMPLES
@given(case=near_a_change(), with_offset=st.booleans())
@example(case=SECOND_0130, with_offset=False)
def test_the_api_stores_the_instant_sent_and_an_edit_keeps_it(brand, client_for, case, with_offset):
    workspace, account, _other, manager = brand
    name, instant = case
    api = client_for(manager)
    with in_zone(workspace, name) as zone:
        wall = _wall(instant, zone)
        if with_offset:
            body = {"scheduled_at": instant.astimezone(zone).isoformat()}
        else:
            body = {"scheduled_at": wall.isoformat()}
            if tz.occurrence(instant, zone):
                body["time_choice"] = tz.occurrence(instant, zone)
        created = api.post(
            f"/api/v1/workspaces/{workspace.pk}/posts/",
            {"targets": [{"account": account.pk, "text": "API"}], **body},
            format="json",
        )
        assert created.status_code == 201, created.json()
        shown = created.json()
        assert parse_datetime(shown["scheduled_at"]) == instant
        url = f"/api/v1/workspaces/{workspace.pk}/posts/{shown['id']}/"
        # an edit that leaves the time alone, and one that sends back the time as read: unchanged
        renamed = api.patch(url, {"version": shown["version"], "title": "Renamed"}, format="json")
        assert renamed.status_code == 200, renamed.json()
        echoed = api.patch(
            url,
            {"version": renamed.json()["version"], "scheduled_at": renamed.json()["scheduled_at"]},
            format="json",
        )
        assert echoed.status_code == 200, echoed.json()
        assert Post.objects.get(pk=shown["id"]).scheduled_at == instant
        # and the calendar reads it back at its wall time, labelled by offset where that time repeats
        day = wall.date()
        events = api.get(
            f"/api/v1/workspaces/{workspace.pk}/posts/",
            {"start": f"{day}T00:00:00", "end": f"{day + timedelta(days=1)}T00:00:00"},
        )
        assert events.status_code == 200, events.json()
        assert [parse_datetime(p["scheduled_at"]) for p in events.json()["results"]] == [instant]


def test_the_property_examples_cover_gaps_and_overlaps():
    changes = all_transitions()
    assert any(after > before for _n, _c, before, after in changes)
    assert any(after < before for _n, _c, before, after in changes)
    assert datetime(2026, 1, 1, tzinfo=UTC) <= min(c for _n, c, _b, _a in changes)

"""Issue 10: the composer's live counts (page and API) are the server's, by the X connector's own rule, so
what the composer shows is what publishing checks and what X counts. The composer's JavaScript has no
counter of its own: it shows the `count` of this check (static/js/composer.js, renderCounts)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.roles import Role
from channels_app.tests.counting_cases import CJK_POST_WITH_TRACKED_LINK, LINK_THEN_CJK
from content.tests.pages_kit import brand_with_accounts, member_user, signed_in_client

pytestmark = pytest.mark.django_db


def _live_check(workspace, account, text):
    user = member_user(workspace, Role.EDITOR)
    response = signed_in_client(user).post(
        reverse("content:composer_check", args=[workspace.pk]),
        data=json.dumps({"text": text, "variants": [{"account": account.pk, "custom": False}]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()


def test_the_live_check_counts_a_url_ending_at_a_full_width_comma_as_x_does():
    # given
    workspace, accounts = brand_with_accounts("x")

    # when
    body = _live_check(workspace, accounts["x"], LINK_THEN_CJK)

    # then: 285 of 280, over and blocking, with X's own finding
    (variant,) = body["variants"]
    assert (variant["count"], variant["limit"], variant["over"]) == (285, 280, True)
    assert variant["blocking"] is True
    assert "x.weighted_length" in [f["rule"] for f in variant["findings"]]


def test_the_live_check_counts_a_long_link_after_chinese_text_as_23():
    # given
    workspace, accounts = brand_with_accounts("x")

    # when
    body = _live_check(workspace, accounts["x"], CJK_POST_WITH_TRACKED_LINK)

    # then: 259 of 280, not blocked by length
    (variant,) = body["variants"]
    assert (variant["count"], variant["limit"], variant["over"]) == (259, 280, False)
    assert "x.weighted_length" not in [f["rule"] for f in variant["findings"]]


def test_the_api_check_counts_x_by_the_same_rule(client_for):
    # given
    workspace, accounts = brand_with_accounts("x")
    api = client_for(member_user(workspace, Role.EDITOR))
    url = f"/api/v1/workspaces/{workspace.pk}/compliance/check/"

    # when
    over = api.post(url, {"text": LINK_THEN_CJK, "accounts": [accounts["x"].pk]}, format="json")
    fits = api.post(url, {"text": CJK_POST_WITH_TRACKED_LINK, "accounts": [accounts["x"].pk]}, format="json")

    # then
    assert over.status_code == 200 and fits.status_code == 200
    assert over.json()["counts"]["x"] == {"count": 285, "limit": 280, "unit": "weighted characters"}
    assert fits.json()["counts"]["x"]["count"] == 259

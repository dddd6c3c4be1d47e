"""The metric registry speaks the reader's language: every reader-facing string of every entry (derived by
walking the registry, not from a hand list) has a Simplified Chinese translation, the page and the API
show it in the request's language, and the technical fields (keys, unit codes, sources) stay as they are."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from analytics.formula import FormulaError, formula_parse
from analytics.metrics import COMMON_METRICS, PLATFORM_METRICS, Aggregation, Unit

from .test_numbers import Scene

ALL_METRICS = [metric for metrics in PLATFORM_METRICS.values() for metric in metrics]
ENTRIES = [(f"common.{m.key}", m) for m in COMMON_METRICS.values()] + [
    (f"{m.platform}.{m.level}.{m.key}", m) for m in ALL_METRICS
]


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def test_the_registry_is_not_empty():
    # the parametrised test below would pass vacuously on an empty registry
    assert len(COMMON_METRICS) >= 10 and len(ALL_METRICS) >= 100


@pytest.mark.parametrize(("label", "metric"), ENTRIES, ids=[label for label, _ in ENTRIES])
def test_every_metric_name_and_meaning_is_translated_into_chinese(label, metric):
    for text in (metric.name, metric.meaning):
        english, chinese = _in("en", text), _in("zh-hans", text)
        assert chinese != english, f"{label}: no translation for {english!r}"
        # Chinese prose, not an English sentence with a word swapped (platform field names may stay Latin)
        assert any("\u4e00" <= char <= "\u9fff" for char in chinese), (label, chinese)


@pytest.mark.parametrize("choice", [*Unit, *Aggregation], ids=str)
def test_every_unit_and_aggregation_label_is_translated(choice):
    assert _in("zh-hans", choice.label) != _in("en", choice.label)


def test_a_metric_hashes_the_same_in_both_languages():
    # given: the lazy strings must not make == or hash depend on the active language
    metric = ALL_METRICS[0]
    with translation.override("en"):
        english = hash(metric)
    with translation.override("zh-hans"):
        assert hash(metric) == english


def test_formula_errors_are_in_the_readers_language():
    with translation.override("zh-hans"), pytest.raises(FormulaError) as refused:
        formula_parse("views ** 2")
    assert any("\u4e00" <= char <= "\u9fff" for char in str(refused.value))


@pytest.mark.django_db
class TestShown:
    @pytest.fixture
    def client_for(self):
        scene = Scene()

        def make(language: str) -> tuple[Client, int]:
            user = WorkspaceMemberFactory(workspace=scene.workspace, role=Role.ANALYST).user
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(user)
            return client, scene.workspace.pk

        return make

    def test_the_api_answers_in_the_request_language_and_keeps_the_codes(self, client_for):
        # given
        client, workspace_id = client_for("zh-hans")
        english_client, _ = client_for("en")
        path = reverse("analytics-metrics", args=[workspace_id])
        # when
        chinese = client.get(path, {"platform": "facebook"}).json()
        english = english_client.get(path, {"platform": "facebook"}).json()
        # then: prose translated, machine fields identical
        pairs = zip(chinese["platforms"][0]["metrics"], english["platforms"][0]["metrics"], strict=True)
        for zh, en in pairs:
            assert zh["meaning"] != en["meaning"] and zh["unit_name"] != en["unit_name"]
            assert zh["aggregation_name"] != en["aggregation_name"]
            for field in ("key", "unit", "level", "common_metric", "aggregation", "source", "replaced_by"):
                assert zh[field] == en[field], field
        follows = next(m for m in english["platforms"][0]["metrics"] if m["key"] == "page_follows")
        assert follows["source"] == "Graph API Page Insights: /{page-id}/insights metric=page_follows"
        assert follows["unit"] == "count" and follows["aggregation"] == "last"
        views = next(m for m in chinese["common_metrics"] if m["key"] == "views")
        assert views["meaning"] == str(_in("zh-hans", COMMON_METRICS["views"].meaning))
        json.dumps(chinese)  # plain strings all the way down

    def test_the_page_shows_chinese_meanings_and_each_source_in_code(self, client_for):
        # given
        client, workspace_id = client_for("zh-hans")
        # when
        html = client.get(reverse("analytics:metrics", args=[workspace_id])).content.decode()
        # then
        page_follows = next(m for m in PLATFORM_METRICS["facebook"] if m.key == "page_follows")
        assert _in("zh-hans", page_follows.meaning) in html
        assert "<code>Graph API Page Insights: /{page-id}/insights metric=page_follows</code>" in html
        assert 'title="Graph API' not in html
        assert "微信公众号" in html and "哔哩哔哩" in html
        assert "People following the Page." not in html

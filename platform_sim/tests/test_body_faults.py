"""Body faults: the operation runs (a publish is stored once), then the answer is garbled as the kind
says; a body fault waits for a successful answer (an error answer does not spend it)."""

from __future__ import annotations

import json

import httpx
import pytest

from platform_sim.body_faults import BODY_KINDS


def _share(url: str, token: str, text: str) -> httpx.Response:
    data = {"access_token": token, "status": text, "rip": "1.1.1.1"}
    return httpx.post(f"{url}/weibo/2/statuses/share.json", data=data, timeout=10)


def _real_answer(platform_sim, account) -> dict:
    return _share(platform_sim.base_url, account.access_token, "real https://kawo.example/").json()


@pytest.mark.parametrize("kind", BODY_KINDS)
def test_the_post_is_stored_once_and_the_answer_garbled(platform_sim, kind):
    # given
    account = platform_sim.create_account("weibo")
    real = _real_answer(platform_sim, account)
    platform_sim.add_fault(kind, platform="weibo", operation="publish", count=1)
    # when
    response = _share(platform_sim.base_url, account.access_token, f"{kind} https://kawo.example/")
    # then the post is there (the platform did the work) and the answer is not what a client reads
    assert platform_sim.posts_created("weibo", account.external_id) == 2
    assert response.status_code == 200
    if kind == "html_200":
        assert response.headers["content-type"].startswith("text/html") and b"<html" in response.content
    elif kind in ("not_json", "truncated"):
        with pytest.raises(ValueError):
            json.loads(response.content)
        if kind == "truncated":
            assert 0 < len(response.content) < len(json.dumps(real))
    elif kind == "wrong_shape":
        assert response.json() == sorted(real)  # a list where the object was
    else:
        assert response.json() == {}
    assert platform_sim.faults()[0]["fired"] == 1


def test_missing_field_removes_one_key_wherever_it_is(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    real = _real_answer(platform_sim, account)
    platform_sim.add_fault("missing_field", platform="weibo", operation="publish", field="idstr", count=1)
    # when
    answer = _share(platform_sim.base_url, account.access_token, "no id https://kawo.example/").json()
    # then
    assert "idstr" in real and "idstr" not in answer
    assert set(answer) == set(real) - {"idstr"}


def test_a_body_fault_waits_for_a_successful_answer(platform_sim):
    # given a body fault armed once, and a request the platform refuses
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("html_200", platform="weibo", operation="publish", count=1)
    refused = _share(platform_sim.base_url, "not-a-token", "x https://kawo.example/")
    # when the next request succeeds
    answered = _share(platform_sim.base_url, account.access_token, "y https://kawo.example/")
    # then the refusal was left as the platform's error, the success was garbled
    assert refused.status_code >= 400
    assert refused.json()  # the platform's own error body
    assert answered.headers["content-type"].startswith("text/html")
    assert platform_sim.faults()[0]["fired"] == 1

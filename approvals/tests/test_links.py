"""External review links (acceptance 4): a signed, expiring, revocable link; the reviewer confirms their
email with a one-time code, sees the post as it will appear, comments and decides under their email. An
expired, revoked or tampered link gets a clear refusal and records nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals import links, services
from approvals.models import ApprovalDecision, PostComment, RequestStatus, ReviewLink
from approvals.tests.factories import workflow_with
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
HQ = "hq.reviewer@example.org"


@pytest.fixture
def request_for_hq(admin, ws, editor, make_post):
    workflow_with(admin, ws, [{"name": "HQ", "approver_emails": [HQ]}])
    return services.approval_request_submit(actor=editor, post=make_post("Global launch"))


@pytest.fixture
def link_and_token(admin, ws, request_for_hq):
    return links.review_link_create(actor=admin, workspace=ws, email=HQ, request=request_for_hq, ttl_hours=48)


def api(client, method, token, path="", data=None, session=""):
    headers = {"HTTP_X_REVIEW_LINK": token}
    if session:
        headers["HTTP_X_REVIEW_SESSION"] = session
    return getattr(client, method)(f"/api/v1/review/{path}", data or {}, format="json", **headers)


def confirm(api_client, token, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert api(api_client, "post", token, "code/").status_code == 202
    (message,) = mail.outbox
    assert message.to == [HQ]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    answer = api(api_client, "post", token, "verify/", {"code": code})
    assert answer.status_code == 200, answer.content
    return answer.json()["session"]


def what_was_recorded():
    return (
        AuditEvent.objects.count(),
        ApprovalDecision.objects.count(),
        PostComment.objects.count(),
        list(ReviewLink.objects.values_list("code_hash", "verified_at", "code_attempts")),
    )


def test_the_reviewer_confirms_the_email_sees_the_post_and_approves(
    api_client, link_and_token, request_for_hq, django_capture_on_commit_callbacks
):
    # given
    link, token = link_and_token
    before = api(api_client, "get", token).json()
    assert before["verified"] is False and before["requests"] == []  # nothing shown before the code
    session = confirm(api_client, token, django_capture_on_commit_callbacks)
    # when the reviewer reads the post
    view = api(api_client, "get", token, session=session).json()
    # then they see its text as it will be published
    (item,) = view["requests"]
    assert item["targets"][0]["text"] == "Global launch" and item["can_decide"] is True
    # when they comment and approve
    comment = api(
        api_client,
        "post",
        token,
        "comments/",
        {"request": item["id"], "body": "Fine for HQ"},
        session=session,
    )
    decision = api(
        api_client, "post", token, "decide/", {"request": item["id"], "decision": "approve"}, session=session
    )
    # then both are recorded under their email
    assert comment.status_code == 201 and decision.status_code == 201, (comment.content, decision.content)
    request_for_hq.refresh_from_db()
    assert request_for_hq.status == RequestStatus.APPROVED
    made = ApprovalDecision.objects.get()
    assert (made.reviewer, made.reviewer_email, made.external) == (None, HQ, True)
    event = AuditEvent.objects.get(action="approval.approve")
    assert event.actor is None and HQ in event.actor_label
    assert PostComment.objects.get().author_label.startswith(HQ)


def test_without_the_code_nothing_can_be_decided(api_client, link_and_token, request_for_hq):
    link, token = link_and_token
    recorded = what_was_recorded()
    answer = api(
        api_client,
        "post",
        token,
        "decide/",
        {"request": request_for_hq.pk, "decision": "approve"},
        session="forged",
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "email_unconfirmed"
    assert what_was_recorded() == recorded


def test_a_wrong_code_is_refused(api_client, link_and_token, django_capture_on_commit_callbacks):
    link, token = link_and_token
    with django_capture_on_commit_callbacks(execute=True):
        api(api_client, "post", token, "code/")
    answer = api(api_client, "post", token, "verify/", {"code": "not-it"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "code_wrong"
    link.refresh_from_db()
    assert link.verified_at is None and link.code_attempts == 1


def tampered(token: str) -> str:
    # Change one character of the signature part.
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        ("tampered", "link_invalid"),
        ("revoked", "link_revoked"),
        ("expired", "link_expired"),
        ("other_nonce", "link_invalid"),
    ],
)
def test_a_spoiled_link_is_refused_clearly_and_records_nothing(
    api_client, admin, ws, link_and_token, request_for_hq, django_capture_on_commit_callbacks, spoil, code
):
    # given a reviewer who had confirmed their email while the link was good
    link, token = link_and_token
    session = confirm(api_client, token, django_capture_on_commit_callbacks)
    travel = None
    if spoil == "tampered":
        token = tampered(token)
    elif spoil == "revoked":
        links.review_link_revoke(actor=admin, link=link)
    elif spoil == "expired":
        travel = time_machine.travel(timezone.now() + timedelta(hours=49))
        travel.start()
    elif spoil == "other_nonce":
        # A validly signed token for the right link id but another nonce (a leaked older link, say).
        from django.core import signing

        token = signing.dumps({"l": link.pk, "n": "guessed"}, salt=links.SALT)
    mail.outbox.clear()
    recorded = what_was_recorded()
    try:
        # when the link is used for anything
        answers = [
            api(api_client, "get", token, session=session),
            api(api_client, "post", token, "code/"),
            api(api_client, "post", token, "verify/", {"code": "123456"}),
            api(
                api_client,
                "post",
                token,
                "comments/",
                {"request": request_for_hq.pk, "body": "x"},
                session=session,
            ),
            api(
                api_client,
                "post",
                token,
                "decide/",
                {"request": request_for_hq.pk, "decision": "approve"},
                session=session,
            ),
        ]
    finally:
        if travel:
            travel.stop()
    # then each answer is the same clear refusal, and nothing at all was recorded or sent
    assert {a.status_code for a in answers} == {403}
    assert {a.json()["error"]["code"] for a in answers} == {code}
    assert all(a.json()["error"]["message"] for a in answers)
    assert what_was_recorded() == recorded
    assert mail.outbox == []
    request_for_hq.refresh_from_db()
    assert request_for_hq.status == RequestStatus.IN_PROGRESS


def test_a_link_for_one_request_cannot_reach_another(
    api_client, admin, ws, editor, make_post, link_and_token, django_capture_on_commit_callbacks
):
    link, token = link_and_token
    other = services.approval_request_submit(actor=editor, post=make_post("Another post"))
    session = confirm(api_client, token, django_capture_on_commit_callbacks)
    answer = api(
        api_client, "post", token, "decide/", {"request": other.pk, "decision": "approve"}, session=session
    )
    assert answer.status_code == 404
    assert not ApprovalDecision.objects.filter(request=other).exists()


def test_a_batch_link_covers_every_post_of_the_batch(
    api_client, admin, ws, editor, make_post, django_capture_on_commit_callbacks
):
    workflow_with(admin, ws, [{"name": "Client", "approver_emails": [HQ]}])
    batch = services.approval_batch_submit(
        actor=editor, workspace=ws, posts=[make_post("A").pk, make_post("B").pk]
    )
    link, token = links.review_link_create(actor=admin, workspace=ws, email=HQ, batch=batch)
    session = confirm(api_client, token, django_capture_on_commit_callbacks)
    view = api(api_client, "get", token, session=session).json()
    assert sorted(r["targets"][0]["text"] for r in view["requests"]) == ["A", "B"]

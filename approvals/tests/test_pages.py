"""The dashboard pages: the reviewer's queue (bulk approve) and the external reviewer's page."""

import re

import pytest
from django.core import mail
from django.test import Client

from approvals import links, services
from approvals.models import ApprovalDecision, PostComment, RequestStatus
from approvals.tests.factories import workflow_with
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
HQ = "hq@example.org"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_page_lists_my_reviews_and_bulk_approves(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    request = services.approval_request_submit(actor=editor, post=make_post("Weekend brunch"))
    client = signed_in(lead)
    page = client.get(f"/w/{ws.pk}/approvals/")
    assert page.status_code == 200 and "Weekend brunch" in page.content.decode()
    answer = client.post(f"/w/{ws.pk}/approvals/", {"requests": [request.pk]})
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    # an editor sees the page but cannot post to it
    assert signed_in(editor).post(f"/w/{ws.pk}/approvals/", {"requests": [request.pk]}).status_code == 403


def test_the_external_page_confirms_the_email_then_records_the_decision(
    admin, ws, editor, make_post, django_capture_on_commit_callbacks
):
    workflow_with(admin, ws, [{"name": "HQ", "approver_emails": [HQ]}])
    request = services.approval_request_submit(actor=editor, post=make_post("Global launch"))
    _link, token = links.review_link_create(actor=admin, workspace=ws, email=HQ, request=request)
    client = Client()
    url = f"/review/{token}/"
    first = client.get(url).content.decode()
    assert "Global launch" not in first  # nothing shown before the code
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "send_code"}).status_code == 302
    (message,) = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    client.post(url, {"action": "verify", "code": code})
    page = client.get(url).content.decode()
    assert "Global launch" in page
    client.post(url, {"action": "decide", "request": request.pk, "decision": "approve"})
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert ApprovalDecision.objects.get().reviewer_email == HQ


def test_a_tampered_link_page_refuses_and_records_nothing(admin, ws, editor, make_post):
    workflow_with(admin, ws, [{"name": "HQ", "approver_emails": [HQ]}])
    request = services.approval_request_submit(actor=editor, post=make_post())
    _link, token = links.review_link_create(actor=admin, workspace=ws, email=HQ, request=request)
    events = AuditEvent.objects.count()
    bad = f"/review/{token[:-2]}xx/"
    for answer in (
        Client().get(bad),
        Client().post(bad, {"action": "decide", "request": request.pk, "decision": "approve"}),
    ):
        assert answer.status_code == 403
        assert "This link cannot be used" in answer.content.decode()
    assert AuditEvent.objects.count() == events and not ApprovalDecision.objects.exists()


def test_a_selected_span_anchors_the_comment_where_it_was_selected(
    admin, ws, editor, reviewer_factory, make_post
):
    # given a text (with a line break as a form sends it) where the phrase appears twice, and the
    # reviewer selected the second one (the browser counts the line break as one character)
    lead = reviewer_factory()
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    text = "Best tea.\r\nReally the best tea in town."
    post = make_post(text)
    request = services.approval_request_submit(actor=editor, post=post)
    target = post.targets.get()
    start = text.replace("\r\n", "\n").rindex("best tea")
    form = {
        "action": "decide",
        "decision": "request_changes",
        "comment": "No superlatives.",
        "phrase": "best tea",
        "anchor_target": target.pk,
        "anchor_start": start,
    }
    client = signed_in(lead)

    # when the offsets fall outside the text, then nothing is recorded
    client.post(f"/w/{ws.pk}/approvals/posts/{post.pk}/", {**form, "anchor_end": len(text) + 5})
    assert not PostComment.objects.exists() and not ApprovalDecision.objects.exists()

    # when they are right, then the comment is anchored to the selected span, not the first match
    answer = client.post(f"/w/{ws.pk}/approvals/posts/{post.pk}/", {**form, "anchor_end": start + 8})
    assert answer.status_code == 302
    comment = PostComment.objects.get()
    stored = text.rindex("best tea")
    assert (comment.anchor_start, comment.anchor_end, comment.anchor_text) == (stored, stored + 8, "best tea")
    request.refresh_from_db()
    assert request.status == RequestStatus.CHANGES_REQUESTED

"""The review links of a request on the post's review page: listed (who, issued by, when in the
workspace's time zone, status), re-sent by email and revoked through the same services as the API (with
their audit entries), and a warning when the address is not the current stage's expected approver."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import links, services
from approvals.models import ReviewLink
from approvals.tests.factories import workflow_with
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
HQ = "hq@example.org"
STRANGER = "someone.else@example.org"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def in_review(admin, ws, editor, make_post):
    ws.timezone = "Asia/Shanghai"
    ws.save(update_fields=["timezone"])
    workflow_with(admin, ws, [{"name": "HQ legal", "approver_emails": [HQ]}])
    post = make_post("Global launch")
    request = services.approval_request_submit(actor=editor, post=post)
    return {"post": post, "request": request, "url": f"/w/{ws.pk}/approvals/posts/{post.pk}/"}


def issue(actor, ws, request, email=HQ) -> ReviewLink:
    link, _token = links.review_link_create(actor=actor, workspace=ws, email=email, request=request)
    return link


def row_of(html: str, link: ReviewLink) -> str:
    return html.split(f'data-link="{link.pk}"', 1)[1].split("</tr>", 1)[0]


def test_the_page_lists_the_links_with_who_when_and_a_labelled_status(admin, ws, editor, in_review):
    # given: five links, one in each state
    request = in_review["request"]
    pending = issue(admin, ws, request)
    opened = issue(admin, ws, request, "opened@example.org")
    ReviewLink.objects.filter(pk=opened.pk).update(verified_at=timezone.now())
    expired = issue(admin, ws, request, "late@example.org")
    ReviewLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    revoked = links.review_link_revoke(actor=admin, link=issue(admin, ws, request, "gone@example.org"))
    decided, token = links.review_link_create(actor=admin, workspace=ws, email=HQ, request=request)
    ReviewLink.objects.filter(pk=decided.pk).update(verified_at=timezone.now())
    links.link_decide(token=token, verified=True, request_id=request.pk, decision="approve")
    # when
    html = signed_in(editor).get(in_review["url"]).content.decode()
    # then: pending, opened, expired, revoked; the HQ links show as decided (HQ decided on this request)
    statuses = {link: row_of(html, link) for link in (pending, opened, expired, revoked, decided)}
    assert 'data-status="decided"' in statuses[pending] and ">Decided<" in statuses[decided]
    assert 'data-status="opened"' in statuses[opened] and ">Opened<" in statuses[opened]
    assert 'data-status="expired"' in statuses[expired] and ">Expired<" in statuses[expired]
    assert 'data-status="revoked"' in statuses[revoked] and ">Revoked<" in statuses[revoked]
    assert admin.email in statuses[opened]
    local = opened.created_at.astimezone(ws.tzinfo).strftime("%Y-%m-%d %H:%M")
    assert local in statuses[opened]
    # only live links can be re-sent or revoked
    assert 'data-testid="review-link-resend"' in statuses[opened]
    assert 'data-testid="review-link-resend"' not in statuses[revoked]


def test_a_pending_link_is_labelled_not_opened_yet_in_english_and_chinese(admin, ws, editor, in_review):
    link = issue(admin, ws, in_review["request"])
    client = signed_in(editor)
    assert "Not opened yet" in row_of(client.get(in_review["url"]).content.decode(), link)
    client.cookies["django_language"] = "zh-hans"
    assert "尚未打开" in row_of(client.get(in_review["url"]).content.decode(), link)


def test_resend_emails_a_fresh_url_and_the_old_one_stops_working(
    admin, ws, editor, in_review, django_capture_on_commit_callbacks
):
    # given
    link, old_token = links.review_link_create(
        actor=admin, workspace=ws, email=HQ, request=in_review["request"]
    )
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(editor).post(
            in_review["url"], {"action": "resend_link", "link": link.pk}, follow=True
        )
    # then
    assert answer.status_code == 200 and f"A new link was sent to {HQ}." in answer.content.decode()
    (message,) = mail.outbox
    assert message.to == [HQ]
    new_token = re.search(r"/review/([^/\s]+)/", message.body).group(1)
    assert links.link_resolve(new_token).pk == link.pk
    with pytest.raises(links.LinkRefused):
        links.link_resolve(old_token)
    assert AuditEvent.objects.filter(action="review_link.resend", actor=editor).count() == 1
    local = link.expires_at.astimezone(ws.tzinfo).strftime("%Y-%m-%d %H:%M")
    assert f"valid until {local}, {ws.timezone}" in message.body  # the workspace's clock, named


def test_revoke_from_the_page(admin, ws, editor, in_review):
    link = issue(admin, ws, in_review["request"])
    answer = signed_in(editor).post(in_review["url"], {"action": "revoke_link", "link": link.pk}, follow=True)
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert f"The link for {HQ} is revoked." in answer.content.decode()
    assert AuditEvent.objects.filter(action="review_link.revoke", actor=editor).count() == 1


def test_a_revoked_link_cannot_be_resent(admin, ws, editor, in_review, django_capture_on_commit_callbacks):
    link = links.review_link_revoke(actor=admin, link=issue(admin, ws, in_review["request"]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(editor).post(
            in_review["url"], {"action": "resend_link", "link": link.pk}, follow=True
        )
    assert "This link was revoked; create a new one." in answer.content.decode()
    assert mail.outbox == [] and not AuditEvent.objects.filter(action="review_link.resend").exists()


def test_issuing_to_someone_the_stage_does_not_expect_warns_and_names_who_is(admin, ws, editor, in_review):
    client = signed_in(editor)
    # when: an address the stage does not expect
    warned = client.post(in_review["url"], {"action": "share", "email": STRANGER}, follow=True)
    # then: the link is made, and the warning names the stage and the expected address
    html = warned.content.decode()
    assert ReviewLink.objects.filter(email=STRANGER).exists()
    assert f"{STRANGER} is not an approver of the current stage “HQ legal”: it expects {HQ}." in html
    # when: the expected address
    fine = client.post(in_review["url"], {"action": "share", "email": HQ}, follow=True).content.decode()
    assert "is not an approver of the current stage" not in fine


def test_the_api_returns_the_same_warning_and_resends(
    admin, ws, editor, in_review, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(editor)
    base = f"/api/v1/workspaces/{ws.pk}/review-links/"
    warned = api.post(base, {"email": STRANGER, "request": in_review["request"].pk}, format="json")
    fine = api.post(base, {"email": HQ, "request": in_review["request"].pk}, format="json")
    assert warned.status_code == 201 and "it expects hq@example.org" in warned.json()["warning"]
    assert fine.json()["warning"] == "" and fine.json()["status"] == "pending"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resent = api.post(f"{base}{fine.json()['id']}/resend/")
    assert resent.status_code == 200 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="review_link.resend").count() == 1
    listed = api.get(base).json()
    assert {item["status"] for item in listed["results"]} == {"pending"}


def test_a_role_without_post_edit_gets_403_and_nothing_changes(admin, ws, in_review, reviewer_factory):
    link = issue(admin, ws, in_review["request"])
    viewer = reviewer_factory(role=Role.VIEWER)
    client = signed_in(viewer)
    page = client.get(in_review["url"]).content.decode()
    assert 'data-testid="review-links"' not in page and HQ not in page  # as the API: post.edit to list
    assert client.post(in_review["url"], {"action": "revoke_link", "link": link.pk}).status_code == 403
    assert client.post(in_review["url"], {"action": "resend_link", "link": link.pk}).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
    api = APIClient()
    api.force_authenticate(viewer)
    assert api.post(f"/api/v1/workspaces/{ws.pk}/review-links/{link.pk}/resend/").status_code == 403


def test_another_workspaces_or_posts_link_is_404(admin, ws, editor, in_review, make_post):
    # given: a link of another post here, and a person of another workspace
    other_ws = WorkspaceFactory()
    other_admin = WorkspaceMemberFactory(workspace=other_ws, role=Role.ADMIN).user
    other_post = make_post("Another post")
    other_request = services.approval_request_submit(actor=editor, post=other_post)
    elsewhere = issue(admin, ws, other_request)
    client = signed_in(editor)
    # then
    assert client.post(in_review["url"], {"action": "revoke_link", "link": elsewhere.pk}).status_code == 404
    assert client.post(in_review["url"], {"action": "revoke_link", "link": "999999"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None
    api = APIClient()
    api.force_authenticate(other_admin)
    assert api.post(f"/api/v1/workspaces/{ws.pk}/review-links/{elsewhere.pk}/resend/").status_code == 404

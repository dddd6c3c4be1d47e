"""Review comment threads: replies (one level), @mentions of the workspace's people (stored, notified in
app and by email per preference), resolve / reopen of a thread (who, when), over the services, the API,
the post's review page and the external reviewer's side; and one history entry per event."""

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals import links, services
from approvals.models import Notification, NotificationPreference, PostComment
from approvals.selectors import post_timeline
from approvals.tests.factories import workflow_with
from core.errors import ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
HQ = "hq@example.org"


def url(ws, post, rest=""):
    return f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/review-comments/{rest}"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user


# --- services ------------------------------------------------------------------------------------------


def test_a_reply_joins_the_thread_and_a_reply_to_a_reply_is_refused(manager, editor, make_post):
    # given
    post = make_post("Autumn menu")
    thread = services.comment_create(actor=manager, post=post, body="Shorter, please")
    # when
    reply = services.comment_create(actor=editor, post=post, body="Done", parent=thread.pk)
    # then
    assert reply.parent_id == thread.pk
    with pytest.raises(ValidationFailed) as refused:
        services.comment_create(actor=manager, post=post, body="Thanks", parent=reply.pk)
    assert refused.value.fields == {"parent": [refused.value.message]}
    assert refused.value.code == "reply_to_reply"
    assert PostComment.objects.count() == 2


def test_a_reply_to_another_posts_comment_is_refused(manager, make_post):
    first, second = make_post("One"), make_post("Two")
    thread = services.comment_create(actor=manager, post=first, body="Hm")
    with pytest.raises(ValidationFailed) as refused:
        services.comment_create(actor=manager, post=second, body="Reply", parent=thread.pk)
    assert "parent" in refused.value.fields


def test_mentioning_a_non_member_is_refused_and_nothing_is_written(manager, make_post):
    # given a person of another workspace
    stranger = WorkspaceMemberFactory(workspace=WorkspaceFactory(), role=Role.EDITOR).user
    post = make_post("Launch")
    # when / then: by id (the @ menu) and by @email in the text
    for kwargs in ({"mentions": [stranger.pk]}, {"body": f"Look @{stranger.email}"}):
        with pytest.raises(ValidationFailed) as refused:
            services.comment_create(actor=manager, post=post, **{"body": "Look", **kwargs})
        assert refused.value.code == "not_a_member" and "mentions" in refused.value.fields
    assert PostComment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_mention_is_stored_and_notifies_in_app_and_by_email_per_preference(
    manager, editor, ws, make_post, django_capture_on_commit_callbacks
):
    # given: a reviewer who turned the email off for mentions
    reviewer = WorkspaceMemberFactory(workspace=ws, role=Role.REVIEWER).user
    NotificationPreference.objects.create(user=reviewer, kind="mentioned", in_app=True, email=False)
    post = make_post("Launch")
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(
            actor=manager, post=post, body=f"@{editor.email} check the date", mentions=[reviewer.pk]
        )
    # then
    assert set(comment.mentions.values_list("pk", flat=True)) == {editor.pk, reviewer.pk}
    assert set(
        Notification.objects.filter(kind="mentioned", post=post).values_list("recipient_id", flat=True)
    ) == {editor.pk, reviewer.pk}
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert f"/approvals/posts/{post.pk}/" in mail.outbox[0].body


def test_resolve_and_reopen_record_who_and_when_once_each(manager, editor, make_post):
    post = make_post("Launch")
    thread = services.comment_create(actor=editor, post=post, body=f"@{manager.email} ok?")
    services.comment_create(actor=manager, post=post, body="Yes", parent=thread)
    # when
    services.comment_resolve(actor=manager, comment=thread, resolved=True)
    services.comment_resolve(actor=manager, comment=thread, resolved=True)  # already: nothing new
    thread.refresh_from_db()
    assert thread.resolved_by == manager and thread.resolved_at is not None
    services.comment_resolve(actor=editor, comment=thread, resolved=False)
    thread.refresh_from_db()
    # then
    assert thread.resolved_at is None and thread.resolved_by is None
    kinds = [i["kind"] for i in post_timeline(post.workspace, post=post)]
    assert kinds.count("comment") == 1  # the mention is no entry of its own
    assert kinds.count("reply") == 1
    assert kinds.count("comment_resolved") == 1 and kinds.count("comment_reopened") == 1
    actions = AuditEvent.objects.filter(action__startswith="approval.comment_").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["approval.comment_reopen", "approval.comment_resolve"]


def test_a_reply_cannot_be_resolved_on_its_own(manager, make_post):
    post = make_post("Launch")
    thread = services.comment_create(actor=manager, post=post, body="Hm")
    reply = services.comment_create(actor=manager, post=post, body="Hm 2", parent=thread)
    with pytest.raises(ValidationFailed) as refused:
        services.comment_resolve(actor=manager, comment=reply)
    assert refused.value.code == "not_a_thread"


def test_a_decision_with_an_anchored_comment_is_one_history_entry(admin, ws, editor, manager, make_post):
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [manager.pk]}])
    post = make_post("Our best tea")
    request = services.approval_request_submit(actor=editor, post=post)
    client = signed_in(manager)
    answer = client.post(
        f"/w/{ws.pk}/approvals/posts/{post.pk}/",
        {"action": "decide", "decision": "request_changes", "comment": "No 'best'", "phrase": "best"},
    )
    assert answer.status_code == 302
    assert PostComment.objects.filter(request=request).count() == 1  # kept for the highlight
    items = post_timeline(ws, post=post)
    said = [i for i in items if i["text"] == "No 'best'"]
    assert [i["kind"] for i in said] == ["decision_request_changes"]
    assert said[0]["anchor"] == "best"


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_replies_mentions_and_resolves(manager, editor, ws, make_post, client_for):
    post = make_post("Launch")
    thread = client_for(manager).post(
        url(ws, post), {"body": "Date?", "mentions": [editor.pk]}, format="json"
    )
    assert thread.status_code == 201, thread.content
    assert thread.json()["mentions"] == [editor.pk] and thread.json()["parent"] is None
    assert Notification.objects.filter(recipient=editor, kind="mentioned").count() == 1
    reply = client_for(editor).post(
        url(ws, post), {"body": "Friday", "parent": thread.json()["id"]}, format="json"
    )
    assert reply.status_code == 201 and reply.json()["parent"] == thread.json()["id"]
    # a reply to the reply: a field error
    nested = client_for(manager).post(
        url(ws, post), {"body": "x", "parent": reply.json()["id"]}, format="json"
    )
    assert nested.status_code == 400
    assert "parent" in nested.json()["error"]["fields"]
    # mentioning a non-member
    stranger = UserFactory()
    refused = client_for(manager).post(url(ws, post), {"body": "x", "mentions": [stranger.pk]}, format="json")
    assert refused.status_code == 400 and "mentions" in refused.json()["error"]["fields"]
    # resolve, then reopen
    done = client_for(manager).patch(
        url(ws, post, f"{thread.json()['id']}/"), {"resolved": True}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["resolved"] is True and done.json()["resolved_by"] == manager.email
    listed = client_for(editor).get(url(ws, post)).json()
    assert [c["parent"] for c in listed] == [None, thread.json()["id"]]
    again = client_for(editor).patch(
        url(ws, post, f"{thread.json()['id']}/"), {"resolved": False}, format="json"
    )
    assert again.json()["resolved"] is False and again.json()["resolved_by"] is None
    timeline = client_for(editor).get(f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/timeline/").json()
    assert [i["kind"] for i in timeline if i["kind"].startswith(("comment", "reply"))] == [
        "comment",
        "reply",
        "comment_resolved",
        "comment_reopened",
    ]


def test_resolving_is_404_outside_the_workspace_and_403_without_the_capability(
    manager, ws, make_post, client_for
):
    post = make_post("Launch")
    thread = services.comment_create(actor=manager, post=post, body="Hm")
    outsider = WorkspaceMemberFactory(workspace=WorkspaceFactory(), role=Role.ADMIN).user
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    target = url(ws, post, f"{thread.pk}/")
    assert client_for(outsider).patch(target, {"resolved": True}, format="json").status_code == 404
    assert client_for(viewer).patch(target, {"resolved": True}, format="json").status_code == 403
    thread.refresh_from_db()
    assert thread.resolved_at is None


# --- pages -----------------------------------------------------------------------------------------------


def test_the_review_page_shows_threads_and_takes_a_reply_and_a_resolve(manager, editor, ws, make_post):
    post = make_post("Launch")
    thread = services.comment_create(actor=manager, post=post, body=f"@{editor.email} date?")
    page = signed_in(editor).get(f"/w/{ws.pk}/approvals/posts/{post.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="thread"' in html and "date?" in html and 'id="mentionable"' in html
    # when: a reply, then the manager resolves
    answer = signed_in(editor).post(
        f"/w/{ws.pk}/approvals/posts/{post.pk}/", {"action": "comment", "body": "Friday", "parent": thread.pk}
    )
    assert answer.status_code == 302
    assert PostComment.objects.get(parent=thread).body == "Friday"
    resolved = signed_in(manager).post(
        f"/w/{ws.pk}/approvals/posts/{post.pk}/", {"action": "resolve", "comment": thread.pk}
    )
    assert resolved.status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_by == manager
    assert AuditEvent.objects.filter(action="approval.comment_resolve").count() == 1


def test_the_review_page_shows_a_refused_reply_next_to_its_box_with_400(manager, ws, make_post):
    post = make_post("Launch")
    thread = services.comment_create(actor=manager, post=post, body="Hm")
    reply = services.comment_create(actor=manager, post=post, body="Hm 2", parent=thread)
    answer = signed_in(manager).post(
        f"/w/{ws.pk}/approvals/posts/{post.pk}/", {"action": "comment", "body": "x", "parent": reply.pk}
    )
    assert answer.status_code == 400
    assert "a reply cannot have replies" in answer.content.decode()
    stranger = UserFactory()
    answer = signed_in(manager).post(
        f"/w/{ws.pk}/approvals/posts/{post.pk}/",
        {"action": "comment", "body": "x", "mentions": str(stranger.pk)},
    )
    assert answer.status_code == 400 and 'data-testid="mentions-error"' in answer.content.decode()
    assert PostComment.objects.count() == 2


def test_a_viewer_cannot_comment_or_resolve_on_the_page(manager, ws, make_post):
    post = make_post("Launch")
    thread = services.comment_create(actor=manager, post=post, body="Hm")
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    client = signed_in(viewer)
    assert (
        client.post(f"/w/{ws.pk}/approvals/posts/{post.pk}/", {"action": "comment", "body": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/w/{ws.pk}/approvals/posts/{post.pk}/", {"action": "resolve", "comment": thread.pk}
        ).status_code
        == 403
    )
    assert PostComment.objects.count() == 1


def test_an_external_reviewer_replies_but_cannot_resolve(admin, ws, editor, manager, make_post):
    workflow_with(admin, ws, [{"name": "HQ", "approver_emails": [HQ]}])
    post = make_post("Global launch")
    request = services.approval_request_submit(actor=editor, post=post)
    thread = services.comment_create(actor=manager, post=post, body="HQ, the date?", request=request)
    link, token = links.review_link_create(actor=admin, workspace=ws, email=HQ, request=request)
    link.verified_at = link.created_at
    link.save(update_fields=["verified_at"])
    # when
    reply = links.link_comment(
        token=token, verified=True, request_id=request.pk, body="Fine", parent=thread.pk
    )
    # then
    assert reply.parent_id == thread.pk and reply.external
    view = links.external_view(link, verified=True)
    (item,) = view["requests"]
    assert [t.pk for t in item["threads"]] == [thread.pk]
    assert [r.body for r in item["threads"][0].thread_replies] == ["Fine"]
    # no resolving from outside: there is no service path for it, and the page offers no button
    client = Client()
    session = client.session
    session["approvals.review_sessions"] = {str(link.pk): links.review_session_issue(link)}
    session.save()
    html = client.get(f"/review/{token}/").content.decode()
    assert "Fine" in html and 'data-testid="reply"' in html and 'data-testid="resolve"' not in html
    client.post(f"/review/{token}/", {"action": "resolve", "comment": thread.pk})
    thread.refresh_from_db()
    assert thread.resolved_at is None

"""An admin's override of blocking findings, through the API and the post page: a reason is required,
only roles with post.publish_without_approval may record it, it covers exactly the content it was given
for, and the page says so (and says when an edit has voided it)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, PostTarget
from content.tests.factories import BannedWordFactory, PostFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def admin(ws):
    return WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user


@pytest.fixture
def blocked_post(ws):
    """A Mastodon post whose text carries a blocking banned word, due in three days."""
    BannedWordFactory(workspace=ws, word="miracle", severity="blocking")
    post = PostFactory(workspace=ws, scheduled_at=timezone.now() + timedelta(days=3))
    PostTargetFactory(
        post=post, account=SocialAccountFactory(workspace=ws, platform="mastodon"), text="A miracle cream"
    )
    return post


def url(ws, post):
    return f"/api/v1/workspaces/{ws.pk}/posts/{post.pk}/compliance/override/"


def test_the_api_records_an_admins_override_with_its_reason(ws, admin, blocked_post, client_for):
    # given
    api = client_for(admin)
    # when
    response = api.post(url(ws, blocked_post), {"reason": "Legal cleared the product name"}, format="json")
    # then
    assert response.status_code == 200, response.json()
    override = response.json()["compliance_override"]
    assert override["blocking_rules"] == ["banned_word"]
    assert override["blocking_reason"] == "Legal cleared the product name"
    assert services.post_blocking_override(Post.objects.get(pk=blocked_post.pk))["current"] is True


def test_the_api_refuses_without_a_reason_field_by_field(ws, admin, blocked_post, client_for):
    response = client_for(admin).post(url(ws, blocked_post), {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert "reason" in str(response.json())
    assert Post.objects.get(pk=blocked_post.pk).compliance_override is None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EDITOR, Role.REVIEWER])
def test_roles_without_the_capability_get_403(ws, blocked_post, client_for, role):
    user = WorkspaceMemberFactory(workspace=ws, role=role).user
    response = client_for(user).post(url(ws, blocked_post), {"reason": "because"}, format="json")
    assert response.status_code == 403
    assert Post.objects.get(pk=blocked_post.pk).compliance_override is None


def test_another_workspaces_post_is_404(ws, admin, client_for):
    foreign = PostTargetFactory().post
    response = client_for(admin).post(url(ws, foreign), {"reason": "because"}, format="json")
    assert response.status_code == 404


def test_a_post_without_blocking_findings_has_nothing_to_override(ws, admin, client_for):
    account = SocialAccountFactory(workspace=ws, platform="mastodon")
    post = PostTargetFactory(post__workspace=ws, text="Hello", account=account).post
    response = client_for(admin).post(url(ws, post), {"reason": "because"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nothing_to_override"


def test_the_post_page_offers_the_override_to_admins_and_says_when_an_edit_voided_it(ws, admin, blocked_post):
    # given
    page = reverse("content:post_detail", args=[ws.pk, blocked_post.pk])
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    as_admin, as_editor = Client(), Client()
    as_admin.force_login(admin)
    as_editor.force_login(editor)
    # then: only the admin sees the form
    assert 'data-testid="override-blocking"' in as_admin.get(page).content.decode()
    assert 'data-testid="override-blocking"' not in as_editor.get(page).content.decode()
    # when: the admin records it from the page
    response = as_admin.post(
        reverse("content:post_compliance_override", args=[ws.pk, blocked_post.pk]),
        {"reason": "Legal cleared it"},
        follow=True,
    )
    # then: it is shown with who and why, and the form is gone
    html = response.content.decode()
    assert 'data-testid="blocking-override"' in html and "Legal cleared it" in html
    assert 'data-testid="override-blocking"' not in html
    # when: the text changes afterwards
    PostTarget.objects.filter(post=blocked_post).update(text="A miracle cream, now cheaper")
    html = as_admin.get(page).content.decode()
    # then: the page says the override no longer applies and offers the form again
    assert "the override no longer applies" in html
    assert 'data-testid="override-blocking"' in html


def test_the_post_page_says_findings_history_and_units_in_the_readers_language(ws, admin, blocked_post):
    # given: the post was created and edited by someone working in English
    post = Post.objects.get(pk=blocked_post.pk)
    services.post_update(actor=admin, post=post, version=post.version, title="Spring")
    page = reverse("content:post_detail", args=[ws.pk, blocked_post.pk])
    reader = Client()
    reader.force_login(admin)
    reader.cookies["django_language"] = "zh-hans"
    # when: a reader in Chinese opens it
    html = reader.get(page).content.decode()
    # then: the finding, its severity, the count's unit and the history are in Chinese
    assert "阻止发布" in html and "blocking</span>" not in html
    assert "已修改：标题" in html and "Changed: title" not in html
    assert " 字符" in html and "characters" not in html

"""The media library page (dashboard:media): the grid, upload, alt text and delete through the same
services as the API's media endpoints, with refusals next to their field and nothing written."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from content.models import MediaAsset, PostTargetMedia
from content.tests.factories import MediaAssetFactory, PostTargetFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ws():
    return WorkspaceFactory(timezone="Asia/Shanghai")


def signed_in(client, ws, role=Role.EDITOR, **user):
    person = UserFactory(**user)
    WorkspaceMemberFactory(workspace=ws, role=role, user=person)
    client.force_login(person)
    return person


def png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def page_url(ws) -> str:
    return reverse("dashboard:media", args=[ws.pk])


def test_the_grid_shows_each_file_with_its_facts_in_the_workspace_time_zone(client, ws):
    # given
    uploader = signed_in(client, ws, full_name="Mei Wang")
    asset = MediaAssetFactory(
        workspace=ws, original_name="teapot.jpg", size=2048, width=800, height=600, alt_text="A teapot"
    )
    asset.uploaded_by = uploader
    asset.created_at = datetime(2031, 5, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    asset.save()
    MediaAssetFactory(workspace=WorkspaceFactory(), original_name="not-ours.jpg")
    # when
    response = client.get(page_url(ws))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "teapot.jpg" in html and "not-ours.jpg" not in html
    assert "800 × 600" in html and "2.0\xa0KB" in html and "A teapot" in html
    assert "Uploaded by Mei Wang, 2031-05-01 09:30" in html
    assert ">Image<" in html


def test_the_grid_filters_by_kind(client, ws):
    # given
    signed_in(client, ws, role=Role.VIEWER)
    MediaAssetFactory(workspace=ws, original_name="still.jpg")
    MediaAssetFactory(workspace=ws, original_name="clip.mp4", kind=MediaAsset.Kind.VIDEO, mime="video/mp4")
    # when
    response = client.get(page_url(ws), {"kind": "video"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "clip.mp4" in html and "still.jpg" not in html
    assert 'data-testid="media-upload"' not in html  # a viewer reads, uploads nothing


def test_the_navigation_links_to_the_library(client, ws):
    signed_in(client, ws, role=Role.VIEWER)
    response = client.get(reverse("dashboard:workspace_home", args=[ws.pk]))
    assert page_url(ws) in response.content.decode()


def test_an_upload_stores_the_file_with_its_alt_text_and_an_audit_entry(client, ws):
    # given
    person = signed_in(client, ws)
    # when
    response = client.post(
        page_url(ws),
        {"file": SimpleUploadedFile("cat.png", png(), "image/png"), "alt_text": "A cat on a mat"},
    )
    # then
    assert response.status_code == 302
    asset = MediaAsset.objects.get(workspace=ws)
    assert (asset.kind, asset.width, asset.height, asset.alt_text) == ("image", 64, 48, "A cat on a mat")
    assert asset.uploaded_by == person and asset.thumbnail
    assert AuditEvent.objects.filter(action="media.upload", target_id=str(asset.pk), actor=person).exists()


def test_a_file_that_is_not_what_its_name_says_is_refused_next_to_the_file_field(client, ws):
    # given
    signed_in(client, ws)
    # when
    response = client.post(
        page_url(ws), {"file": SimpleUploadedFile("cat.png", b"GIF89a not really", "image/png")}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_file_error"' in html
    assert not MediaAsset.objects.exists()
    assert not AuditEvent.objects.filter(action="media.upload").exists()


def test_an_image_unsuitable_for_a_chosen_platform_is_refused(client, ws):
    # given: TikTok takes videos only
    signed_in(client, ws)
    # when
    response = client.post(
        page_url(ws), {"file": SimpleUploadedFile("cat.png", png(), "image/png"), "platforms": ["tiktok"]}
    )
    # then
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    assert not MediaAsset.objects.exists()


def test_alt_text_longer_than_the_api_allows_is_refused_next_to_the_field(client, ws):
    # given
    signed_in(client, ws)
    # when
    response = client.post(
        page_url(ws), {"file": SimpleUploadedFile("cat.png", png(), "image/png"), "alt_text": "x" * 1001}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_alt_text_error"' in html and "Use at most 1000 characters." in html
    assert not MediaAsset.objects.exists()


def test_a_viewer_cannot_upload(client, ws):
    signed_in(client, ws, role=Role.VIEWER)
    response = client.post(page_url(ws), {"file": SimpleUploadedFile("cat.png", png(), "image/png")})
    assert response.status_code == 403
    assert not MediaAsset.objects.exists()


def test_another_workspace_is_not_found(client, ws):
    signed_in(client, WorkspaceFactory())
    assert client.get(page_url(ws)).status_code == 404


def test_alt_text_is_saved_with_an_audit_entry(client, ws):
    # given
    person = signed_in(client, ws)
    asset = MediaAssetFactory(workspace=ws, alt_text="")
    # when
    response = client.post(
        reverse("content:media_alt_text", args=[ws.pk, asset.pk]), {"alt_text": "Oolong tea, steaming"}
    )
    # then
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.alt_text == "Oolong tea, steaming"
    event = AuditEvent.objects.get(action="media.update", target_id=str(asset.pk))
    assert event.actor == person and event.after["alt_text"] == "Oolong tea, steaming"


def test_alt_text_too_long_is_shown_under_that_files_field_and_nothing_changes(client, ws):
    # given
    signed_in(client, ws)
    asset = MediaAssetFactory(workspace=ws, alt_text="Before")
    # when
    response = client.post(
        reverse("content:media_alt_text", args=[ws.pk, asset.pk]), {"alt_text": "y" * 1001}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_media{asset.pk}_alt_text_error"' in html
    asset.refresh_from_db()
    assert asset.alt_text == "Before"
    assert not AuditEvent.objects.filter(action="media.update").exists()


def test_alt_text_of_another_workspaces_file_is_not_found(client, ws):
    signed_in(client, ws)
    other = MediaAssetFactory(workspace=WorkspaceFactory(), alt_text="Theirs")
    response = client.post(reverse("content:media_alt_text", args=[ws.pk, other.pk]), {"alt_text": "Mine"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.alt_text == "Theirs"


def test_a_viewer_cannot_change_alt_text(client, ws):
    signed_in(client, ws, role=Role.VIEWER)
    asset = MediaAssetFactory(workspace=ws, alt_text="Before")
    response = client.post(reverse("content:media_alt_text", args=[ws.pk, asset.pk]), {"alt_text": "After"})
    assert response.status_code == 403


def test_a_file_no_post_uses_is_deleted_with_an_audit_entry(client, ws):
    # given
    signed_in(client, ws)
    asset = MediaAssetFactory(workspace=ws)
    # when
    response = client.post(reverse("content:media_delete", args=[ws.pk, asset.pk]))
    # then
    assert response.status_code == 302
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
    assert AuditEvent.objects.filter(action="media.delete", target_id=str(asset.pk)).exists()


def test_a_file_a_post_uses_is_kept_and_the_page_says_why(client, ws):
    # given
    signed_in(client, ws)
    asset = MediaAssetFactory(workspace=ws, original_name="launch.jpg")
    PostTargetMedia.objects.create(target=PostTargetFactory(post__workspace=ws), media=asset)
    # when
    response = client.post(reverse("content:media_delete", args=[ws.pk, asset.pk]), follow=True)
    # then
    html = response.content.decode()
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
    assert (
        "“launch.jpg” was not deleted: This media is used by a post; remove it from the post first." in html
    )
    assert not AuditEvent.objects.filter(action="media.delete").exists()


def test_delete_of_another_workspaces_file_is_not_found(client, ws):
    signed_in(client, ws)
    theirs = MediaAssetFactory(workspace=WorkspaceFactory())
    assert client.post(reverse("content:media_delete", args=[ws.pk, theirs.pk])).status_code == 404
    assert MediaAsset.objects.filter(pk=theirs.pk).exists()


def test_a_viewer_cannot_delete(client, ws):
    signed_in(client, ws, role=Role.VIEWER)
    mine = MediaAssetFactory(workspace=ws)
    assert client.post(reverse("content:media_delete", args=[ws.pk, mine.pk])).status_code == 403
    assert MediaAsset.objects.filter(pk=mine.pk).exists()


def test_a_large_library_comes_in_pages(client, ws):
    # given
    signed_in(client, ws, role=Role.VIEWER)
    MediaAssetFactory.create_batch(49, workspace=ws)
    # when
    first = client.get(page_url(ws)).content.decode()
    second = client.get(page_url(ws), {"page": 2}).content.decode()
    # then
    assert first.count('data-testid="media-card"') == 48 and "Page 1 of 2" in first
    assert second.count('data-testid="media-card"') == 1


def test_the_audit_log_names_media_actions_in_words(client, ws):
    # given
    signed_in(client, ws, role=Role.ADMIN)
    client.post(page_url(ws), {"file": SimpleUploadedFile("cat.png", png(), "image/png")})
    # when
    html = client.get(reverse("dashboard:audit", args=[ws.pk])).content.decode()
    # then
    assert "Media uploaded" in html

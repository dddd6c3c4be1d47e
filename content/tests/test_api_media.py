"""Media uploads: the bytes decide what a file is; a misnamed, too large or unsuitable file is refused
with a clear error and nothing is stored (no row, no file)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import MediaAsset
from content.tests.factories import PostTargetFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

VIDEO = Path(__file__).parent / "media" / "real_h264_aac.mp4"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ws():
    return WorkspaceFactory()


@pytest.fixture
def api(ws, client_for):
    return client_for(WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user)


@pytest.fixture
def url(ws):
    return f"/api/v1/workspaces/{ws.pk}/media/"


def png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_image_is_stored_under_its_workspace_with_a_thumbnail(ws, api, url, media_root):
    # when
    response = api.post(
        url, {"file": upload("cat.png", png(), "image/png"), "alt_text": "A cat"}, format="multipart"
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["mime"], body["width"], body["height"]) == ("image", "image/png", 64, 48)
    asset = MediaAsset.objects.get(pk=body["id"])
    assert asset.file.name.startswith(f"workspaces/{ws.pk}/media/")
    assert asset.thumbnail.name.startswith(f"workspaces/{ws.pk}/media/thumbs/")
    assert len(asset.checksum) == 64 and asset.alt_text == "A cat"
    assert body["suitability"]["tiktok"] and body["suitability"]["weibo"] == []
    assert len(stored_files(media_root)) == 2
    assert AuditEvent.objects.filter(action="media.upload", target_id=str(asset.pk)).exists()


def test_a_video_is_measured(api, url):
    response = api.post(
        url, {"file": upload("clip.mp4", VIDEO.read_bytes(), "video/mp4")}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "video" and body["duration_seconds"] > 0 and body["width"] > 0
    assert body["thumbnail_url"] == ""


@pytest.mark.parametrize(
    ("name", "data", "params", "code"),
    [
        ("photo.jpg", png(), {}, "type_mismatch"),  # a PNG named .jpg
        ("notes.png", b"just some text, not an image", {}, "type_mismatch"),
        ("big.png", png((400, 400)), {"max_bytes": 100}, "too_large"),
        ("cat.png", png(), {"platforms": ["tiktok"]}, "unsuitable"),  # TikTok takes videos only
        ("clip.mp4", VIDEO.read_bytes(), {"platforms": ["weibo"]}, "unsuitable"),
        ("empty.png", b"", {}, "invalid"),  # DRF's own "the submitted file is empty"
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    api, url, media_root, settings, name, data, params, code
):
    # given
    if "max_bytes" in params:
        settings.KAWO_MEDIA_MAX_BYTES = params.pop("max_bytes")
    # when
    response = api.post(url, {"file": upload(name, data), **params}, format="multipart")
    # then
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and "file" in error["fields"]
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []


def test_unsuitable_for_a_chosen_account_names_the_platform(ws, api, url, media_root):
    tiktok = SocialAccountFactory(workspace=ws, platform="tiktok")
    response = api.post(url, {"file": upload("cat.png", png()), "accounts": [tiktok.pk]}, format="multipart")
    assert response.status_code == 400
    assert "TikTok" in response.json()["error"]["message"]
    assert stored_files(media_root) == []


def test_another_workspaces_account_in_an_upload_is_refused(api, url, media_root):
    foreign = SocialAccountFactory(workspace=WorkspaceFactory())
    response = api.post(url, {"file": upload("cat.png", png()), "accounts": [foreign.pk]}, format="multipart")
    assert response.status_code == 400
    assert "accounts" in response.json()["error"]["fields"]
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


def test_list_detail_and_delete(ws, api, url, media_root):
    asset_id = api.post(url, {"file": upload("cat.png", png())}, format="multipart").json()["id"]
    other_ws_asset = MediaAsset.objects.create(
        workspace=WorkspaceFactory(), file="x.png", kind="image", mime="image/png", size=1, checksum="0" * 64
    )
    listed = api.get(url).json()["results"]
    assert [m["id"] for m in listed] == [asset_id]
    assert api.get(f"{url}{other_ws_asset.pk}/").status_code == 404
    assert api.patch(f"{url}{asset_id}/", {"alt_text": "Tabby"}, format="json").json()["alt_text"] == "Tabby"
    # when: it is used by a post, it cannot go
    target = PostTargetFactory(post__workspace=ws)
    target.media_links.create(media_id=asset_id)
    assert api.delete(f"{url}{asset_id}/").status_code == 409
    target.media_links.all().delete()
    assert api.delete(f"{url}{asset_id}/").status_code == 204
    assert not MediaAsset.objects.filter(pk=asset_id).exists()


def test_viewers_cannot_upload(ws, url, client_for):
    viewer = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user)
    response = viewer.post(url, {"file": upload("cat.png", png())}, format="multipart")
    assert response.status_code == 403
    assert MediaAsset.objects.count() == 0


def photo_with_location(fmt="JPEG") -> bytes:
    """A phone photo: orientation and maker tags, and where it was taken (Shanghai)."""
    from content.media_privacy import GPS_IFD

    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt", "mime"),
    [
        ("shop.jpg", "JPEG", "image/jpeg"),
        ("shop.png", "PNG", "image/png"),
        ("shop.webp", "WEBP", "image/webp"),
    ],
)
def test_an_uploaded_photo_loses_where_it_was_taken_and_keeps_the_rest(api, url, name, fmt, mime):
    import hashlib

    from content.media_privacy import has_location

    # given: a photo that names the place it was taken
    data = photo_with_location(fmt)
    assert has_location(data)
    # when
    response = api.post(url, {"file": upload(name, data, mime)}, format="multipart")
    # then: stored without the place; orientation and maker stay; size and checksum are the stored file's
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(pk=response.json()["id"])
    stored = asset.file.read()
    assert not has_location(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.getexif().get(0x010F) == "PhoneMaker" and image.getexif().get(0x0112) == 6
    assert asset.size == len(stored) and asset.checksum == hashlib.sha256(stored).hexdigest()
    if fmt == "JPEG":  # the picture itself is not re-encoded
        assert stored[stored.index(b"\xff\xda") :] == data[data.index(b"\xff\xda") :]


def test_an_image_over_the_image_cap_is_refused_though_under_the_file_cap(api, url, settings, media_root):
    # given: images capped lower than files in general
    settings.KAWO_MEDIA_MAX_IMAGE_BYTES = 1000
    # when
    response = api.post(url, {"file": upload("big.png", png((400, 300)), "image/png")}, format="multipart")
    # then
    assert response.status_code == 400
    assert "images may be at most" in response.json()["error"]["fields"]["file"][0]
    assert stored_files(media_root) == [] and not MediaAsset.objects.exists()

"""Media inspection: the bytes decide what a file is; claims that disagree, damage and excess are refused."""

import io
import struct
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from content.media_inspect import MediaInfo, MediaRejected, inspect_media, inspect_upload, suitability
from core.errors import ValidationFailed

from . import mp4_builder as mp4
from .connectors import ShortTextConnector, VideoConnector

MEDIA = Path(__file__).parent / "media"


def image_bytes(fmt: str, size=(40, 30), color="red", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def animated_gif(frames: int = 3, duration_ms: int = 120) -> bytes:
    colors = ["red", "green", "blue", "yellow", "white"]
    images = [Image.new("RGB", (20, 10), colors[i % len(colors)]) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return buffer.getvalue()


def rejected(source, **kwargs) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        inspect_media(source, **kwargs)
    return caught.value


# --- images ---


@pytest.mark.parametrize(
    ("fmt", "filename", "mime"),
    [
        ("JPEG", "photo.jpg", "image/jpeg"),
        ("JPEG", "photo.JPEG", "image/jpeg"),
        ("PNG", "logo.png", "image/png"),
        ("WEBP", "pic.webp", "image/webp"),
        ("GIF", "still.gif", "image/gif"),
    ],
)
def test_still_images(fmt, filename, mime):
    # given
    data = image_bytes(fmt, size=(40, 30))

    # when
    info = inspect_media(data, filename=filename, declared_type=mime)

    # then
    assert info == MediaInfo(
        kind="image", mime=mime, size=len(data), width=40, height=30, frames=1, filename=filename
    )
    assert not info.animated


def test_animated_gif_counts_frames_and_total_duration():
    # given
    data = animated_gif(frames=4, duration_ms=120)

    # when
    info = inspect_media(data, filename="loop.gif", declared_type="image/gif")

    # then
    assert (info.kind, info.mime, info.frames, info.duration_seconds) == ("image", "image/gif", 4, 0.48)
    assert (info.width, info.height) == (20, 10)
    assert info.animated
    assert info.to_dict()["animated"] is True


def test_the_format_comes_from_the_content_not_the_name():
    # given: a PNG without a name or declared type
    data = image_bytes("PNG")

    # when
    info = inspect_media(data)

    # then
    assert info.mime == "image/png"
    assert info.filename == ""


@pytest.mark.parametrize(
    ("fmt", "filename", "declared"),
    [
        ("PNG", "photo.jpg", ""),
        ("JPEG", "photo.gif", "image/gif"),
        ("JPEG", "clip.mp4", ""),
        ("PNG", "", "image/jpeg"),
        ("JPEG", "photo.jpg", "video/mp4"),
        ("JPEG", "photo.jpg", "text/html"),
    ],
)
def test_content_that_disagrees_with_the_name_or_declared_type_is_rejected(fmt, filename, declared):
    # given
    data = image_bytes(fmt)

    # when
    error = rejected(data, filename=filename, declared_type=declared)

    # then
    assert error.code == "type_mismatch"
    assert "image/" in error.message


def test_something_that_is_no_media_at_all_but_claims_to_be_is_a_mismatch():
    # given
    data = b"<html><script>alert(1)</script></html>"

    # when
    named = rejected(data, filename="cat.jpg")
    unnamed = rejected(data)

    # then
    assert named.code == "type_mismatch"
    assert "image/jpeg" in named.message
    assert unnamed.code == "unsupported_type"


@pytest.mark.parametrize(
    "declared", ["image/jpg", "image/pjpeg", "application/octet-stream", "image/jpeg; q=1"]
)
def test_declared_type_aliases_and_uninformative_types_are_accepted(declared):
    # given / when
    info = inspect_media(image_bytes("JPEG"), filename="a.jpg", declared_type=declared)

    # then
    assert info.mime == "image/jpeg"


def test_unsupported_extension_is_rejected_before_reading():
    # given / when
    error = rejected(image_bytes("JPEG"), filename="IMG_0001.HEIC")

    # then
    assert error.code == "unsupported_extension"
    assert ".heic" in error.message


def test_image_formats_we_do_not_take_are_rejected():
    # given: a real BMP, without a name to blame
    data = image_bytes("BMP")

    # when
    error = rejected(data)

    # then
    assert error.code == "unsupported_type"
    assert "BMP" in error.message


def test_truncated_image_is_corrupt():
    # given
    data = image_bytes("PNG", size=(64, 64), color=(10, 20, 30))
    data = data[: len(data) - 30]

    # when
    error = rejected(data, filename="cut.png")

    # then
    assert error.code == "corrupt"


def test_too_many_pixels_is_rejected():
    # given
    data = image_bytes("PNG", size=(200, 100))

    # when
    error = rejected(data, filename="big.png", max_pixels=19_999)

    # then
    assert error.code == "too_many_pixels"
    assert "200×100" in error.message


def test_empty_and_too_large_files_are_rejected():
    # given
    data = image_bytes("JPEG")

    # when
    empty = rejected(b"", filename="a.jpg")
    too_large = rejected(data, filename="a.jpg", max_bytes=len(data) - 1)

    # then
    assert empty.code == "empty"
    assert too_large.code == "too_large"
    assert inspect_media(data, filename="a.jpg", max_bytes=len(data)).size == len(data)


def test_rejections_are_validation_errors_on_the_file_field():
    # given / when
    error = rejected(b"", filename="a.jpg")

    # then: the API renders it as a 400 with the code
    assert isinstance(error, ValidationFailed)
    assert error.status_code == 400
    assert error.fields == {"file": [error.message]}


def test_file_objects_paths_and_uploads(tmp_path):
    # given
    data = image_bytes("PNG")
    path = tmp_path / "logo.png"
    path.write_bytes(data)
    handle = io.BytesIO(data)
    handle.seek(5)
    upload = SimpleUploadedFile("logo.png", data, content_type="image/png")

    # when
    from_path = inspect_media(path)
    from_handle = inspect_media(handle, filename="logo.png")
    from_upload = inspect_upload(upload)

    # then
    assert from_path == from_handle == from_upload
    assert from_path.filename == "logo.png"
    assert handle.tell() == 0  # left at its start, ready to be stored
    assert upload.tell() == 0


def test_an_upload_whose_declared_type_lies_is_rejected():
    # given
    upload = SimpleUploadedFile("logo.png", image_bytes("PNG"), content_type="video/mp4")

    # when
    with pytest.raises(MediaRejected) as caught:
        inspect_upload(upload)

    # then
    assert caught.value.code == "type_mismatch"


# --- MP4 / MOV ---


def test_mp4_dimensions_duration_and_frames():
    # given
    data = mp4.movie(timescale=1000, duration=2500, tracks=(mp4.trak(width=1280, height=720, frames=75),))

    # when
    info = inspect_media(data, filename="clip.mp4", declared_type="video/mp4")

    # then
    assert info == MediaInfo(
        kind="video",
        mime="video/mp4",
        size=len(data),
        width=1280,
        height=720,
        duration_seconds=2.5,
        frames=75,
        filename="clip.mp4",
    )


def test_quicktime_brand_is_a_mov_and_mp4_and_mov_names_are_interchangeable():
    # given
    data = mp4.movie(major="qt  ")

    # when
    as_mov = inspect_media(data, filename="IMG_0001.MOV", declared_type="video/quicktime")
    named_mp4 = inspect_media(data, filename="IMG_0001.mp4")

    # then
    assert as_mov.mime == named_mp4.mime == "video/quicktime"


def test_classic_quicktime_without_ftyp():
    # given
    data = mp4.movie(with_ftyp=False)

    # when
    info = inspect_media(data, filename="old.mov")

    # then
    assert (info.mime, info.width, info.duration_seconds) == ("video/quicktime", 640, 2.5)


def test_index_after_the_media_data_and_a_64_bit_box_size():
    # given: moov at the end (not "fast start"), mdat with a 64-bit size
    data = mp4.movie(moov_first=False, large_mdat=True, mdat_bytes=100_000)

    # when
    info = inspect_media(data, filename="clip.mp4")

    # then
    assert (info.width, info.height, info.duration_seconds, info.frames) == (640, 360, 2.5, 75)


def test_version_1_headers_with_64_bit_durations():
    # given: a duration that only fits in 64 bits (about 11 hours at 1/10^6 s)
    duration = 40_000_000_000
    track = mp4.trak(version=1, timescale=1_000_000, duration=duration, frames=10)
    data = mp4.movie(version=1, timescale=1_000_000, duration=duration, tracks=(track,))

    # when
    info = inspect_media(data)

    # then
    assert info.duration_seconds == 40_000.0


def test_portrait_phone_video_reports_its_displayed_size():
    # given: stored 1920x1080 with a 90° rotation matrix, as phones record portrait video
    data = mp4.movie(tracks=(mp4.trak(width=1920, height=1080, matrix=mp4.ROTATE_90, frames=30),))

    # when
    info = inspect_media(data)

    # then
    assert (info.width, info.height) == (1080, 1920)


def test_the_video_track_is_found_after_an_audio_track():
    # given
    audio = mp4.trak(handler="soun", width=0, height=0, frames=100)
    video = mp4.trak(width=720, height=1280, frames=60, compact_sizes=True)
    data = mp4.movie(tracks=(audio, video))

    # when
    info = inspect_media(data)

    # then
    assert (info.width, info.height, info.frames) == (720, 1280, 60)


def test_coded_size_is_used_when_the_track_header_has_none():
    # given
    data = mp4.movie(tracks=(mp4.trak(width=0, height=0, coded=(320, 240), frames=5),))

    # when
    info = inspect_media(data)

    # then
    assert (info.width, info.height) == (320, 240)


def test_fragmented_mp4_takes_its_duration_from_the_movie_extends_header():
    # given: mvhd duration 0, as fragmented MP4 writers do
    data = mp4.movie(duration=0, fragment_duration=7250)

    # when
    info = inspect_media(data)

    # then
    assert info.duration_seconds == 7.25


def test_track_duration_is_used_when_the_movie_header_has_none():
    # given
    data = mp4.movie(duration=0, tracks=(mp4.trak(timescale=12800, duration=38400, frames=90),))

    # when
    info = inspect_media(data)

    # then
    assert info.duration_seconds == 3.0


def test_audio_only_file_is_not_a_video():
    # given
    data = mp4.movie(major="M4A ", tracks=(mp4.trak(handler="soun", width=0, height=0),))

    # when
    error = rejected(data, filename="song.mp4")

    # then
    assert error.code == "unsupported_type"
    assert "no video track" in error.message


def test_heic_photo_is_refused_with_advice():
    # given: a HEIF container's opening
    data = mp4.ftyp("heic", ("mif1", "heic")) + mp4.box("meta", bytes(64))

    # when
    error = rejected(data)

    # then
    assert error.code == "unsupported_type"
    assert "JPEG" in error.message


@pytest.mark.parametrize("cut", [10, 1000, 4000])
def test_truncated_upload_is_corrupt(cut):
    # given: the last `cut` bytes never arrived
    data = mp4.movie(moov_first=False)

    # when
    error = rejected(data[:-cut], filename="clip.mp4")

    # then
    assert error.code == "corrupt"


def test_impossible_box_size_is_corrupt():
    # given: the mvhd box claims 4 bytes, less than its own header
    data = bytearray(mp4.movie())
    at = data.index(b"mvhd") - 4
    data[at : at + 4] = struct.pack(">I", 4)

    # when
    error = rejected(bytes(data))

    # then
    assert error.code == "corrupt"
    assert "mvhd" in error.message


def test_video_without_its_index_is_corrupt():
    # given
    data = mp4.ftyp() + mp4.box("mdat", bytes(100))

    # when
    error = rejected(data, filename="clip.mp4")

    # then
    assert error.code == "corrupt"
    assert "moov" in error.message


def test_mp4_content_named_as_an_image_is_a_mismatch():
    # given / when
    error = rejected(mp4.movie(), filename="photo.jpg", declared_type="image/jpeg")

    # then
    assert error.code == "type_mismatch"
    assert "video/mp4" in error.message


def test_files_written_by_ffmpeg():
    # given: real H.264 files (see media/README.md)
    # when
    with_audio = inspect_media(MEDIA / "real_h264_aac.mp4")
    mov = inspect_media(MEDIA / "real_h264.mov")

    # then
    assert with_audio == MediaInfo(
        kind="video",
        mime="video/mp4",
        size=(MEDIA / "real_h264_aac.mp4").stat().st_size,
        width=32,
        height=24,
        duration_seconds=0.5,
        frames=5,
        filename="real_h264_aac.mp4",
    )
    assert (mov.mime, mov.width, mov.height, mov.duration_seconds, mov.frames) == (
        "video/quicktime",
        32,
        24,
        0.5,
        5,
    )


# --- suitability ---


def test_suitability_uses_each_platforms_media_limits():
    # given
    connectors = {"shorttext": ShortTextConnector, "videoland": VideoConnector}
    video = MediaInfo("video", "video/mp4", 12 * 1024 * 1024, 1080, 1920, 30.0, 900)
    big_image = MediaInfo("image", "image/jpeg", 3 * 1024 * 1024, 4000, 3000, frames=1)
    gif = MediaInfo("image", "image/gif", 500_000, 200, 200, 2.0, 20)

    # when
    for_video = suitability(video, ["shorttext", "videoland", "weibo"], connectors=connectors)
    for_image = suitability(big_image, ["shorttext", "videoland"], connectors=connectors)
    for_gif = suitability(gif, ["shorttext", "videoland"], connectors=connectors)

    # then (filesizeformat puts a no-break space before the unit)
    assert for_video == {
        "shorttext": ["ShortText does not accept videos."],
        "videoland": ["VideoLand accepts videos up to 10.0\xa0MB; this one is 12.0\xa0MB."],
        "weibo": [],  # no connector: nothing known
    }
    assert for_image == {
        "shorttext": ["ShortText accepts images up to 1.0\xa0MB; this one is 3.0\xa0MB."],
        "videoland": ["VideoLand accepts images up to 2.0\xa0MB; this one is 3.0\xa0MB."],
    }
    assert for_gif == {"shorttext": ["ShortText does not accept animated images."], "videoland": []}


def test_suitability_of_an_inspected_file_that_fits():
    # given
    info = inspect_media(image_bytes("JPEG"), filename="a.jpg")

    # when
    result = suitability(info, ["shorttext"], connectors={"shorttext": ShortTextConnector})

    # then
    assert result == {"shorttext": []}


def test_a_truncated_image_is_refused_even_after_weasyprint_turned_pillows_leniency_on():
    # given: what importing WeasyPrint does to the whole process (the PDF export imports it)
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    data = image_bytes("PNG", size=(64, 64), color=(10, 20, 30))
    try:
        # when
        error = rejected(data[: len(data) - 30], filename="cut.png")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    # then
    assert error.code == "corrupt"

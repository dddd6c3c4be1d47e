"""Damaged uploads: whatever the bytes, inspection answers with MediaInfo or MediaRejected, never a crash."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from content.media_inspect import MediaInfo, MediaRejected, inspect_media

from . import mp4_builder as mp4

VALID_MP4 = mp4.movie(
    tracks=(mp4.trak(handler="soun", width=0, height=0, frames=3), mp4.trak(frames=5)),
    mdat_bytes=256,
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "PNG")
    return buffer.getvalue()


VALID_PNG = _png()


def inspect_or_reject(data: bytes):
    try:
        return inspect_media(data)
    except MediaRejected as rejected:
        return rejected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_mp4_bytes_never_crash(data):
    # given: a valid MP4 with some bytes overwritten and maybe cut short
    damaged = bytearray(VALID_MP4)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    damaged = bytes(damaged[: data.draw(st.integers(8, len(damaged)))])

    # when
    result = inspect_or_reject(damaged)

    # then
    assert isinstance(result, MediaInfo | MediaRejected)
    if isinstance(result, MediaInfo):
        assert result.kind == "video" and result.size == len(damaged)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_corrupted_png_bytes_never_crash(data):
    # given
    damaged = bytearray(VALID_PNG)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))

    # when
    result = inspect_or_reject(bytes(damaged))

    # then
    assert isinstance(result, MediaInfo | MediaRejected)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_random_bytes_never_crash(blob):
    # given / when
    result = inspect_or_reject(blob)

    # then: random bytes are practically never a readable image or video
    assert isinstance(result, MediaInfo | MediaRejected)

"""Where a photo was taken stays with the person who took it: uploads lose their GPS metadata.

Phones write the place into a JPEG's EXIF (the GPS IFD, tag 0x8825). Published as is, a brand's photo of
an office, a shop or someone's home tells every follower where it was taken. `without_location` returns
the bytes to store:

- JPEG: the EXIF block is rewritten without its GPS IFD and spliced back in place of the old one, so the
  picture itself is not re-encoded (no quality lost) and the orientation and camera tags stay;
- PNG and WebP carrying EXIF with a GPS IFD: re-saved without it (PNG losslessly; WebP losslessly too,
  which may make the file larger, but never leaks the place);
- anything else (no EXIF, no GPS, GIF, video) is returned untouched.

Videos keep their metadata: MP4 location atoms (©xyz) are rarer and would need a remux; noted in the
content README.
"""

from __future__ import annotations

import io
import struct

from PIL import Image

GPS_IFD = 0x8825
EXIF_HEADER = b"Exif\x00\x00"


def without_location(data: bytes, mime: str) -> bytes:
    """The file's bytes without GPS metadata (see the module's docstring); `data` itself if it has none."""
    if mime == "image/jpeg":
        return _jpeg_without_gps(data)
    if mime in ("image/png", "image/webp"):
        return _resaved_without_gps(data, "PNG" if mime == "image/png" else "WEBP")
    return data


def has_location(data: bytes) -> bool:
    """Whether the image's EXIF names a place (a GPS IFD with any entry)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return bool(image.getexif().get_ifd(GPS_IFD))
    except Exception:  # not an image Pillow reads: nothing to say about it
        return False


def _exif_without_gps(payload: bytes) -> bytes | None:
    """A TIFF-structured EXIF payload (after "Exif\\0\\0") without its GPS IFD; None if it had none."""
    exif = Image.Exif()
    exif.load(payload)
    if GPS_IFD not in exif:
        return None
    del exif[GPS_IFD]
    return exif.tobytes()


def _jpeg_without_gps(data: bytes) -> bytes:
    """Walk the JPEG's segments up to the image data; rewrite the APP1 EXIF segment without GPS."""
    if not data.startswith(b"\xff\xd8"):
        return data
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data  # not a marker where one must be: leave the file as it is
        marker = data[position + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan / end of image: no more metadata segments
            return data
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment_end = position + 2 + length
        payload = data[position + 4 : segment_end]
        if marker == 0xE1 and payload.startswith(EXIF_HEADER):
            rewritten = _exif_without_gps(payload[len(EXIF_HEADER) :])
            if rewritten is None:
                return data
            new_payload = EXIF_HEADER + rewritten
            if len(new_payload) + 2 > 0xFFFF:
                return _resaved_without_gps(data, "JPEG")
            segment = b"\xff\xe1" + struct.pack(">H", len(new_payload) + 2) + new_payload
            return data[:position] + segment + data[segment_end:]
        position = segment_end
    return data


def _resaved_without_gps(data: bytes, fmt: str) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if not exif.get_ifd(GPS_IFD):
            return data
        del exif[GPS_IFD]
        out = io.BytesIO()
        options: dict = {"exif": exif.tobytes()}
        if fmt == "WEBP":
            options["lossless"] = True
        elif fmt == "JPEG":
            options.update(quality="keep" if image.format == "JPEG" else 95)
        frames = getattr(image, "n_frames", 1)
        if frames > 1 and fmt in ("PNG", "WEBP"):
            options.update(save_all=True)
        image.save(out, fmt, **options)
        return out.getvalue()

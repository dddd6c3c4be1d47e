"""Inspect an uploaded media file from its bytes: what it really is, its size, dimensions and duration.

The file name and the type the browser declared are claims; the bytes decide. Images are read with Pillow
(JPEG, PNG, GIF, WebP; animated GIF/WebP/PNG frames counted). Videos are MP4 and QuickTime (MOV), both ISO
base media files (ISO/IEC 14496-12): a sequence of boxes (size, type, payload). They are read here from the
boxes themselves, without a native library: `ftyp` (brands), then inside `moov`: `mvhd` (timescale,
duration), each `trak`'s `tkhd` (width, height, rotation matrix), `mdia/hdlr` (which track is video),
`mdia/mdhd` and `mdia/minf/stbl/stsz` (frame count) and `stsd` (coded size, when `tkhd` says 0). Only
`moov` is read into memory (at most MAX_MOOV_BYTES); `mdat` and the rest are skipped by seeking, so a 500 MB
upload costs a few reads. Every box's size is checked against its parent and the file, so a truncated
upload is reported as such instead of being half-read.

Why no PyPI library: `pymediainfo` needs the native MediaInfo library, `hachoir` is GPL-2.0 (this project is
AGPL-3.0-or-later) and `pymp4` pins construct==2.8.8 from 2016. The boxes needed here are few and fixed.

A file is rejected with MediaRejected (a ValidationFailed, so the API answers 400 with its code) when it is
empty, larger than `max_bytes`, of a kind we don't take, different from its extension or declared type,
over `max_pixels`, or damaged.
"""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any, BinaryIO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, UnidentifiedImageError

from core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's own decompression-bomb threshold (about 9459 x 9459)
MAX_MOOV_BYTES = 64 * 1024 * 1024  # the index of a multi-hour video is a few MB

# Pillow format -> MIME type (MPO is a camera JPEG carrying a second, preview picture).
IMAGE_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
MP4 = "video/mp4"
QUICKTIME = "video/quicktime"

# What each accepted extension claims.
EXTENSION_MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".jfif": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": MP4,
    ".m4v": MP4,
    ".mov": QUICKTIME,
    ".qt": QUICKTIME,
}
MIME_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "video/x-m4v": MP4,
    "video/mov": QUICKTIME,
}
# Declared types that say nothing (browsers send them for files they don't know).
UNINFORMATIVE_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# MP4 and MOV are the same container family; phones and editors mix the names up, platforms take both.
_SAME_FAMILY = [{MP4, QUICKTIME}]

# First box types of a QuickTime file written without `ftyp` (older Apple software).
_QUICKTIME_FIRST_BOXES = {"moov", "mdat", "wide", "free", "skip", "pnot"}
# ISO BMFF brands of still images (HEIF / AVIF): same container, not a video.
_IMAGE_BRANDS = {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"}


class MediaRejected(ValidationFailed):
    """An upload we won't take. `code`: empty, too_large, unsupported_extension, unsupported_type,
    type_mismatch, too_many_pixels, corrupt."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code, field="file")


@dataclass(frozen=True)
class MediaInfo:
    """What a file really is. `kind` is "image" (animated GIFs too: see `animated`) or "video".

    `frames`: an image's frame count (1 for a still), a video's frame count from its sample table (None
    when the file doesn't say). `duration_seconds`: a video's, or an animated image's total frame time.
    `width`/`height` are the displayed size (a phone's portrait video is stored landscape with a rotation:
    reported portrait). `filename`, `url` and `alt_text` are for the caller to fill (connectors read them).
    """

    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    duration_seconds: float | None = None
    frames: int | None = None
    filename: str = ""
    url: str = ""
    alt_text: str = ""  # the asset's, for platform rules that read it (Bluesky warns without)

    @property
    def animated(self) -> bool:
        return self.kind == "image" and (self.frames or 1) > 1

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "animated": self.animated}


# --- entry points ---


def inspect_media(
    source: bytes | bytearray | BinaryIO | str | os.PathLike,
    *,
    filename: str = "",
    declared_type: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> MediaInfo:
    """Inspect `source` (bytes, a binary file object or a path) and return its MediaInfo.

    `filename` (its extension) and `declared_type` (the Content-Type the client sent) are checked against
    the content. A file object is read from its start and left at its start.
    """
    if isinstance(source, bytes | bytearray):
        return _inspect_file(
            io.BytesIO(bytes(source)), filename, declared_type, max_bytes=max_bytes, max_pixels=max_pixels
        )
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return _inspect_file(
                handle,
                filename or PurePath(source).name,
                declared_type,
                max_bytes=max_bytes,
                max_pixels=max_pixels,
            )
    try:
        return _inspect_file(source, filename, declared_type, max_bytes=max_bytes, max_pixels=max_pixels)
    finally:
        source.seek(0)


def _load_strictly(image) -> None:
    """`image.load()` with Pillow's LOAD_TRUNCATED_IMAGES off whatever another library set it to
    (WeasyPrint turns it on for the whole process when it is imported, which would let a cut-off upload
    through as a valid image)."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def inspect_upload(
    upload: Any, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> MediaInfo:
    """inspect_media for a Django UploadedFile: its `name` and `content_type` are the claims checked."""
    return inspect_media(
        upload,
        filename=upload.name or "",
        declared_type=upload.content_type or "",
        max_bytes=max_bytes,
        max_pixels=max_pixels,
    )


def _inspect_file(
    handle: BinaryIO, filename: str, declared_type: str, *, max_bytes: int, max_pixels: int
) -> MediaInfo:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        raise MediaRejected(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise MediaRejected(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    extension = PurePath(filename).suffix.lower() if filename else ""
    if extension and extension not in EXTENSION_MIME:
        raise MediaRejected(
            _("Files of type %(extension)s are not supported: upload JPEG, PNG, GIF, WebP, MP4 or MOV.")
            % {"extension": extension},
            code="unsupported_extension",
        )
    head = handle.read(16)
    handle.seek(0)
    try:
        if _looks_like_isobmff(head):
            info = _inspect_isobmff(handle, size)
        else:
            info = _inspect_image(handle, size, max_pixels=max_pixels)
    except MediaRejected as rejected:
        claimed = EXTENSION_MIME.get(extension) or _declared(declared_type)
        if rejected.code == "unrecognised" and claimed:
            raise MediaRejected(
                _("The file claims to be %(claimed)s but its content is not an image or video we can read.")
                % {"claimed": claimed},
                code="type_mismatch",
            ) from None
        if rejected.code == "unrecognised":
            raise MediaRejected(str(rejected.message), code="unsupported_type") from None
        raise
    _check_claims(info.mime, extension, declared_type)
    return dataclasses.replace(info, filename=PurePath(filename).name if filename else "")


def _declared(declared_type: str) -> str:
    """The declared MIME type, normalised; "" when it says nothing."""
    declared = declared_type.split(";")[0].strip().lower()
    if declared in UNINFORMATIVE_TYPES:
        return ""
    return MIME_ALIASES.get(declared, declared)


def _check_claims(mime: str, extension: str, declared_type: str) -> None:
    if extension and not _compatible(mime, EXTENSION_MIME[extension]):
        raise MediaRejected(
            _("The file is named %(extension)s but its content is %(actual)s.")
            % {"extension": extension, "actual": mime},
            code="type_mismatch",
        )
    declared = _declared(declared_type)
    if declared and not _compatible(mime, declared):
        raise MediaRejected(
            _("The file was sent as %(declared)s but its content is %(actual)s.")
            % {"declared": declared, "actual": mime},
            code="type_mismatch",
        )


def _compatible(actual: str, claimed: str) -> bool:
    return actual == claimed or any(actual in family and claimed in family for family in _SAME_FAMILY)


# --- images ---


def _inspect_image(handle: BinaryIO, size: int, *, max_pixels: int) -> MediaInfo:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(handle) as image:
                mime = IMAGE_FORMATS.get(image.format or "")
                if mime is None:
                    raise MediaRejected(
                        _("%(format)s images are not supported: upload JPEG, PNG, GIF or WebP.")
                        % {"format": image.format},
                        code="unsupported_type",
                    )
                width, height = image.size
                _check_pixels(width, height, max_pixels)
                frames = getattr(image, "n_frames", 1) if image.format != "MPO" else 1
                duration = None
                if frames > 1:
                    total_ms = 0
                    for index in range(frames):
                        image.seek(index)
                        total_ms += int(image.info.get("duration") or 0)
                    duration = total_ms / 1000
                    image.seek(0)
                if image.format in ("JPEG", "MPO"):
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # decode at 1/8: cheap
                _load_strictly(image)  # decodes the (first) frame: a truncated or damaged file fails here
        except MediaRejected:
            raise
        except Image.DecompressionBombError:
            raise MediaRejected(
                _("The image has too many pixels (the limit is %(limit)s).") % {"limit": max_pixels},
                code="too_many_pixels",
            ) from None
        except UnidentifiedImageError:
            raise MediaRejected(
                _("This is not an image or video we can read: upload JPEG, PNG, GIF, WebP, MP4 or MOV."),
                code="unrecognised",  # turned into unsupported_type or type_mismatch by the caller
            ) from None
        except Exception as error:  # Pillow's decoders raise many exception types on malformed input
            raise MediaRejected(
                _("The image is damaged or incomplete (%(error)s).") % {"error": error}, code="corrupt"
            ) from None
    return MediaInfo(
        kind="image",
        mime=mime,
        size=size,
        width=width,
        height=height,
        duration_seconds=duration,
        frames=frames,
    )


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise MediaRejected(
            _("The image is %(width)s×%(height)s pixels; the limit is %(limit)s pixels.")
            % {"width": width, "height": height, "limit": max_pixels},
            code="too_many_pixels",
        )


# --- ISO base media files (MP4, MOV) ---


class _Corrupt(Exception):
    pass


@dataclass(frozen=True)
class _Box:
    type: str
    start: int  # offset of the box's header
    payload: int  # offset of the payload
    end: int


def _looks_like_isobmff(head: bytes) -> bool:
    if len(head) < 8:
        return False
    box_type = head[4:8].decode("latin-1")
    return box_type == "ftyp" or box_type in _QUICKTIME_FIRST_BOXES


def _boxes(handle: BinaryIO, start: int, end: int) -> Iterator[_Box]:
    """The boxes between `start` and `end`, each checked to lie inside them."""
    position = start
    while position < end:
        if end - position < 8:
            if position == start or any(handle_read(handle, position, end - position)):
                raise _Corrupt(f"{end - position} stray bytes at offset {position}")
            return  # zero padding after the last box
        size, raw_type = struct.unpack(">I4s", handle_read(handle, position, 8))
        header = 8
        if size == 1:  # 64-bit size follows the type
            if end - position < 16:
                raise _Corrupt(f"box header cut off at offset {position}")
            (size,) = struct.unpack(">Q", handle_read(handle, position + 8, 8))
            header = 16
        elif size == 0:  # runs to the end of its parent (the file)
            size = end - position
        box_type = raw_type.decode("latin-1")
        if box_type == "uuid":
            header += 16
        if size < header:
            raise _Corrupt(f"box {box_type!r} at offset {position} has an impossible size {size}")
        if position + size > end:
            raise _Corrupt(
                f"box {box_type!r} at offset {position} needs {size} bytes, only {end - position} remain"
            )
        yield _Box(type=box_type, start=position, payload=position + header, end=position + size)
        position += size


def handle_read(handle: BinaryIO, offset: int, length: int) -> bytes:
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length:
        raise _Corrupt(f"expected {length} bytes at offset {offset}, got {len(data)}")
    return data


def _children(data: BinaryIO, box: _Box) -> dict[str, list[_Box]]:
    found: dict[str, list[_Box]] = {}
    for child in _boxes(data, box.payload, box.end):
        found.setdefault(child.type, []).append(child)
    return found


def _first(children: Mapping[str, list[_Box]], box_type: str) -> _Box | None:
    boxes = children.get(box_type)
    return boxes[0] if boxes else None


def _payload(data: BinaryIO, box: _Box) -> bytes:
    return handle_read(data, box.payload, box.end - box.payload)


def _inspect_isobmff(handle: BinaryIO, size: int) -> MediaInfo:
    try:
        top = list(_boxes(handle, 0, size))  # checks every top-level box fits: catches truncated uploads
        brands = _brands(handle, top[0]) if top and top[0].type == "ftyp" else None
        if brands is not None and brands[0] in _IMAGE_BRANDS:
            raise MediaRejected(
                _("HEIC/AVIF images are not supported: export the photo as JPEG or PNG."),
                code="unsupported_type",
            )
        moov = next((box for box in top if box.type == "moov"), None)
        if moov is None:
            raise _Corrupt("no 'moov' box (the video's index)")
        if moov.end - moov.start > MAX_MOOV_BYTES:
            raise _Corrupt(f"'moov' box of {moov.end - moov.start} bytes")
        data = io.BytesIO(handle_read(handle, moov.start, moov.end - moov.start))
        movie = _read_movie(data, _Box("moov", 0, moov.payload - moov.start, moov.end - moov.start))
    except _Corrupt as error:
        raise MediaRejected(
            _("The video is damaged or incomplete (%(error)s).") % {"error": error}, code="corrupt"
        ) from None
    except struct.error as error:
        raise MediaRejected(
            _("The video is damaged or incomplete (%(error)s).") % {"error": error}, code="corrupt"
        ) from None
    if movie is None:
        raise MediaRejected(_("The file has no video track."), code="unsupported_type")
    width, height, duration, frames = movie
    quicktime = brands is None or brands[0] == "qt  "
    return MediaInfo(
        kind="video",
        mime=QUICKTIME if quicktime else MP4,
        size=size,
        width=width,
        height=height,
        duration_seconds=duration,
        frames=frames,
    )


def _brands(handle: BinaryIO, ftyp: _Box) -> list[str]:
    payload = _payload(handle, ftyp)
    if len(payload) < 8:
        raise _Corrupt("'ftyp' box too short")
    major = payload[0:4].decode("latin-1")
    compatible = [payload[i : i + 4].decode("latin-1") for i in range(8, len(payload) - 3, 4)]
    return [major, *compatible]


def _full_box(data: BinaryIO, box: _Box, minimum: int) -> tuple[int, bytes]:
    """(version, payload after version and flags) of a "full box", checked to be long enough."""
    payload = _payload(data, box)
    if len(payload) < 4 + minimum:
        raise _Corrupt(f"'{box.type}' box too short")
    return payload[0], payload[4:]


def _version_of(data: BinaryIO, box: _Box) -> int:
    return handle_read(data, box.payload, 1)[0] if box.end > box.payload else 0


def _time_header(data: BinaryIO, box: _Box) -> tuple[int, int]:
    """(timescale, duration) of an `mvhd` or `mdhd` box."""
    version, body = _full_box(data, box, 20)
    if version == 1:
        if len(body) < 28:
            raise _Corrupt(f"'{box.type}' box too short")
        timescale, duration = struct.unpack(">IQ", body[16:28])
        unknown = 0xFFFFFFFFFFFFFFFF
    else:
        timescale, duration = struct.unpack(">II", body[8:16])
        unknown = 0xFFFFFFFF
    return timescale, (0 if duration == unknown else duration)


def _seconds(timescale: int, duration: int) -> float | None:
    if timescale <= 0 or duration <= 0:
        return None
    return round(duration / timescale, 3)


def _read_movie(data: BinaryIO, moov: _Box) -> tuple[int | None, int | None, float | None, int | None] | None:
    """(width, height, duration_seconds, frames) of the first video track; None when there is none."""
    children = _children(data, moov)
    mvhd = _first(children, "mvhd")
    if mvhd is None:
        raise _Corrupt("no 'mvhd' box")
    timescale, duration = _time_header(data, mvhd)
    seconds = _seconds(timescale, duration)
    if seconds is None:  # fragmented MP4: the movie header says 0, `mvex/mehd` has the total
        mvex = _first(children, "mvex")
        mehd = _first(_children(data, mvex), "mehd") if mvex else None
        if mehd is not None:
            version, body = _full_box(data, mehd, 8 if _version_of(data, mehd) == 1 else 4)
            (fragment,) = struct.unpack(">Q", body[:8]) if version == 1 else struct.unpack(">I", body[:4])
            seconds = _seconds(timescale, fragment)
    for trak in children.get("trak", []):
        track = _read_video_track(data, trak)
        if track is None:
            continue
        width, height, track_seconds, frames = track
        return width, height, seconds if seconds is not None else track_seconds, frames
    return None


def _read_video_track(
    data: BinaryIO, trak: _Box
) -> tuple[int | None, int | None, float | None, int | None] | None:
    children = _children(data, trak)
    mdia = _first(children, "mdia")
    if mdia is None:
        return None
    media = _children(data, mdia)
    hdlr = _first(media, "hdlr")
    if hdlr is None:
        return None
    _version, body = _full_box(data, hdlr, 8)
    if body[4:8] != b"vide":
        return None

    width = height = None
    tkhd = _first(children, "tkhd")
    if tkhd is not None:
        width, height = _display_size(data, tkhd)
    track_seconds = None
    mdhd = _first(media, "mdhd")
    if mdhd is not None:
        track_seconds = _seconds(*_time_header(data, mdhd))
    frames = None
    minf = _first(media, "minf")
    stbl = _first(_children(data, minf), "stbl") if minf else None
    if stbl is not None:
        table = _children(data, stbl)
        frames = _sample_count(data, table)
        if not width or not height:
            width, height = _coded_size(data, table) or (width, height)
    return width or None, height or None, track_seconds, frames


def _display_size(data: BinaryIO, tkhd: _Box) -> tuple[int, int]:
    """Width and height from `tkhd` (16.16 fixed point), swapped when the matrix turns the picture 90°."""
    version, body = _full_box(data, tkhd, 80)
    offset = 32 if version == 1 else 20  # times, track id, reserved, duration
    offset += 8 + 2 + 2 + 2 + 2  # reserved, layer, alternate group, volume, reserved
    if len(body) < offset + 36 + 8:
        raise _Corrupt("'tkhd' box too short")
    a, b, _u, c, d = struct.unpack(">iiiii", body[offset : offset + 20])
    raw_width, raw_height = struct.unpack(">II", body[offset + 36 : offset + 44])
    width, height = round(raw_width / 65536), round(raw_height / 65536)
    if a == 0 and d == 0 and b != 0 and c != 0:  # rotation by 90° or 270°
        return height, width
    return width, height


def _sample_count(data: BinaryIO, table: Mapping[str, list[_Box]]) -> int | None:
    stsz = _first(table, "stsz")
    if stsz is not None:
        _version, body = _full_box(data, stsz, 8)
        return struct.unpack(">I", body[4:8])[0] or None
    stz2 = _first(table, "stz2")
    if stz2 is not None:
        _version, body = _full_box(data, stz2, 8)
        return struct.unpack(">I", body[4:8])[0] or None
    return None


def _coded_size(data: BinaryIO, table: Mapping[str, list[_Box]]) -> tuple[int, int] | None:
    """Width and height of the first visual sample entry in `stsd` (e.g. `avc1`, `hvc1`)."""
    stsd = _first(table, "stsd")
    if stsd is None:
        return None
    payload = _payload(data, stsd)
    if len(payload) < 8:
        return None
    entries = _Box("stsd", stsd.start, stsd.payload + 8, stsd.end)
    for entry in _boxes(data, entries.payload, entries.end):
        body = handle_read(data, entry.payload, min(28, entry.end - entry.payload))
        if len(body) >= 28:
            return struct.unpack(">HH", body[24:28])
    return None


# --- suitability for platforms ---


def suitability(
    info: MediaInfo, platforms: Sequence[str], *, connectors: Mapping[str, type] | None = None
) -> dict[str, list[str]]:
    """{platform: [problems]} for posting `info` on each platform, from its connector's MediaLimits.

    An empty list means no known problem; a platform without a registered connector has none known (its
    limits are unknown: content.compliance.check reports that as "platform.limits_unchecked").
    """
    if connectors is None:
        from content.compliance.platforms import registered_connectors

        connectors = registered_connectors()
    result: dict[str, list[str]] = {}
    for platform in dict.fromkeys(platforms):
        cls = connectors.get(platform)
        result[platform] = [] if cls is None else _problems(info, cls)
    return result


def _problems(info: MediaInfo, cls: type) -> list[str]:
    limits = cls.capabilities.media
    name = getattr(cls, "display_name", "") or cls.platform
    problems: list[str] = []
    if info.kind == "video":
        if "video" not in limits.kinds or limits.max_videos == 0:
            problems.append(_("%(platform)s does not accept videos.") % {"platform": name})
        elif info.size > limits.max_video_bytes:
            problems.append(
                _("%(platform)s accepts videos up to %(limit)s; this one is %(size)s.")
                % {
                    "platform": name,
                    "limit": filesizeformat(limits.max_video_bytes),
                    "size": filesizeformat(info.size),
                }
            )
        return problems
    if info.animated and "gif" not in limits.kinds:
        problems.append(_("%(platform)s does not accept animated images.") % {"platform": name})
    elif not info.animated and ("image" not in limits.kinds or limits.max_images == 0):
        problems.append(_("%(platform)s does not accept images.") % {"platform": name})
    elif info.size > limits.max_image_bytes:
        problems.append(
            _("%(platform)s accepts images up to %(limit)s; this one is %(size)s.")
            % {
                "platform": name,
                "limit": filesizeformat(limits.max_image_bytes),
                "size": filesizeformat(info.size),
            }
        )
    return problems

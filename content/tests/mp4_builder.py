"""Builds small ISO base media files (MP4 / MOV) box by box, for the media inspection tests.

The boxes follow ISO/IEC 14496-12 field by field; `mdat` holds filler bytes instead of coded frames (the
inspector reads the index in `moov`, never the frames).
"""

from __future__ import annotations

import struct

IDENTITY = (0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
ROTATE_90 = (0, 0x00010000, 0, -0x00010000, 0, 0, 0, 0, 0x40000000)


def box(box_type: str, payload: bytes = b"", *, large: bool = False) -> bytes:
    if large:  # 64-bit size: size field 1, then the real size after the type
        return struct.pack(">I4sQ", 1, box_type.encode("latin-1"), 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), box_type.encode("latin-1")) + payload


def full_box(box_type: str, version: int, payload: bytes, flags: int = 0) -> bytes:
    return box(box_type, bytes([version]) + flags.to_bytes(3, "big") + payload)


def ftyp(major: str = "isom", compatible: tuple[str, ...] = ("isom", "iso2", "avc1", "mp41")) -> bytes:
    return box("ftyp", major.encode() + struct.pack(">I", 512) + b"".join(b.encode() for b in compatible))


def mvhd(timescale: int, duration: int, *, version: int = 0) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    rest = struct.pack(">iH", 0x00010000, 0x0100) + bytes(10) + struct.pack(">9i", *IDENTITY) + bytes(24)
    return full_box("mvhd", version, times + rest + struct.pack(">I", 3))


def tkhd(width: float, height: float, *, matrix=IDENTITY, version: int = 0, track_id: int = 1) -> bytes:
    if version == 1:
        head = struct.pack(">QQIIQ", 0, 0, track_id, 0, 0)
    else:
        head = struct.pack(">IIIII", 0, 0, track_id, 0, 0)
    middle = bytes(8) + struct.pack(">hhhH", 0, 0, 0, 0)
    size = struct.pack(">II", int(width * 65536), int(height * 65536))
    return full_box("tkhd", version, head + middle + struct.pack(">9i", *matrix) + size, flags=3)


def mdhd(timescale: int, duration: int, *, version: int = 0) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    return full_box("mdhd", version, times + struct.pack(">HH", 0x55C4, 0))


def hdlr(handler: str) -> bytes:
    return full_box("hdlr", 0, bytes(4) + handler.encode() + bytes(12) + b"handler\x00")


def stsd_visual(width: int, height: int, codec: str = "avc1") -> bytes:
    entry = (
        bytes(6)
        + struct.pack(">H", 1)  # data reference index
        + bytes(16)  # pre-defined and reserved
        + struct.pack(">HH", width, height)
        + struct.pack(">II", 0x00480000, 0x00480000)  # 72 dpi
        + bytes(4)
        + struct.pack(">H", 1)  # frame count per sample
        + bytes(32)  # compressor name
        + struct.pack(">Hh", 0x18, -1)
    )
    return full_box("stsd", 0, struct.pack(">I", 1) + box(codec, entry))


def stsd_audio() -> bytes:
    entry = bytes(6) + struct.pack(">H", 1) + bytes(8) + struct.pack(">HHHHI", 2, 16, 0, 0, 44100 << 16)
    return full_box("stsd", 0, struct.pack(">I", 1) + box("mp4a", entry))


def stsz(sample_count: int) -> bytes:
    return full_box("stsz", 0, struct.pack(">II", 100, sample_count))


def stz2(sample_count: int) -> bytes:
    return full_box(
        "stz2", 0, bytes(3) + bytes([16]) + struct.pack(">I", sample_count) + bytes(2 * sample_count)
    )


def trak(
    *,
    handler: str = "vide",
    width: float = 640,
    height: float = 360,
    coded: tuple[int, int] | None = None,
    matrix=IDENTITY,
    timescale: int = 12800,
    duration: int = 0,
    frames: int = 0,
    version: int = 0,
    compact_sizes: bool = False,
) -> bytes:
    stsd = stsd_visual(*(coded or (int(width), int(height)))) if handler == "vide" else stsd_audio()
    sizes = stz2(frames) if compact_sizes else stsz(frames)
    stbl = box("stbl", stsd + sizes)
    minf = box("minf", box("vmhd" if handler == "vide" else "smhd", bytes(12)) + stbl)
    mdia = box("mdia", mdhd(timescale, duration, version=version) + hdlr(handler) + minf)
    return box("trak", tkhd(width, height, matrix=matrix, version=version) + mdia)


def movie(
    *,
    major: str = "isom",
    tracks: tuple[bytes, ...] | None = None,
    timescale: int = 1000,
    duration: int = 2500,
    version: int = 0,
    moov_first: bool = True,
    mdat_bytes: int = 4096,
    large_mdat: bool = False,
    fragment_duration: int | None = None,
    with_ftyp: bool = True,
) -> bytes:
    """A whole file: ftyp, moov (mvhd + tracks [+ mvex/mehd]) and mdat, in either order."""
    if tracks is None:
        tracks = (trak(duration=32000, frames=75),)
    moov_payload = mvhd(timescale, duration, version=version) + b"".join(tracks)
    if fragment_duration is not None:
        moov_payload += box("mvex", full_box("mehd", 0, struct.pack(">I", fragment_duration)))
    moov = box("moov", moov_payload)
    mdat = box("mdat", bytes(range(256)) * (mdat_bytes // 256), large=large_mdat)
    head = ftyp(major) if with_ftyp else b""
    return head + (moov + mdat if moov_first else mdat + moov)

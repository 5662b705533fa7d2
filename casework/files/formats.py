"""What a file is, read from its first bytes: the photo and audio formats the web chat accepts.

The client's content type and file name are never consulted: a text file renamed ``.jpg`` is a
text file. Formats are the ones phones produce: camera photos (JPEG, HEIC on iPhones), screenshots
(PNG), WebP, and the recordings of Android sound recorders (AMR, 3GPP, M4A, AAC, OGG, MP3, WAV) and
of browsers (WebM, OGG/Opus).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SNIFF_BYTES = 64  # every signature below is found within the first 64 bytes


class FileKind(enum.StrEnum):
    """What the citizen sent, as the dialogue engine names it (``bot.events.AttachmentKind``)."""

    PHOTO = "photo"
    VOICE = "voice"


@dataclass(frozen=True, slots=True)
class FileType:
    """One accepted format: its kind, the content type it is served with, and its file extension."""

    kind: FileKind
    mime_type: str
    extension: str


JPEG = FileType(FileKind.PHOTO, "image/jpeg", "jpg")
PNG = FileType(FileKind.PHOTO, "image/png", "png")
WEBP = FileType(FileKind.PHOTO, "image/webp", "webp")
HEIC = FileType(FileKind.PHOTO, "image/heic", "heic")
OGG = FileType(FileKind.VOICE, "audio/ogg", "ogg")
WEBM = FileType(FileKind.VOICE, "audio/webm", "webm")
M4A = FileType(FileKind.VOICE, "audio/mp4", "m4a")
THREE_GP = FileType(FileKind.VOICE, "audio/3gpp", "3gp")
MP3 = FileType(FileKind.VOICE, "audio/mpeg", "mp3")
AAC = FileType(FileKind.VOICE, "audio/aac", "aac")
AMR = FileType(FileKind.VOICE, "audio/amr", "amr")
AMR_WB = FileType(FileKind.VOICE, "audio/amr-wb", "awb")
WAV = FileType(FileKind.VOICE, "audio/wav", "wav")

ACCEPTED: tuple[FileType, ...] = (JPEG, PNG, WEBP, HEIC, OGG, WEBM, M4A, THREE_GP, MP3, AAC, AMR, AMR_WB, WAV)
BY_EXTENSION = {file_type.extension: file_type for file_type in ACCEPTED}

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_MP4_AUDIO_BRANDS = frozenset(
    {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"dash"}
)


def sniff(data: bytes) -> FileType | None:
    """The accepted format these bytes begin with, or None."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return WEBM
    if head.startswith(b"#!AMR-WB\n"):
        return AMR_WB
    if head.startswith(b"#!AMR\n"):
        return AMR
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"ID3") and head[3:4] in {b"\x02", b"\x03", b"\x04"}:
        return MP3
    return _mpeg_audio_frame(head)


def _iso_media(head: bytes) -> FileType | None:
    """An ISO base media file (HEIC, M4A, 3GP) by the brands of its ``ftyp`` box."""
    box_size = int.from_bytes(head[:4], "big")
    end = min(max(box_size, 16), len(head))
    brands = {head[8:12]} | {head[start : start + 4] for start in range(16, end - 3, 4)}
    if brands & _HEIC_BRANDS:
        return HEIC
    if any(brand.startswith((b"3gp", b"3g2")) for brand in brands):
        return THREE_GP
    if head[8:12] in _MP4_AUDIO_BRANDS:
        return M4A
    return None  # AVIF, QuickTime video and the like


def _mpeg_audio_frame(head: bytes) -> FileType | None:
    """An MP3 (MPEG audio layer III) or AAC (ADTS) stream starting with a frame header."""
    if len(head) < 4 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return None
    if (head[1] & 0xF6) == 0xF0:  # ADTS: MPEG-4 or MPEG-2 AAC, layer bits 00
        return AAC
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    if version != 0b01 and layer == 0b01 and bitrate not in {0, 0b1111} and sample_rate != 0b11:
        return MP3
    return None

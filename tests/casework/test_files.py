"""Uploaded files: sniffing by bytes, content-addressed storage, and references that cannot leave the directory."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.files import formats
from casework.files.errors import FileTooLarge, NotStored, UnsupportedFile
from casework.files.formats import FileKind, sniff
from casework.files.storage import MAX_FILE_BYTES, open_stored, stage, store

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + bytes(32)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20), formats.JPEG),
        (b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + bytes(20), formats.JPEG),
        (PNG, formats.PNG),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(20), formats.WEBP),
        (ftyp(b"heic", b"mif1", b"heic"), formats.HEIC),
        (ftyp(b"mif1", b"mif1", b"heic"), formats.HEIC),
        (b"OggS\x00\x02" + bytes(22) + b"OpusHead", formats.OGG),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + bytes(20), formats.WEBM),
        (ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), formats.M4A),
        (ftyp(b"mp42", b"isom"), formats.M4A),
        (ftyp(b"3gp4", b"isom", b"3gp4"), formats.THREE_GP),
        (b"ID3\x04\x00\x00" + bytes(20), formats.MP3),
        (b"\xff\xfb\x90\x64" + bytes(20), formats.MP3),
        (b"\xff\xf1\x50\x80" + bytes(20), formats.AAC),
        (b"#!AMR\n" + bytes(20), formats.AMR),
        (b"#!AMR-WB\n" + bytes(20), formats.AMR_WB),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(20), formats.WAV),
    ],
)
def test_phone_photos_and_recordings_are_known_by_their_bytes(data: bytes, expected: formats.FileType) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Xin chao\n",
        b"<html></html>",
        b"<?xml version='1.0'?><svg/>",
        b"%PDF-1.7",
        b"PK\x03\x04" + bytes(30),
        b"GIF89a" + bytes(30),
        ftyp(b"qt  ", b"qt  "),  # QuickTime video
        ftyp(b"avif", b"mif1", b"avif"),  # AVIF: not taken (yet)
        b"RIFF\x24\x00\x00\x00AVI LIST",
        b"\xff\xff\xff\xff" + bytes(20),
        b"ID3 is a tag, this is text",
        b"\x1a\x45\xdf\xa3" + bytes(30),  # Matroska without the webm doctype
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert sniff(data) is None


def test_every_accepted_format_has_one_extension_and_a_kind() -> None:
    assert len(formats.BY_EXTENSION) == len(formats.ACCEPTED)
    assert {file_type.kind for file_type in formats.ACCEPTED} == set(FileKind)
    assert all(f.mime_type.startswith("image/") == (f.kind is FileKind.PHOTO) for f in formats.ACCEPTED)


def test_a_file_is_stored_under_its_sha256_readable_by_this_user_only(tmp_path: Path) -> None:
    directory = tmp_path / "uploads"
    stored = store(directory, PNG)
    digest = hashlib.sha256(PNG).hexdigest()
    assert stored.ref == f"web:{digest}.png" and stored.sha256 == digest
    assert stored.path == directory / f"{digest}.png" and stored.path.read_bytes() == PNG
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0
    assert [path.name for path in directory.iterdir()] == [f"{digest}.png"]  # no temporary file left
    again = store(directory, PNG)
    assert again == stored and len(list(directory.iterdir())) == 1


def test_a_staged_file_is_invisible_until_kept_and_gone_when_discarded(tmp_path: Path) -> None:
    staged = stage(tmp_path, PNG)
    assert not staged.file.path.exists() and staged.temporary.parent == tmp_path
    with pytest.raises(NotStored):
        open_stored(tmp_path, staged.file.ref)
    staged.discard()
    assert list(tmp_path.iterdir()) == []
    kept = stage(tmp_path, PNG).keep()
    assert open_stored(tmp_path, kept.ref) == kept


def test_discarding_never_removes_the_kept_copy(tmp_path: Path) -> None:
    kept = store(tmp_path, PNG)
    second = stage(tmp_path, PNG)
    second.discard()
    assert kept.path.read_bytes() == PNG


def test_size_and_format_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(FileTooLarge):
        stage(tmp_path / "u", PNG + bytes(MAX_FILE_BYTES))
    with pytest.raises(UnsupportedFile):
        stage(tmp_path / "u", b"<html>")
    assert not (tmp_path / "u").exists()


def test_uploads_stop_before_the_disk_is_full(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="nearly full"):
        stage(tmp_path, PNG, min_free_bytes=10**18)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "web:",
        "web:../../etc/passwd",
        "web:/etc/passwd",
        "web:" + "a" * 64,
        "web:" + "a" * 64 + ".png/../x",
        "web:" + "a" * 64 + ".exe",
        "web:" + "A" * 64 + ".png",
        "web:" + "a" * 64 + ".png\n",
        "web:" + "a" * 64 + ".png\x00",
        "AgACAgIAAxkBAAIBZ2Zx9Qv1sOm3Yk8AAUt4",
        "https://photo-zalo.zadn.vn/a.jpg",
    ],
)
def test_only_the_stores_own_names_open(tmp_path: Path, ref: str) -> None:
    with pytest.raises(NotStored):
        open_stored(tmp_path, ref)


@given(ref=st.text(max_size=120) | st.from_regex(r"web:[0-9a-f./\\%]{60,80}\.[a-z]{2,5}", fullmatch=True))
def test_no_reference_names_a_path_outside_the_directory(ref: str) -> None:
    directory = Path("/nonexistent/uploads")
    try:
        stored = open_stored(directory, ref)
    except NotStored:
        return
    assert stored.path.parent == directory  # pragma: no cover - nothing exists under that directory


def test_a_link_out_of_the_directory_is_not_followed(tmp_path: Path) -> None:
    directory = tmp_path / "uploads"
    directory.mkdir()
    secret = tmp_path / "caunoi.db"
    secret.write_bytes(b"secret")
    name = "b" * 64 + ".png"
    os.symlink(secret, directory / name)
    with pytest.raises(NotStored):
        open_stored(directory, f"web:{name}")
    (directory / ("c" * 64 + ".jpg")).mkdir()
    with pytest.raises(NotStored):
        open_stored(directory, "web:" + "c" * 64 + ".jpg")

"""Uploaded files on disk, named by the SHA-256 of their bytes: ``<directory>/<sha256>.<ext>``.

A file is written to a private temporary file in the same directory, flushed to disk, then
renamed into place, so a reader never sees half a file and a crash leaves at most a temporary
``.incoming-*`` file. The same bytes sent twice are one file. The reference a ticket keeps is
``web:<sha256>.<ext>``; ``open_stored`` accepts nothing else, so no reference can name a path
outside the directory (the client's file name is never used at all).

``stage`` writes the temporary file; the caller then ``keep``s it (renamed into place) or
``discard``s it (the web chat discards a file the dialogue did not take). ``store`` does both.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from casework.files.errors import FileTooLarge, NotStored, UnsupportedFile
from casework.files.formats import BY_EXTENSION, FileType, sniff

REF_PREFIX = "web:"
MAX_FILE_BYTES = 8 * 1024 * 1024  # a phone's photo (3-6 MB) or several minutes of a voice note
# Uploads stop while the disk is this close to full: the SQLite database usually shares it.
MIN_FREE_BYTES = 512 * 1024 * 1024
_REF = re.compile(r"web:(?P<digest>[0-9a-f]{64})\.(?P<extension>[a-z0-9]{2,5})")
_TEMPORARY_PREFIX = ".incoming-"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file of the store: its reference, where it lies, its format and size."""

    ref: str
    path: Path
    type: FileType
    size_bytes: int

    @property
    def sha256(self) -> str:
        return self.path.stem


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A file written to a temporary name, waiting to be kept or discarded."""

    file: StoredFile
    temporary: Path

    def keep(self) -> StoredFile:
        """Move the file into place (the same bytes may be there already: one copy is kept)."""
        if self.file.path.exists():
            self.temporary.unlink(missing_ok=True)
        else:
            os.replace(self.temporary, self.file.path)
            _sync_directory(self.file.path.parent)
        return self.file

    def discard(self) -> None:
        """Delete the temporary file, if it is still there (never the stored copy)."""
        self.temporary.unlink(missing_ok=True)


def stage(
    directory: Path, data: bytes, *, max_bytes: int = MAX_FILE_BYTES, min_free_bytes: int = MIN_FREE_BYTES
) -> StagedFile:
    """Check the bytes (size, format) and write them to a temporary file in ``directory``.

    OSError (ENOSPC) rather than fill the disk past ``min_free_bytes``.
    """
    if len(data) > max_bytes:
        raise FileTooLarge(max_bytes)
    file_type = sniff(data)
    if file_type is None:
        raise UnsupportedFile()
    digest = hashlib.sha256(data).hexdigest()
    name = f"{digest}.{file_type.extension}"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if shutil.disk_usage(directory).free - len(data) < min_free_bytes:
        raise OSError(errno.ENOSPC, "the disk is nearly full: uploads wait until space is freed")
    # mkstemp: a new file only this process's user may read, in the directory the rename stays in.
    handle, temporary = tempfile.mkstemp(prefix=_TEMPORARY_PREFIX, suffix=".part", dir=directory)
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            os.fsync(output.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stored = StoredFile(ref=REF_PREFIX + name, path=directory / name, type=file_type, size_bytes=len(data))
    return StagedFile(file=stored, temporary=Path(temporary))


def store(directory: Path, data: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> StoredFile:
    """Check the bytes and keep them under their SHA-256; the stored file."""
    return stage(directory, data, max_bytes=max_bytes).keep()


def open_stored(directory: Path, ref: str) -> StoredFile:
    """The stored file a ``web:`` reference names; NotStored for any other reference or a missing file."""
    match = _REF.fullmatch(ref)
    file_type = BY_EXTENSION.get(match["extension"]) if match else None
    if match is None or file_type is None:
        raise NotStored("not a reference to an uploaded file")
    path = directory / f"{match['digest']}.{file_type.extension}"
    # Built from 64 hex digits and a known extension only; checked all the same.
    if path.resolve().parent != directory.resolve():
        raise NotStored("not a reference to an uploaded file")
    try:
        status = path.stat()
    except FileNotFoundError as error:
        raise NotStored("the uploaded file is not on disk") from error
    if not stat.S_ISREG(status.st_mode):
        raise NotStored("the uploaded file is not a regular file")
    return StoredFile(ref=ref, path=path, type=file_type, size_bytes=status.st_size)


def files_older_than(directory: Path, cutoff: float) -> list[tuple[str | None, Path]]:
    """The stored files (with their reference) and temporary files (None) last written before ``cutoff``.

    ``cutoff`` is a POSIX time; anything in the directory that is neither is left out (and alone).
    """
    found: list[tuple[str | None, Path]] = []
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        try:
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        if path.name.startswith(_TEMPORARY_PREFIX):
            found.append((None, path))
        elif _REF.fullmatch(REF_PREFIX + path.name):
            found.append((REF_PREFIX + path.name, path))
    return found


def _sync_directory(directory: Path) -> None:
    """Make a rename durable (the directory entry reaches the disk); a no-op where unsupported."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

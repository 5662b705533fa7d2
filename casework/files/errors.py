"""The files package's errors (the tree is drawn in the package's docstring)."""

from __future__ import annotations

from casework.errors import NotFound, ValidationFailed


class UnsupportedFile(ValidationFailed):
    """The bytes are not a photo or audio format the web chat accepts."""

    def __init__(self) -> None:
        super().__init__("not a supported photo or audio file", field="file")


class FileTooLarge(ValidationFailed):
    """The file is over the size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file exceeds {limit} bytes", field="file")
        self.limit = limit


class NotStored(NotFound):
    """No stored file answers to this reference."""


class KeptOnPlatform(NotFound):
    """The attachment is a platform's file (Telegram, Zalo): only the platform holds the bytes."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"the file is kept on the platform ({channel})")
        self.channel = channel

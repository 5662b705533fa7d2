"""Public tracking codes: short, easy to read aloud, impossible to guess or enumerate."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, and no U (heard as V): the code is read over the phone and typed on cheap keyboards.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CB"
_GROUPS = 2
_GROUP_LENGTH = 4
_PATTERN = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{{_GROUP_LENGTH}}}-[{ALPHABET}]{{{_GROUP_LENGTH}}}$")


def new_tracking_code() -> str:
    """A fresh random code such as ``CB-7K3M-9Q2X`` (about 39 bits from the system's CSPRNG)."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))
    return "-".join((PREFIX, *groups))


def normalize_tracking_code(raw: str) -> str | None:
    """The canonical form of a code as a citizen may type it (``cb 7k3m9q2x``), or None if it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", raw).upper()
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != _GROUPS * _GROUP_LENGTH:
        return None
    code = f"{PREFIX}-{compact[:_GROUP_LENGTH]}-{compact[_GROUP_LENGTH:]}"
    return code if _PATTERN.match(code) else None

"""What a stored answer holds, and how long keys are kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Long enough for any client's retry loop (the IETF draft suggests at least 24 hours).
KEY_LIFETIME = dt.timedelta(hours=24)
MAX_KEY_CHARS = 255


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer to a request, replayed byte for byte to its retries."""

    status_code: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

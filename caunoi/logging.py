"""Logging, configured once per process by the command line entry point."""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send log records to standard error at the given level (idempotent)."""
    logging.basicConfig(level=level.upper(), format=_FORMAT, force=True)
    # Third-party request logs would print bot tokens inside URLs: keep them quiet.
    for noisy in ("httpx", "httpcore", "telegram"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Password hashing (Argon2id through pwdlib) and API token generation and hashing."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# argon2-cffi's defaults are Argon2id with OWASP-level cost; pwdlib upgrades old hashes at login.
_hasher = PasswordHash((Argon2Hasher(),))


@functools.cache
def _decoy_hash() -> str:
    # Checked against when the username is unknown, so that a miss costs as much as a hit.
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """Hash a password with Argon2id, off the event loop (it takes tens of milliseconds)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; also return a new hash when the stored one uses outdated parameters.

    With no stored hash (unknown user) a decoy is checked, so the answer takes the same time.
    """
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _decoy_hash())
        return False, None
    return await asyncio.to_thread(_hasher.verify_and_update, password, password_hash)


def new_token() -> str:
    """A fresh bearer token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()

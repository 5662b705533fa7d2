"""The password policy, password hashing (Argon2id through pwdlib), and API token generation and hashing."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from casework.errors import ValidationFailed

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
# Passwords of the allowed length that guessing lists try first (compared in lower case, trimmed);
# sequences such as 1234567890 or qwertyuiop are caught by ``_SEQUENCES`` instead.
COMMON_PASSWORDS = frozenset(
    {
        "administrator",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "admin12345",
        "admin123456",
        "admin@12345",
        "changeme123",
        "iloveyou123",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "matkhau123",
        "matkhau@123",
        "matkhau1234",
        "caunoi2025",
        "caunoi2026",
        "caobang123",
        "caobang2025",
        "caobang2026",
    }
)
# Runs of neighbouring keys or characters; a password that is a stretch of one of these is a sequence.
_SEQUENCES = tuple(
    text + text[::-1]
    for text in ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv")
)
MIN_DISTINCT_CHARS = 4  # "aaaaaaaaaa" and "ababababab" have the length and nothing else

# argon2-cffi's defaults are Argon2id with OWASP-level cost; pwdlib upgrades old hashes at login.
_hasher = PasswordHash((Argon2Hasher(),))


def password_weakness(password: str, *, username: str) -> str | None:
    """What makes a password too weak for an official (None: it will do); never quotes the password."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        return f"the password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
    folded = password.strip().lower()
    if not folded:
        return "the password must not be only spaces"
    name = username.strip().lower()
    bare_name = name.replace(".", "").replace("_", "").replace("-", "")
    if name and (name in folded or (len(bare_name) >= 3 and bare_name in folded.replace(" ", ""))):
        return "the password must not contain the username"
    if folded in COMMON_PASSWORDS:
        return "the password is one of the most common passwords"
    if len(set(folded)) < MIN_DISTINCT_CHARS or any(folded in sequence for sequence in _SEQUENCES):
        return "the password is a run of repeated or neighbouring characters"
    return None


def ensure_strong_password(password: str, *, username: str) -> None:
    """Raise ValidationFailed (on ``password``) unless the password meets the policy for officials."""
    weakness = password_weakness(password, username=username)
    if weakness is not None:
        raise ValidationFailed(weakness, field="password")


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

"""A fake Zalo Official Account API v3 (customer-service messages) and its OAuth v4 token endpoint.

Mimics /work/shared/docs/channels.md §3b: ``POST /v3.0/oa/message/cs`` with the ``access_token``
header, answering HTTP 200 with ``{"error": 0, ...}`` or an error code (-216 bad token, -201 bad
parameters, -230 outside the free reply window); the reply window (8 free replies within 48 h of the
user's message, reset by each new user message; a reply must name the user's ``message_id`` or it
is proactive); ``POST /v4/oa/access_token`` with single-use refresh tokens and ``expires_in`` as a
string; webhook events with ``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret)``.

The fake's own choices, not documented by Zalo: -213 for a user who blocked (unfollowed) the OA, and
-14002 for a wrong app id, app secret or grant type at the token endpoint. Time for the reply window
is ``time.time() + now_offset``, so a test can move 49 hours on without sleeping.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes.server import Call, FakePlatform, read_params

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 2000
FREE_REPLIES = 8
REPLY_WINDOW_SECONDS = 48 * 3600
SEND_METHOD = "message/cs"
TOKEN_METHOD = "access_token"  # noqa: S105 - a method name, not a secret

TOKEN_INVALID: JSONDict = {"error": -216, "message": "Access token is invalid"}
PARAMETERS_INVALID: JSONDict = {"error": -201, "message": "Parameters are invalid"}
OUTSIDE_WINDOW: JSONDict = {"error": -230, "message": "User has not interacted with the OA in the free reply window"}
USER_BLOCKED: JSONDict = {"error": -213, "message": "User has not followed the OA"}
REFRESH_TOKEN_INVALID: JSONDict = {
    "error": -14014,
    "error_name": "Invalid refresh token",
    "error_description": "Refresh token is invalid",
}


@dataclass
class _UserMessage:
    user_id: str
    at: float  # fake-clock seconds


class FakeZaloOA(FakePlatform):
    """One Official Account: its customer-service message API, its tokens and its webhook events."""

    SEND_METHODS: ClassVar[frozenset[str]] = frozenset({SEND_METHOD})
    TEXT_METHOD: ClassVar[str] = SEND_METHOD

    def __init__(
        self,
        *,
        oa_id: str,
        app_id: str,
        oa_secret_key: str,
        app_secret: str,
        access_token: str,
        refresh_token: str,
        access_ttl: int = 90000,
    ) -> None:
        super().__init__()
        self.oa_id, self.app_id, self.oa_secret_key, self.app_secret = oa_id, app_id, oa_secret_key, app_secret
        self.access_ttl = access_ttl
        #: Seconds added to the wall clock for the reply window and token expiry.
        self.now_offset = 0.0
        #: Accept sends addressed by user_id alone (a verified OA with proactive quota).
        self.allow_proactive = False
        self._access_tokens: dict[str, float] = {access_token: self.now() + access_ttl}  # token -> expires at
        self._refresh_token = refresh_token
        self._refresh_calls = 0
        self._user_messages: dict[str, _UserMessage] = {}
        self._replies_since_latest: dict[str, int] = {}
        self._ids = itertools.count(1)

    def now(self) -> float:
        """The fake's clock: wall time shifted by ``now_offset``."""
        return time.time() + self.now_offset

    @property
    def access_token(self) -> str:
        """The newest access token issued."""
        with self._lock:
            return list(self._access_tokens)[-1]

    @property
    def refresh_token(self) -> str:
        """The one refresh token that is valid now."""
        with self._lock:
            return self._refresh_token

    @property
    def refresh_calls(self) -> int:
        """Calls to the token endpoint, valid or not."""
        with self._lock:
            return self._refresh_calls

    def expire_access_token(self) -> None:
        """Make every access token issued so far invalid (sends get -216 until a refresh)."""
        with self._lock:
            self._access_tokens = dict.fromkeys(self._access_tokens, 0.0)

    # -- HTTP ------------------------------------------------------------------------------------

    def _add_routes(self, app: FastAPI) -> None:
        @app.post("/v3.0/oa/message/cs")
        async def send_message(request: Request) -> JSONResponse:
            return await self._serve_send(request)

        @app.post("/v4/oa/access_token")
        async def access_token(request: Request) -> JSONResponse:
            return await self._serve_token(request)

    async def _serve_send(self, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        try:
            params = await read_params(request)
        except ValueError:
            params = {}
        recipient = params.get("recipient")
        if not isinstance(recipient, dict):
            recipient = {}
        user_id = self._recipient_user(recipient)
        fault = self._take_fault(SEND_METHOD)
        if fault is not None:
            status, body = fault.status, {"error": fault.error_code or -1, "message": fault.description}
        else:
            status, body = 200, self._send_answer(request.headers.get("access_token"), params, recipient, user_id)
        ok = status == 200 and body.get("error") == 0
        await self._finish(Call(SEND_METHOD, params, arrived, status, ok, user_id, body))
        return JSONResponse(body, status_code=status)

    def _recipient_user(self, recipient: JSONDict) -> str | None:
        if "message_id" in recipient:
            with self._lock:
                message = self._user_messages.get(str(recipient["message_id"]))
            return message.user_id if message else None
        return None if recipient.get("user_id") is None else str(recipient["user_id"])

    def _send_answer(self, token: str | None, params: JSONDict, recipient: JSONDict, user_id: str | None) -> JSONDict:
        """The platform's answer to a send; an accepted reply uses one of the user's free replies."""
        with self._lock:
            expires_at = self._access_tokens.get(token or "")
        if expires_at is None or expires_at <= self.now():
            return TOKEN_INVALID
        message = params.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not recipient or not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH:
            return PARAMETERS_INVALID
        if user_id is not None and self._is_blocked(user_id):
            return USER_BLOCKED
        if "message_id" in recipient:
            with self._lock:
                message_at = self._user_messages.get(str(recipient["message_id"]))
                replies = self._replies_since_latest.get(user_id or "", 0)
                if message_at is None or self.now() - message_at.at > REPLY_WINDOW_SECONDS or replies >= FREE_REPLIES:
                    return OUTSIDE_WINDOW
                self._replies_since_latest[message_at.user_id] = replies + 1
            quota = {"quota_type": "reply", "remain": FREE_REPLIES - replies - 1, "total": FREE_REPLIES}
        elif self.allow_proactive:
            quota = {"quota_type": "proactive", "remain": 1000, "total": 1000}
        else:
            return OUTSIDE_WINDOW
        data = {"message_id": f"{next(self._ids):04x}{secrets.token_hex(12)}", "user_id": user_id, "quota": quota}
        return {"error": 0, "message": "Success", "data": data}

    async def _serve_token(self, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        params = await read_params(request)
        with self._lock:
            self._refresh_calls += 1
        fault = self._take_fault(TOKEN_METHOD)
        if fault is not None:
            status, body = fault.status, {"error": fault.error_code or -1, "message": fault.description}
        else:
            status, body = 200, self._refresh(request.headers.get("secret_key"), params)
        ok = status == 200 and "access_token" in body
        await self._finish(Call(TOKEN_METHOD, params, arrived, status, ok, None, body))
        return JSONResponse(body, status_code=status)

    def _refresh(self, secret_key: str | None, params: JSONDict) -> JSONDict:
        valid_request = (
            secret_key == self.app_secret
            and params.get("app_id") == self.app_id
            and params.get("grant_type") == "refresh_token"
        )
        if not valid_request:
            return {
                "error": -14002,
                "error_name": "Invalid request",
                "error_description": "app_id, secret_key or grant_type is invalid",
            }
        with self._lock:
            if params.get("refresh_token") != self._refresh_token:
                return REFRESH_TOKEN_INVALID
            access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self._access_tokens[access] = self.now() + self.access_ttl
            self._refresh_token = refresh  # the old one is spent
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(self.access_ttl)}

    # -- webhook events ----------------------------------------------------------------------------

    def _event(self, event_name: str, user_id: str, **fields: Any) -> JSONDict:
        digest = hashlib.sha256(f"{self.app_id}:{user_id}".encode()).hexdigest()
        return {
            "app_id": self.app_id,
            "user_id_by_app": str(int(digest[:15], 16)),
            "event_name": event_name,
            "timestamp": str(int(self.now() * 1000)),
            **fields,
        }

    def _user_message_event(self, event_name: str, user_id: str, message: JSONDict) -> JSONDict:
        """An event for a message the user sent; it opens (or renews) the free reply window."""
        msg_id = f"{next(self._ids):04x}{secrets.token_hex(14)}"
        now = self.now()
        with self._lock:
            self._user_messages[msg_id] = _UserMessage(user_id, now)
            self._replies_since_latest[user_id] = 0
        sides = {"sender": {"id": user_id}, "recipient": {"id": self.oa_id}}
        return self._event(event_name, user_id, **sides, message=message | {"msg_id": msg_id})

    def user_text_event(self, user_id: str, text: str) -> JSONDict:
        return self._user_message_event("user_send_text", user_id, {"text": text})

    def user_image_event(self, user_id: str, url: str, caption: str = "") -> JSONDict:
        attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
        return self._user_message_event("user_send_image", user_id, {"text": caption, "attachments": [attachment]})

    def follow_event(self, user_id: str) -> JSONDict:
        return self._event("follow", user_id, oa_id=self.oa_id, source="oa_profile", follower={"id": user_id})

    def signature(self, raw_body: bytes, timestamp: str) -> str:
        """``X-ZEvent-Signature`` of a body: plain SHA-256 (not HMAC) over app id, body, timestamp, OA secret."""
        digest = hashlib.sha256(self.app_id.encode() + raw_body + timestamp.encode() + self.oa_secret_key.encode())
        return "mac=" + digest.hexdigest()

    def deliver(
        self,
        webhook_url: str,
        event: JSONDict,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST an event as Zalo does, signing the exact bytes sent.

        ``timestamp`` overrides the one signed (by default the event's own); ``signature`` is sent as
        given instead of a computed one: both serve forgery tests.
        """
        raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        if signature is None:
            signature = self.signature(raw, timestamp if timestamp is not None else str(event.get("timestamp", "")))
        headers = {"Content-Type": "application/json", "X-ZEvent-Signature": signature}
        return (client.post if client else httpx.post)(webhook_url, content=raw, headers=headers, timeout=timeout)

"""What every fake platform shares: a uvicorn runner in a thread, and call recording with fault injection.

``running(app)`` serves an ASGI app on 127.0.0.1 from a background thread with its own event loop, so
the test process may be sync or async (pytest-asyncio) and the system under test may be a subprocess.

``FakePlatform`` is the base of the three fakes. Its state is written by request handlers on the
server thread and read or changed by tests on the main thread, so it sits behind one
``threading.Lock``; handlers never hold the lock across an ``await``. Plain attributes (``delay``,
and a fake's switches such as ``allow_proactive``) are single reads and writes, safe as they are.
A message send goes through:

    injected fault? -> the platform's checks (parameters, blocked chat, Telegram's flood limits)
    -> recorded in ``received`` with the answer it will get -> waits while ``hold()`` is on
    -> waits ``delay`` seconds -> answered, recorded in ``calls``

A send counts as *delivered* once it is in ``received`` with an accepting answer, whether or not
the client ever read that answer (the client may be SIGKILLed while the fake holds it). Release
held sends before leaving ``running()``: otherwise the server cancels them after 1 s and logs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

import uvicorn
from fastapi import FastAPI, Request
from starlette.datastructures import UploadFile

STARTUP_TIMEOUT = 10.0


@contextlib.contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port in a background thread; yield its base URL; stop it on exit."""
    # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (it checks sock.proto);
    # without it every answer on a kept-alive connection waits ~40 ms for a delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port: int = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        # A request the test left held must not keep the thread alive for ever.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=f"fake-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"fake server on port {port} did not start")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        listener.close()


@dataclass(frozen=True)
class Call:
    """One API call as the fake answered it (or, in ``received``, as it will answer it)."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived
    status: int  # HTTP status of the answer
    ok: bool = True  # the platform accepted it (Zalo OA answers HTTP 200 with an error code)
    chat_id: str | None = None
    response: Any = None

    @property
    def text(self) -> str | None:
        """The message text (or caption) the call carried, if any."""
        value = self.params.get("text", self.params.get("caption"))
        if value is None and isinstance(self.params.get("message"), dict):
            value = self.params["message"].get("text")
        return None if value is None else str(value)


@dataclass
class Fault:
    """An error the next ``remaining`` calls of a method will get instead of being served."""

    status: int
    description: str
    retry_after: int | None = None
    error_code: int | None = None
    remaining: int = 1


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    received: list[Call] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    held: int = 0


class FakePlatform:
    """Recording, fault injection and hold/release shared by the fake platforms."""

    #: Methods that send a message to a chat: the ones ``sent``, ``hold``, ``delay`` and ``block`` concern.
    SEND_METHODS: ClassVar[frozenset[str]] = frozenset()
    #: The method whose texts ``delivered_texts`` returns.
    TEXT_METHOD: ClassVar[str] = "sendMessage"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._released = threading.Event()
        self._released.set()
        self._app: FastAPI | None = None
        #: Seconds added before answering each send (awaited, so the server stays responsive).
        self.delay = 0.0

    @property
    def app(self) -> FastAPI:
        """The fake's ASGI app, built once."""
        if self._app is None:
            self._app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
            self._add_routes(self._app)
        return self._app

    def _add_routes(self, app: FastAPI) -> None:
        raise NotImplementedError

    # -- what tests read -------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every answered API call, in answer order."""
        with self._lock:
            return list(self._state.calls)

    @property
    def received(self) -> list[Call]:
        """Every send that reached the fake, answered or still held, with the answer it gets."""
        with self._lock:
            return list(self._state.received)

    @property
    def held_count(self) -> int:
        """Sends received and now waiting for ``release()``."""
        with self._lock:
            return self._state.held

    def sent(self, chat_id: int | str | None = None) -> list[Call]:
        """Accepted and answered message sends, optionally to one chat."""
        return [call for call in self.calls if self._is_accepted_send(call, chat_id)]

    def delivered(self, chat_id: int | str | None = None) -> list[Call]:
        """Accepted sends that reached the fake, whether or not their answer was read."""
        return [call for call in self.received if self._is_accepted_send(call, chat_id)]

    def delivered_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of the delivered text messages, in arrival order."""
        return [c.text for c in self.delivered(chat_id) if c.method == self.TEXT_METHOD and c.text is not None]

    def _is_accepted_send(self, call: Call, chat_id: int | str | None) -> bool:
        return call.method in self.SEND_METHODS and call.ok and (chat_id is None or call.chat_id == str(chat_id))

    def wait_for(
        self,
        expected: int | Callable[[list[Call]], bool] = 1,
        timeout: float = 5.0,
        *,
        chat_id: int | str | None = None,
    ) -> list[Call]:
        """Poll until ``expected`` accepted sends exist (or the predicate holds on them); return them."""
        deadline = time.monotonic() + timeout
        while True:
            sends = self.sent(chat_id)
            if len(sends) >= expected if isinstance(expected, int) else expected(sends):
                return sends
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {expected!r} sends; saw:\n{self.describe()}")
            time.sleep(0.01)

    def wait_held(self, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Poll until ``count`` sends are held unanswered; return ``received``."""
        deadline = time.monotonic() + timeout
        while self.held_count < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {count} held sends; saw:\n{self.describe()}")
            time.sleep(0.01)
        return self.received

    def describe(self) -> str:
        """One line per answered call, for assertion messages."""
        lines = [
            f"  {c.method} chat={c.chat_id} status={c.status} ok={c.ok} text={(c.text or '')[:60]!r}"
            for c in self.calls
        ]
        return "\n".join(lines) or "  (no calls)"

    def clear_calls(self) -> None:
        """Forget recorded calls and received sends (faults, blocks and platform state stay)."""
        with self._lock:
            self._state.calls.clear()
            self._state.received.clear()

    # -- what tests change ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        error_code: int | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with an error instead of serving them."""
        if description is None:
            description = self._default_description(status, retry_after)
        fault = Fault(status, description, retry_after, error_code, count)
        with self._lock:
            self._state.faults.setdefault(method, []).append(fault)

    def _default_description(self, status: int, retry_after: int | None) -> str:
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return "Error"

    def block(self, chat_id: int | str) -> None:
        """Refuse every later send to ``chat_id`` as the platform does when the user blocked the bot."""
        with self._lock:
            self._state.blocked.add(str(chat_id))

    def unblock(self, chat_id: int | str) -> None:
        with self._lock:
            self._state.blocked.discard(str(chat_id))

    def hold(self) -> None:
        """Make sends wait unanswered (after being received) until ``release()``."""
        self._released.clear()

    def release(self) -> None:
        """Answer the held sends and stop holding."""
        self._released.set()

    # -- what handlers use (server thread) ---------------------------------------------------------

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._state.faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def _is_blocked(self, chat_id: str | None) -> bool:
        with self._lock:
            return chat_id is not None and chat_id in self._state.blocked

    async def _pass_send_gate(self, call: Call) -> None:
        """Record a send as received, then wait out ``hold()`` and ``delay``."""
        with self._lock:
            self._state.received.append(call)
            held = not self._released.is_set()
            if held:
                self._state.held += 1
        try:
            while not self._released.is_set():
                await asyncio.sleep(0.01)
        finally:
            if held:
                with self._lock:
                    self._state.held -= 1
        if self.delay > 0:
            await asyncio.sleep(self.delay)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)

    async def _finish(self, call: Call) -> None:
        """Gate a send (hold, delay), then record the answered call."""
        if call.method in self.SEND_METHODS:
            await self._pass_send_gate(call)
        self._record(call)


async def read_params(request: Request) -> dict[str, Any]:
    """The call's parameters from a JSON, form-urlencoded or multipart body, or the query string.

    Form values stay strings; an uploaded file becomes ``{"filename", "content_type", "size"}``.
    """
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        if body.strip():
            decoded = await request.json()
            if not isinstance(decoded, dict):
                raise ValueError("the JSON body is not an object")
            params.update(decoded)
    elif "form" in content_type:
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    content = await value.read()
                    params[key] = {"filename": value.filename, "content_type": value.content_type, "size": len(content)}
                else:
                    params[key] = value
    return params

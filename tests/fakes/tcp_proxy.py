"""A TCP proxy in front of a real server (PostgreSQL) that a test can cut: "the database went down".

``cut()`` closes every connection through it and refuses new ones (the port stays bound, so
clients see their connections reset and new ones closed at once, as when the server stops);
``restore()`` lets connections through again. Runs in a thread with its own event loop, like
the fake platform servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._open = threading.Event()
        self._open.set()
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._open.is_set():
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def _close_all(self) -> None:
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()
        self._writers.clear()

    def cut(self) -> None:
        """The server is gone: every open connection drops, every new one is closed at once."""
        self._open.clear()
        done = threading.Event()

        def close() -> None:
            self._close_all()
            done.set()

        self._loop.call_soon_threadsafe(close)
        done.wait(5)

    def restore(self) -> None:
        self._open.set()

    @contextlib.contextmanager
    def running(self) -> Iterator[int]:
        self._thread.start()
        self._ready.wait(5)
        try:
            yield self.port
        finally:
            self._loop.call_soon_threadsafe(self._close_all)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

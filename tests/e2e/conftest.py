"""End-to-end fixtures: ``caunoi run`` as a real process on a free port, a fresh SQLite data directory, a first admin."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ADMIN = "quantri"
ADMIN_PASSWORD = "mật-khẩu-quản-trị-dài"  # noqa: S105 - a test server's throwaway admin


@dataclass(frozen=True)
class Server:
    base: str
    data: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def launch(environment: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    """Start ``caunoi run`` on ``port`` with exactly this environment (plus PATH and the like); wait until it answers."""
    base = {name: value for name, value in os.environ.items() if not name.startswith("CAUNOI_")}
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "caunoi", "run", "--host", "127.0.0.1", "--port", str(port)],
            env=base | environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "caunoi run did not answer within 30 s"
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as an operator or systemd would; SIGKILL only for a hung server."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``caunoi run`` on the shipped FAQ, its own SQLite file and a free port; stopped with SIGTERM after the module."""
    directory = tmp_path_factory.mktemp("e2e")
    port = free_port()
    environment = {
        "CAUNOI_DATA_DIR": str(directory / "data"),
        "CAUNOI_ADMIN_USERNAME": ADMIN,
        "CAUNOI_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    log = directory / "server.log"
    process = launch(environment, log, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", data=directory / "data", log=log)
    finally:
        stop(process)

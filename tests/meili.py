"""A real Meilisearch server for the tests (never a fake).

Where the server comes from, in this order:

1. ``BARNRATT_TEST_MEILI_URL`` (and ``BARNRATT_TEST_MEILI_KEY`` if it has a
   master key): an already running server;
2. an executable named by ``BARNRATT_MEILI_BIN``, or ``meilisearch`` on
   ``PATH``: started once per test process on 127.0.0.1 with a temporary data
   directory, a random master key and a free port, and stopped when the tests
   end.

Without either, the Meilisearch half of the suite skips (and the terminal
summary says so in one line). A binary that is there but does not start is an
error, not a skip.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

URL_ENV = "BARNRATT_TEST_MEILI_URL"
KEY_ENV = "BARNRATT_TEST_MEILI_KEY"
BIN_ENV = "BARNRATT_MEILI_BIN"
SKIP_REASON = (
    "no Meilisearch server: set BARNRATT_TEST_MEILI_URL (+ BARNRATT_TEST_MEILI_KEY), "
    "or BARNRATT_MEILI_BIN / put `meilisearch` on PATH"
)


def source() -> str | None:
    """Where a server would come from (without starting one), or None."""
    if os.environ.get(URL_ENV):
        return os.environ[URL_ENV]
    binary = executable()
    return str(binary) if binary else None


def executable() -> Path | None:
    named = os.environ.get(BIN_ENV)
    if named:
        path = Path(named)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise RuntimeError(f"{BIN_ENV}={named} is not an executable file")
        return path
    found = shutil.which("meilisearch")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MeiliServer:
    """A Meilisearch server: ``url`` and ``master_key`` (None = no key)."""

    url: str
    master_key: str | None
    binary: Path | None = None
    data_dir: Path | None = None
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    port: int | None = None
    _extra_args: list[str] = field(default_factory=list)

    @property
    def started_here(self) -> bool:
        return self.binary is not None

    def version(self) -> str:
        headers = {"Authorization": f"Bearer {self.master_key}"} if self.master_key else {}
        return httpx.get(self.url + "/version", headers=headers, timeout=5).json()["pkgVersion"]

    # -- a server of our own ---------------------------------------------

    @classmethod
    def launch(cls, binary: Path, *, extra_args: list[str] | None = None) -> MeiliServer:
        data_dir = Path(tempfile.mkdtemp(prefix="barnratt-meili-"))
        port = _free_port()
        server = cls(
            url=f"http://127.0.0.1:{port}",
            master_key=secrets.token_hex(24),  # hex: a key starting with "-" would read as a flag
            binary=binary,
            data_dir=data_dir,
            log_path=data_dir / "meilisearch.log",
            port=port,
            _extra_args=list(extra_args or []),
        )
        server.start()
        atexit.register(server.stop, remove=True)
        return server

    def start(self, timeout: float = 60.0) -> None:
        """Start (or restart, same data and port) the server we own."""
        assert self.binary and self.data_dir and self.log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        args = [
            str(self.binary),
            "--db-path", str(self.data_dir / "data.ms"),
            "--dump-dir", str(self.data_dir / "dumps"),
            "--snapshot-dir", str(self.data_dir / "snapshots"),
            "--http-addr", f"127.0.0.1:{self.port}",
            "--master-key", str(self.master_key),
            "--env", "development",
            "--no-analytics",
            "--max-indexing-threads", "2",
            *self._extra_args,
        ]
        log = self.log_path.open("ab")
        # cwd = the data dir: Meilisearch reads ./config.toml if there is one
        self.process = subprocess.Popen(
            args, cwd=self.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"meilisearch exited ({self.process.returncode}): {self.log_tail()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"meilisearch did not answer within {timeout}s: {self.log_tail()}")

    def stop(self, *, remove: bool = False) -> None:
        """Stop the server we own (a real outage); ``remove`` also deletes its data."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if remove and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, n: int = 4000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-n:]


_server: MeiliServer | None = None


def server() -> MeiliServer | None:
    """The test process's server (started on first use), or None if there is none."""
    global _server
    if _server is not None:
        return _server
    url = os.environ.get(URL_ENV)
    if url:
        _server = MeiliServer(url=url.rstrip("/"), master_key=os.environ.get(KEY_ENV) or None)
        return _server
    binary = executable()
    if binary is None:
        return None
    _server = MeiliServer.launch(binary)
    return _server

"""A real uvicorn server in a subprocess, on a free port, with its own database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, data_dir: Path, *, db_url: str | None = None, demo: bool = True,
                 env: dict[str, str] | None = None, port: int | None = None, base_url: bool = True,
                 via_cli: bool = False, workers: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "BARNRATT_DATA_DIR": str(data_dir),
            "BARNRATT_ENV": "development",
            "BARNRATT_BASE_URL": self.url,
            **({"BARNRATT_DATABASE_URL": db_url} if db_url else {}),
            **(env or {}),
        }
        if not base_url:  # as `make run` does: the app derives its links from the port served
            for name in ("BARNRATT_BASE_URL", "BARNRATT_PORT", "PORT"):
                self.env.pop(name, None)
        self.via_cli = via_cli
        self.workers = workers
        self.demo = demo
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "server.log"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"barnratt {' '.join(args)} failed: {result.stderr}")
        return result

    def start(self) -> "LiveServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("init")
        if self.demo:
            self.cli("demo")
        log = self.log_path.open("w")
        command = (["-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)] if self.via_cli
                   else ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)])
        if self.workers:
            command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + self.log_path.read_text())
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start: " + self.log_path.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

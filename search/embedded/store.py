"""On-disk layout of the embedded engine and atomic switching between indexes.

    <data_dir>/search/<index_name>/
        CURRENT                      # name of the live generation (one line)
        v1-20250101T120000-3f9a1c/   # a tantivy index directory ("generation")
        v1-20250102T080000-77b0de/   # e.g. a rebuild in progress

A rebuild writes a complete new generation next to the live one and then
replaces CURRENT with ``os.replace`` (atomic on POSIX): readers either see the
old or the new generation, never a partial one. Processes notice the switch by
stat()-ing CURRENT before every operation (inode/mtime change).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from search.base import SearchUnavailable
from search.embedded.schema import SCHEMA_VERSION

POINTER = "CURRENT"
STALE_AFTER_S = 24 * 3600  # unreferenced generations older than this are removed


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pointer = root / POINTER

    def pointer_signature(self) -> tuple[int, int]:
        try:
            st = os.stat(self.pointer)
        except OSError as exc:
            raise SearchUnavailable(f"search index is not available ({self.pointer}: {exc.strerror})") from exc
        return (st.st_ino, st.st_mtime_ns)

    def current_generation(self) -> Path:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SearchUnavailable(f"search index is not available ({self.pointer}: {exc.strerror})") from exc
        if not name or "/" in name or name.startswith("."):
            raise SearchUnavailable(f"search index pointer is corrupt: {self.pointer}")
        return self.root / name

    @staticmethod
    def is_current_version(generation: Path) -> bool:
        return generation.name.startswith(f"v{SCHEMA_VERSION}-")

    def new_generation(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.root / f"v{SCHEMA_VERSION}-{stamp}-{secrets.token_hex(3)}"
        path.mkdir(parents=True)
        return path

    def switch(self, generation: Path) -> None:
        """Atomically make ``generation`` the live one."""
        tmp = self.root / f".{POINTER}.{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(generation.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def remove(self, generation: Path) -> None:
        shutil.rmtree(generation, ignore_errors=True)

    def remove_stale(self, keep: Path) -> None:
        """Remove generations left behind by crashed rebuilds (old, unreferenced)."""
        now = time.time()
        for child in self.root.iterdir():
            if child.is_dir() and child != keep and child.name.startswith("v"):
                try:
                    if now - child.stat().st_mtime > STALE_AFTER_S:
                        self.remove(child)
                except OSError:
                    pass

"""Meilisearch half of ``make bench``: the same documents and queries on a real server.

Called from ``bench/search.py`` (one small hook) after the embedded engine's
table. The server is ``--meili-url``/``--meili-key`` (or ``BARNRATT_TEST_MEILI_URL``
/ ``BARNRATT_TEST_MEILI_KEY``), or one started from ``BARNRATT_MEILI_BIN`` /
``meilisearch`` on PATH (127.0.0.1, temporary data dir, restarted fresh for each
size so its peak memory is per size). Each size runs ``bench/search.py --size N
--engine meilisearch`` in a subprocess, exactly as the embedded half does, so
both engines index the same seeded documents with ``backend.rebuild`` and
answer the same query mix through ``backend.search``. Without a server this
half says so and is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _server(args: Any):
    from tests import meili

    url = getattr(args, "meili_url", None) or os.environ.get(meili.URL_ENV)
    if url:
        key = getattr(args, "meili_key", None) or os.environ.get(meili.KEY_ENV)
        return meili.MeiliServer(url=url.rstrip("/"), master_key=key or None)
    binary = meili.executable()
    return meili.MeiliServer.launch(binary) if binary else None


def _proc_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _dir_mb(path: Path | None) -> float | None:
    if path is None:
        return None
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def run(args: Any, sizes: list[int], script: Path) -> list[dict[str, Any]] | None:
    """One row per size for Meilisearch, or None (and a note) without a server."""
    server = _server(args)
    if server is None:
        print("… Meilisearch: no server (set BARNRATT_MEILI_BIN, put meilisearch on PATH, or pass "
              "--meili-url): that half of the benchmark did not run", file=sys.stderr, flush=True)
        return None
    rows = []
    try:
        print(f"… Meilisearch {server.version()} at {server.url}", file=sys.stderr, flush=True)
        for size in sizes:
            if server.started_here:  # a fresh server per size: peak memory per size
                server.stop(remove=False)
                import shutil

                shutil.rmtree(server.data_dir / "data.ms", ignore_errors=True)
                server.start()
            cmd = [sys.executable, str(script), "--size", str(size), "--engine", "meilisearch",
                   "--queries", str(args.queries), "--seed", str(args.seed), "--meili-url", server.url]
            if server.master_key:
                cmd += ["--meili-key", server.master_key]
            print(f"… meilisearch: {size:,} documents", file=sys.stderr, flush=True)
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            row = json.loads(out.strip().splitlines()[-1])
            pid = server.process.pid if server.process else None
            row["server_peak_mb"] = (_proc_kb(pid, "VmHWM") or 0) / 1024 if pid else None
            row["server_disk_mb"] = _dir_mb(server.data_dir / "data.ms") if server.data_dir else None
            row["version"] = server.version()
            rows.append(row)
            b = row["backend"]
            print(f"  build {row['build_s']:.1f}s, p50 {b['p50']:.2f} ms, p95 {b['p95']:.2f} ms",
                  file=sys.stderr, flush=True)
    finally:
        if server.started_here:
            server.stop(remove=True)
    return rows


def side_by_side(embedded: list[dict[str, Any]], meili: list[dict[str, Any]]) -> str:
    """Both engines per size: index throughput, query p50/p95/p99, memory."""
    head = (
        "| docs | engine | index build (s) | docs/s | p50 (ms) | p95 (ms) | p99 (ms) "
        "| memory peak (MB) | index on disk (MB) | median hits | load avg |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    by_size = {r["size"]: r for r in meili}
    for e in embedded:
        pair = [(e["engine"], e, f"{e['rss_peak_mb']:,.0f} (process)", e.get("index_mb"))]
        m = by_size.get(e["size"])
        if m:
            server = f"{m['server_peak_mb']:,.0f}" if m.get("server_peak_mb") else "?"
            pair.append((f"meilisearch {m['version']}", m,
                         f"{server} (server) + {m['rss_peak_mb']:,.0f} (client)", m.get("server_disk_mb")))
        for name, r, memory, disk in pair:
            b = r["backend"]
            disk_s = f"{disk:,.0f}" if disk is not None else "–"
            lines.append(
                f"| {r['size']:,} | {name} | {r['build_s']:.1f} | {r['docs_per_s']:,.0f} "
                f"| {b['p50']:.2f} | {b['p95']:.2f} | {b['p99']:.2f} | {memory} | {disk_s} "
                f"| {r['median_total']:,.0f} | {r['load_avg']:.1f} |"
            )
    return "\n".join(lines)

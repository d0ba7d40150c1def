"""Search benchmark (engine half): index build speed, query latency, memory.

    python bench/search.py --sizes 1000,10000,100000 [--engine embedded]
    python bench/search.py --sizes 10000 --engine meilisearch --meili-url http://127.0.0.1:7700

For each size a fresh subprocess (so peak RSS is per size) generates N seeded
synthetic examples (bench/synthetic.py), builds the index with
``backend.rebuild`` and runs a realistic query mix: 1-3 words of text (some
typed halfway, some with a typo), two facet filters, all 9 facets, mostly
relevance sort, pages 1-3. Prints a Markdown table.

Latency columns are measured by :func:`measure`, which takes any callable that
runs one query. The "backend" columns call ``backend.search`` directly; an HTTP
column can be added by measuring :func:`http_query_fn` against a running app.
CPU/query is the process CPU time per query (all threads): on a shared machine
it is a steadier number than wall-clock latency. The load average and a
calibration (median CPU ms of a fixed pure-Python loop, run between queries;
~100-150 ms on an idle modern core) show how busy/slow the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Running "python bench/search.py" puts bench/ first on sys.path, where this very
# file would shadow the ``search`` package: use the repository root instead.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from bench.synthetic import Generator  # noqa: E402
from search import SearchQuery, build_document, get_backend  # noqa: E402

WARMUP = 30


def percentile(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def measure(query_fn: Callable[[SearchQuery], Any], queries: Sequence[SearchQuery]) -> dict[str, float]:
    """Latency of ``query_fn`` over ``queries`` (after a warm-up), in ms.

    Also the CPU time this process spent per query (all threads): unlike wall
    time it hardly depends on what else runs on the machine."""
    for q in queries[:WARMUP]:
        query_fn(q)
    times, cpu, calib = [], [], []
    for i, q in enumerate(queries):
        if i % 25 == 0:
            calib.append(calibrate(300_000))
        t, c = time.perf_counter(), time.process_time()
        query_fn(q)
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "calibration_ms": statistics.median(calib),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "mean": statistics.fmean(times),
        "cpu_mean": statistics.fmean(cpu),
        "cpu_p95": percentile(cpu, 95),
    }


def calibrate(n: int = 3_000_000) -> float:
    """CPU ms of a fixed pure-Python loop, scaled to 3M iterations: how fast
    this machine is right now (an idle modern core: roughly 100-150 ms)."""
    t = time.process_time()
    x = 0
    for i in range(n):
        x += i
    return (time.process_time() - t) * 1000 * 3_000_000 / n


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_size(args: argparse.Namespace) -> dict[str, Any]:
    gen = Generator(seed=args.seed)
    t0 = time.perf_counter()
    examples = list(gen.examples(args.size))
    gen_s = time.perf_counter() - t0
    rss_docs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # build_document alone, on a copy of the first examples (its caches then start cold again)
    sample = examples[: min(len(examples), 2000)]
    t0 = time.perf_counter()
    for e in sample:
        build_document(e)
    doc_ms = (time.perf_counter() - t0) / len(sample) * 1000
    _cold_caches()

    own_dir = args.data_dir is None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="barnratt-bench-"))
    try:
        return _run_size(args, examples, gen_s, doc_ms, rss_docs, data_dir)
    finally:
        if own_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def _cold_caches() -> None:
    """Forget what document building has cached (so the rebuild starts cold too)."""
    from search import compounds
    from search.embedded import analysis

    compounds._token_caches = ({}, {})
    compounds.split_compound.cache_clear()
    compounds.subcompounds.cache_clear()
    analysis._forms = ({}, {})


def _run_size(args, examples, gen_s, doc_ms, rss_docs, data_dir: Path) -> dict[str, Any]:
    index_name = f"bench_{args.size}_{int(time.time())}"
    backend = get_backend(
        args.engine, data_dir=data_dir, meili_url=args.meili_url, meili_api_key=args.meili_key,
        index_name=index_name,
    )
    backend.configure()
    if args.serial:
        backend.parallel_facets = False  # type: ignore[attr-defined]
    # documents/s includes building the documents (streamed into the index, as the app does)
    t0 = time.perf_counter()
    n = backend.rebuild(build_document(e) for e in examples)
    build_s = time.perf_counter() - t0
    rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert n == args.size == backend.count()
    del examples

    qgen = Generator(seed=args.seed)  # same vocabulary and topics ...
    qgen.rng = random.Random(args.seed + 1)  # ... different random stream
    queries = [qgen.query() for _ in range(args.queries)]
    totals, tooks = [], []

    def backend_query(q: SearchQuery) -> None:
        res = backend.search(q)
        totals.append(res.total)
        tooks.append(res.took_ms)

    latency = measure(backend_query, queries)
    out = {
        "engine": args.engine + (" (serial)" if args.serial else ""),
        "size": args.size,
        "load_avg": os.getloadavg()[0],
        "generate_s": gen_s,
        "build_document_ms": doc_ms,
        "build_s": build_s,
        "docs_per_s": args.size / build_s,
        "index_mb": (_dir_size(data_dir / "search" / index_name) / 1e6) if args.engine == "embedded" else None,
        "backend": latency,
        "median_total": statistics.median(totals),
        "zero_hit_share": sum(t == 0 for t in totals) / len(totals),
        "rss_docs_mb": rss_docs / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_build_mb": rss_build / 1024,
    }
    if args.engine == "meilisearch":
        backend.client.index(index_name).delete()  # type: ignore[attr-defined]
    backend.close()
    return out


def http_query_fn(base_url: str, path: str) -> Callable[[SearchQuery], Any]:  # pragma: no cover
    """One query through the app's HTTP API, for a future "HTTP" latency column:
    ``measure(http_query_fn("http://127.0.0.1:8000", "<search endpoint>"), queries)``.
    Query parameters are the SearchQuery fields (lists repeated)."""
    import httpx

    client = httpx.Client(base_url=base_url, timeout=10)

    def query(q: SearchQuery) -> Any:
        return client.get(path, params=q.model_dump(exclude_defaults=True)).raise_for_status()

    return query


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| engine | docs | build_document (ms/doc) | rebuild incl. documents (s) | docs/s | index (MB) "
        "| backend p50 (ms) | p95 (ms) | p99 (ms) "
        "| CPU/query mean (ms) | CPU p95 (ms) | median hits | RSS: examples / peak (MB) | load avg | calib. (ms) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        b = r["backend"]
        index_mb = f"{r['index_mb']:.0f}" if r["index_mb"] is not None else "–"
        lines.append(
            f"| {r['engine']} | {r['size']:,} | {r['build_document_ms']:.2f} | {r['build_s']:.1f} "
            f"| {r['docs_per_s']:,.0f} | {index_mb} "
            f"| {b['p50']:.2f} | {b['p95']:.2f} | {b['p99']:.2f} | {b['cpu_mean']:.2f} | {b['cpu_p95']:.2f} "
            f"| {r['median_total']:,.0f} | {r['rss_docs_mb']:,.0f} / {r['rss_peak_mb']:,.0f} | {r['load_avg']:.1f} "
            f"| {b['calibration_ms']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--engine", default="embedded", choices=["embedded", "meilisearch"])
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--meili-url")
    p.add_argument("--meili-key")
    p.add_argument("--data-dir", help="where to build the embedded index (default: a temp dir)")
    p.add_argument("--serial", action="store_true", help="embedded: count facets on the calling thread only")
    p.add_argument("--no-http", action="store_true", help="skip the HTTP API half (bench/http_api.py)")
    p.add_argument("--port", type=int, default=0, help="HTTP half: server port (default: a free one)")
    p.add_argument("--no-meili", action="store_true", help="skip the Meilisearch side (bench/meili.py)")
    p.add_argument("--meili-sizes", default="1000,10000",
                   help="sizes (of --sizes) the Meilisearch side runs at; it indexes ~170 documents/s "
                        "on two cores, so 100,000 would take longer than the rest together")
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)  # child mode
    p.add_argument("--http-size", type=int, help=argparse.SUPPRESS)  # child mode, HTTP half
    args = p.parse_args(argv)

    if args.size:  # child: one size, JSON on stdout
        print(json.dumps(run_size(args)))
        return 0
    if args.http_size:  # child: the HTTP half for one size
        from bench.http_api import run_http

        print(json.dumps(run_http(args.http_size, args.seed, args.queries, measure, port=args.port)))
        return 0

    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--size", str(size), "--engine", args.engine,
               "--queries", str(args.queries), "--seed", str(args.seed)]
        for flag in ("meili_url", "meili_key", "data_dir"):
            if getattr(args, flag):
                cmd += [f"--{flag.replace('_', '-')}", getattr(args, flag)]
        if args.serial:
            cmd.append("--serial")
        print(f"… {args.engine}: {size:,} documents", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        b = row["backend"]
        print(f"  build {row['build_s']:.1f}s, p50 {b['p50']:.2f} ms, p95 {b['p95']:.2f} ms, "
              f"p99 {b['p99']:.2f} ms", file=sys.stderr, flush=True)
    print(table(rows))
    print()
    print(growth(rows, lambda r: r["backend"]))
    if args.engine == "embedded" and not args.no_meili:  # both engines side by side (bench/meili.py)
        from bench import meili

        wanted = {int(s) for s in args.meili_sizes.split(",") if s}
        sizes = [int(s) for s in args.sizes.split(",") if s and int(s) in wanted]
        if sizes and (meili_rows := meili.run(args, sizes, Path(__file__).resolve())) is not None:
            print()
            print(meili.side_by_side(rows, meili_rows))
    if args.engine != "embedded" or args.no_http:
        return 0
    http_rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        print(f"… HTTP API: {size:,} documents", file=sys.stderr, flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--http-size", str(size),
               "--queries", str(args.queries), "--seed", str(args.seed), "--port", str(args.port)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        http_rows.append(json.loads(out.strip().splitlines()[-1]))
    print()
    print(http_table(http_rows))
    print()
    print(growth(http_rows, lambda r: r["http"], label="HTTP API"))
    return 0


def growth(rows: list[dict[str, Any]], latency: Callable[[dict[str, Any]], dict[str, float]],
           label: str = "engine") -> str:
    """How latency grows with the number of documents (sub-linear: factor < size factor)."""
    parts = []
    for a, b in zip(rows, rows[1:]):
        size_f = b["size"] / a["size"]
        p50_f = latency(b)["p50"] / latency(a)["p50"]
        p95_f = latency(b)["p95"] / latency(a)["p95"]
        verdict = "sub-linear" if max(p50_f, p95_f) < size_f else "NOT sub-linear"
        parts.append(f"{a['size']:,} → {b['size']:,} docs (×{size_f:g}): p50 ×{p50_f:.2f}, p95 ×{p95_f:.2f} ({verdict})")
    return f"{label} latency growth: " + ("; ".join(parts) if parts else "one size only")


def http_table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| docs | app reindex (s) | docs/s | reindex peak RSS (MB) | backend p50 / p95 / p99 (ms) "
        "| HTTP API p50 / p95 / p99 (ms) | HTTP/backend p95 | server peak RSS (MB) | median hits | load avg |\n"
        "|---:|---:|---:|---:|---|---|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        b, h = r["backend"], r["http"]
        lines.append(
            f"| {r['size']:,} | {r['reindex_s']:.1f} | {r['reindex_docs_per_s']:,.0f} | {r['reindex_rss_mb']:,.0f} "
            f"| {b['p50']:.1f} / {b['p95']:.1f} / {b['p99']:.1f} | {h['p50']:.1f} / {h['p95']:.1f} / {h['p99']:.1f} "
            f"| {r['ratio_p95']:.2f} | {r['server_rss_mb']:,.0f} | {r['median_total']:,} | {r['load_avg']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

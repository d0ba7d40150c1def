"""HTTP half of the search benchmark: the same query mix through the real API.

For one size N: a fresh data directory, ``barnratt init``, N synthetic examples (the
engine benchmark's generator, mapped onto the app's vocabulary) written straight into the
database, ``barnratt reindex`` (the app's own path: read from the database, build
documents, build the index aside and swap), then a real uvicorn server. The same queries run
through ``GET /api/v1/examples`` (text, two filters, all facets, highlights, rows loaded
from the database) and through the backend alone on the same index, one after the other.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

SECTOR_MAP = {
    "socialtjanst": "socialtjanst", "skola": "skola", "forskola": "forskola",
    "fritid-kultur": "kultur-och-fritid", "halso-sjukvard": "halso-och-sjukvard",
    "civilsamhalle": "integration", "idrott": "psykiatri", "rattsvasende": "familjeratt",
    "bostad": "samhallsplanering", "arbetsmarknad": "ledning-och-styrning",
}
GROUP_MAP = {
    "alla-barn": "alla-barn", "barn-i-fattigdom": "ekonomisk-utsatthet", "placerade-barn": "placerade-barn",
    "barn-med-funktionsnedsattning": "funktionsnedsattning", "nyanlanda-barn": "nyanlanda",
    "barn-med-psykisk-ohalsa": "anhoriga-barn", "barn-som-utsatts-for-vald": "vald",
    "hbtqi-unga": "nationella-minoriteter",
}
ORG_MAP = {"kommun": "kommun", "region": "region", "ideell": "civilsamhalle", "statlig": "statlig-myndighet",
           "foretag": "naringsliv", "skola": "annan"}
API_PARAM = {
    "articles": "article", "sectors": "sector", "counties": "county", "municipalities": "municipality",
    "target_groups": "target_group", "age_groups": "age_group", "organisation_types": "organisation_type",
    "effort": "effort", "duration": "duration",
}
VALUE_MAP = {"sectors": SECTOR_MAP, "target_groups": GROUP_MAP, "organisation_types": ORG_MAP}


def _municipalities() -> set[str]:
    with (ROOT / "app/reference/municipalities.csv").open(encoding="utf-8") as handle:
        return {row["municipality_code"] for row in csv.DictReader(handle)}


def app_example(doc: dict[str, Any], municipalities: set[str]) -> dict[str, Any]:
    """A synthetic example with the app's vocabulary (so the API accepts its filters)."""
    row = dict(doc)
    row["sectors"] = sorted({SECTOR_MAP[s] for s in doc["sectors"]})
    row["target_groups"] = sorted({GROUP_MAP[t] for t in doc["target_groups"]})
    row["organisation_type"] = ORG_MAP[doc["organisation_type"]]
    if row["municipality_code"] not in municipalities:
        row["municipality_code"] = None
    return row


def app_query(query) -> Any:
    """The engine benchmark's query with the app's vocabulary."""
    changes = {name: [mapping[v] for v in getattr(query, name)] for name, mapping in VALUE_MAP.items()}
    return query.model_copy(update=changes)


def api_params(query) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = [("q", query.text), ("sort", query.sort), ("page", str(query.page)),
                                     ("per_page", str(query.per_page))]
    for field, name in API_PARAM.items():
        params += [(name, str(v)) for v in getattr(query, field)]
    for name in ("max_hours", "max_months", "year_from", "year_to"):
        value = getattr(query, name, None)
        if value is not None:
            params.append((name, str(value)))
    return params


def _env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BARNRATT_DATA_DIR": str(data_dir),
        "BARNRATT_DATABASE_URL": f"sqlite:///{data_dir / 'barnratt.db'}",
        "BARNRATT_ENV": "development",
        "BARNRATT_API_RATE_LIMIT_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT),
    }


def load_database(data_dir: Path, examples) -> float:
    """Write the examples straight into the database (as published rows); seconds taken."""
    os.environ.update(_env(data_dir))
    from sqlalchemy import insert

    from app.core.db import make_engine
    from app.models import Example
    from app.models.example import CONTRACT_FIELDS

    engine = make_engine(f"sqlite:///{data_dir / 'barnratt.db'}")
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for ex in examples:
            row = {name: ex.get(name) for name in CONTRACT_FIELDS}
            row.update(links=[], cost_sek=None, contact_name=None, contact_email=None)
            row.update(id=ex["id"], slug=ex["slug"], status="published", version=1, quality=None,
                       published_at=ex["published_at"], created_at=ex["published_at"], updated_at=ex["published_at"])
            batch.append(row)
            if len(batch) == 2000:
                conn.execute(insert(Example.__table__), batch)
                batch.clear()
        if batch:
            conn.execute(insert(Example.__table__), batch)
    engine.dispose()
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_http(size: int, seed: int, n_queries: int, measure, *, port: int = 0) -> dict[str, Any]:
    """Build the app's data for ``size`` examples, serve it on ``port`` (0: a free
    one), and measure both paths. The data directory is removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"brb-http-{size}-"))
    try:
        return _run_http(size, seed, n_queries, measure, port or free_port(), data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _reindex(env: dict[str, str]) -> tuple[float, float]:
    """``barnratt reindex`` in a child process: seconds and the child's peak RSS (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "app.cli", "reindex"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    out, err = child.communicate()
    if child.returncode:
        raise RuntimeError(f"reindex failed: {err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _run_http(size: int, seed: int, n_queries: int, measure, port: int, data_dir: Path) -> dict[str, Any]:
    import random

    from bench.synthetic import Generator
    from search import get_backend

    municipalities = _municipalities()
    env = _env(data_dir)
    subprocess.run([sys.executable, "-m", "app.cli", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    gen = Generator(seed=seed)
    load_s = load_database(data_dir, (app_example(d, municipalities) for d in gen.examples(size)))
    reindex_s, reindex_rss = _reindex(env)

    qgen = Generator(seed=seed)
    qgen.rng = random.Random(seed + 1)
    queries = [app_query(qgen.query()) for _ in range(n_queries)]

    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        client = httpx.Client(base_url=base, timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        for q in queries[:20]:  # warm-up: caches, connection, first searcher
            client.get("/api/v1/examples", params=api_params(q)).raise_for_status()

        responses: list[httpx.Response] = []

        def http_query(q) -> None:
            # timed: the request until its whole body is read; decoding the JSON is the
            # client's work, done after the measurement
            response = client.get("/api/v1/examples", params=api_params(q))
            response.raise_for_status()
            responses.append(response)

        http = measure(http_query, queries)
        totals = [r.json()["total"] for r in responses[-len(queries):]]
        server_rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    backend = get_backend("embedded", data_dir=data_dir)
    try:
        backend_lat = measure(lambda q: backend.search(q), queries)
    finally:
        backend.close()
    return {
        "size": size,
        "db_load_s": load_s,
        "reindex_s": reindex_s,
        "reindex_docs_per_s": size / reindex_s,
        "reindex_rss_mb": reindex_rss,
        "backend": backend_lat,
        "http": http,
        "ratio_p95": http["p95"] / backend_lat["p95"],
        "server_rss_mb": server_rss,
        "bench_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "median_total": sorted(totals)[len(totals) // 2],
        "load_avg": os.getloadavg()[0],
    }

"""Live: two uvicorn workers on Meilisearch and PostgreSQL under concurrent writes.

Contributors and a county editor drive the public workflow API with bearer tokens from
CLIENTS threads: OPERATIONS publications and revisions in all (each a chain of real
requests: create, submit, approve; revisions: start, PUT, submit, approve), while another
thread searches the API and no answer may be a 5xx. Both workers run the indexer on the
same outbox. Afterwards the outbox drains, and every published example is in the engine
exactly once, with its current text (revised titles found by the new title, not the old),
and the engine holds as many documents as are published.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.core.db import make_engine
from app.models import Example
from search import SearchQuery, get_backend
from search.meili.keys import create_app_key
from tests import meili
from tests.conftest import skip_without_pg
from tests.factories import example_payload
from tests.live import LiveServer
from tests.review.conftest import ALL_MET

pytestmark = pytest.mark.live

OPERATIONS = 200  # publications + revisions, in all
REVISION_EVERY = 5  # every 5th operation revises an example published earlier (40 of 200)
CLIENTS = 8
CONTRIBUTORS = 2
DRAIN_TIMEOUT = 120.0  # seconds the outbox may take to empty once the load is over

_SYLLABLES = ("ba", "ke", "di", "fo", "gu", "ly", "mo", "ni", "pe", "ru")
_REVISED = ("sto", "vra", "klu", "gny", "tje", "hva", "plo", "sku", "bry", "dro")


def word(n: int, alphabet=_SYLLABLES) -> str:
    """A made-up word per number: neighbours differ in whole syllables (more than a typo
    apart) and end in x, which no stemmer strips."""
    return "".join(alphabet[int(d)] for d in f"{n:03d}") + "x"


def original_title(n: int) -> str:
    return f"Barnrättsarbete {word(n)}"


def revised_title(n: int) -> str:
    return f"Barnrättsarbete {word(n, _REVISED)}"


class Load:
    """The client side: tokens, counters and the workflow chains."""

    def __init__(self, url: str, contributors: list[str], editor: str):
        self.url = url
        self.contributors = [{"Authorization": f"Bearer {t}"} for t in contributors]
        self.editor = {"Authorization": f"Bearer {editor}"}
        self.lock = threading.Lock()
        self.published: dict[int, int] = {}  # example id -> number of its original title
        self.revisable: list[int] = []  # published by this run, no revision started yet
        self.revised: dict[int, int] = {}
        self.requests = 0
        self.errors: list[str] = []
        self.local = threading.local()

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(base_url=self.url, timeout=60)
        return self.local.client

    def call(self, method: str, path: str, headers: dict, expect: int = 200, **kwargs) -> dict:
        response = self.client().request(method, path, headers=headers, **kwargs)
        with self.lock:
            self.requests += 1
        if response.status_code != expect:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def approve(self, sid: int) -> int:
        done = self.call("POST", f"/api/v1/submissions/{sid}/decision", self.editor,
                         json={"decision": "approve", "comment": "Bra.", "criteria": ALL_MET})
        assert done["status"] == "published", done
        return int(done["example_id"])

    def publish(self, n: int) -> None:
        author = self.contributors[n % len(self.contributors)]
        created = self.call("POST", "/api/v1/submissions", author, expect=201,
                            json=example_payload(title=original_title(n)))
        self.call("POST", f"/api/v1/submissions/{created['id']}/submit", author)
        eid = self.approve(created["id"])
        with self.lock:
            self.published[eid] = n
            self.revisable.append(eid)

    def revise(self, n: int) -> None:
        with self.lock:
            eid = self.revisable.pop(random.randrange(len(self.revisable))) if self.revisable else None
        if eid is None:  # nothing published yet by the time this thread got here
            return self.publish(n)
        author = self.contributors[n % len(self.contributors)]
        rev = self.call("POST", f"/api/v1/examples/{eid}/revisions", author, expect=201)
        changed = {k: v for k, v in rev.items() if k in example_payload()}
        changed["title"] = revised_title(self.published[eid])
        self.call("PUT", f"/api/v1/submissions/{rev['id']}", {**author, "If-Match": str(rev["version"])},
                  json=changed)
        self.call("POST", f"/api/v1/submissions/{rev['id']}/submit", author)
        assert self.approve(rev["id"]) == eid
        with self.lock:
            self.revised[eid] = self.published[eid]

    def operation(self, n: int) -> None:
        try:
            (self.revise if n % REVISION_EVERY == REVISION_EVERY - 1 else self.publish)(n)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            with self.lock:
                self.errors.append(f"operation {n}: {exc}")


@pytest.fixture
def meili_server():
    binary = meili.executable()
    if binary is None:
        pytest.skip("needs a Meilisearch binary (BARNRATT_MEILI_BIN or meilisearch on PATH)")
    server = meili.MeiliServer.launch(binary)
    yield server
    server.stop(remove=True)


def test_two_workers_under_concurrent_publications_and_searches(fresh_db, meili_server, tmp_path):
    skip_without_pg()
    db_url = fresh_db.url("postgresql")
    key = create_app_key(meili_server.url, meili_server.master_key, "examples")
    server = LiveServer(tmp_path / "data", db_url=db_url, demo=False, workers=2, env={
        "BARNRATT_SEARCH_BACKEND": "meilisearch", "BARNRATT_MEILI_URL": meili_server.url,
        "BARNRATT_MEILI_API_KEY": key, "BARNRATT_RATE_LIMIT_STORAGE": "memory://",
        "BARNRATT_API_RATE_LIMIT_PER_MINUTE": "1000000",
    })
    timings: dict[str, float] = {}
    started = time.monotonic()
    server.start()
    try:
        org = server.cli("organisations", "create", "Umeå kommun", "--type", "kommun", "--county", "24",
                         "--municipality", "2480").stdout.split()[-1]
        emails = [f"bidrag{i}@umea.se" for i in range(CONTRIBUTORS)]
        for email in emails:
            server.cli("users", "create", email, "--role", "contributor", "--organisation", org,
                       "--password-stdin", stdin="ett-langt-losenord-123\n")
        server.cli("users", "create", "redaktor@umea.se", "--role", "editor", "--county", "24",
                   "--password-stdin", stdin="ett-langt-losenord-123\n")
        tokens = [server.cli("tokens", "create", e).stdout.split()[-1] for e in [*emails, "redaktor@umea.se"]]
        load = Load(server.url, tokens[:-1], tokens[-1])
        timings["setup"] = time.monotonic() - started

        # Searches run all through the load; none may fail with a 5xx.
        done = threading.Event()
        searches: list[int] = []
        search_errors: list[str] = []

        def search_loop() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                n = 0
                while not done.is_set():
                    q = random.choice([word(n % OPERATIONS), "Barnrättsarbete", "budget", word(n, _REVISED)])
                    try:
                        response = client.get("/api/v1/examples", params={"q": q})
                    except httpx.HTTPError as exc:
                        search_errors.append(f"{q}: {exc!r}")
                        continue
                    searches.append(response.status_code)
                    if response.status_code >= 500:
                        search_errors.append(f"{q}: {response.status_code} {response.text[:300]}")
                    n += 1

        searcher = threading.Thread(target=search_loop)
        searcher.start()
        load_started = time.monotonic()
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(load.operation, range(OPERATIONS)))
        finally:
            done.set()
            searcher.join(60)
        timings["load"] = time.monotonic() - load_started
        assert load.errors == [], load.errors[:5]
        assert search_errors == [], search_errors[:5]
        assert searches and all(code == 200 for code in searches), sorted(set(searches))
        assert len(load.published) + len(load.revised) == OPERATIONS

        # The outbox drains (both workers' indexers), bounded.
        engine = make_engine(db_url)
        drain_started = time.monotonic()
        deadline = drain_started + DRAIN_TIMEOUT
        while True:
            with engine.connect() as conn:
                pending = conn.execute(text("SELECT count(*) FROM search_outbox")).scalar()
            if pending == 0:
                break
            assert time.monotonic() < deadline, f"{pending} outbox rows left after {DRAIN_TIMEOUT}s"
            time.sleep(0.25)
        timings["drain"] = time.monotonic() - drain_started

        with Session(engine) as session:
            published = {e.id: e.title for e in session.exec(select(Example).where(Example.status == "published"))}
        engine.dispose()
        assert set(published) == set(load.published)
        for eid, n in load.published.items():
            assert published[eid] == (revised_title(n) if eid in load.revised else original_title(n))

        # The engine: one document per published example, with its current title.
        backend = get_backend("meilisearch", data_dir=server.data_dir, meili_url=meili_server.url,
                              meili_api_key=meili_server.master_key)
        try:
            assert backend.count() == len(published)
            for eid, n in load.published.items():
                current = word(n, _REVISED) if eid in load.revised else word(n)
                hits = [h.id for h in backend.search(SearchQuery(text=current, per_page=100)).hits]
                assert hits.count(eid) == 1, (eid, published[eid], hits)
                if eid in load.revised:
                    old = [h.id for h in backend.search(SearchQuery(text=word(n), per_page=100)).hits]
                    assert eid not in old, (eid, "still found by its old title", published[eid])
            everything = backend.search(SearchQuery(per_page=100, page=1))
            assert everything.total == len(published)
        finally:
            backend.close()
    finally:
        server.stop()
    timings["total"] = time.monotonic() - started
    print(f"\nlive load: {len(load.published)} published, {len(load.revised)} revised, "
          f"{load.requests} workflow requests, {len(searches)} searches, "
          + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))

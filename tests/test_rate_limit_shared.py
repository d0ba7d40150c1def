"""One rate limit past one process: the public API's limit counted in a real Redis is shared
by several limiters, several uvicorn servers and several uvicorn workers; when Redis goes
away the limit falls back to this process and comes back when Redis does.

Needs Redis (BARNRATT_TEST_REDIS_URL, default redis://127.0.0.1:6379/0): skips without it,
fails without it in CI (BARNRATT_REQUIRE_REDIS=1). Each test has its own key prefix."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.web.ratelimit import RETRY_SHARED_SECONDS, ApiRateLimiter
from tests.conftest import REDIS_URL, REQUIRE_REDIS, run_async
from tests.live import LiveServer, free_port

LIMIT = 10
PATH = "/api/v1/taxonomies"


def test_two_limiters_on_one_redis_enforce_one_limit(redis_prefix):
    one = ApiRateLimiter(3, REDIS_URL, key_prefix=redis_prefix)
    two = ApiRateLimiter(3, REDIS_URL, key_prefix=redis_prefix)
    elsewhere = ApiRateLimiter(3, REDIS_URL, key_prefix=redis_prefix + "-other")

    async def run():
        hits = [await (one if i % 2 == 0 else two).hit("198.51.100.7") for i in range(5)]
        return hits, await two.hit("198.51.100.8"), await elsewhere.hit("198.51.100.7")

    hits, other_client, other_prefix = run_async(run())
    assert [h.allowed for h in hits] == [True, True, True, False, False]
    assert [h.remaining for h in hits] == [2, 1, 0, 0, 0]
    assert all(1 <= h.retry_after <= 60 for h in hits[3:])
    assert not any(h.fallback for h in hits)
    assert other_client.allowed and other_client.remaining == 2  # per client
    assert other_prefix.allowed and other_prefix.remaining == 2  # per key prefix (deployment)


def _servers_env(redis_prefix: str) -> dict[str, str]:
    return {
        "BARNRATT_RATE_LIMIT_STORAGE": REDIS_URL,
        "BARNRATT_RATE_LIMIT_KEY_PREFIX": redis_prefix,
        "BARNRATT_API_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "BARNRATT_RUN_INDEXER": "false",
    }


def test_two_uvicorn_servers_on_one_database_and_redis_enforce_one_limit(redis_prefix, fresh_db, tmp_path):
    url = fresh_db.url("postgresql")
    env = _servers_env(redis_prefix)
    first = LiveServer(tmp_path / "a", db_url=url, demo=False, env=env)
    second = LiveServer(tmp_path / "b", db_url=url, demo=False, env=env)
    try:
        first.start()
        second.start()
        answers = []
        with httpx.Client(timeout=10) as http:
            for i in range(2 * LIMIT + 5):
                server = first if i % 2 == 0 else second
                answers.append((server, http.get(server.url + PATH, headers={"Origin": "https://www.skr.se"})))
    finally:
        first.stop()
        second.stop()
    codes = [a.status_code for _, a in answers]
    assert codes == [200] * LIMIT + [429] * (LIMIT + 5)
    # Both servers counted down one shared window: 9, 8, ... 0 across the two ports.
    assert [int(a.headers["x-ratelimit-remaining"]) for _, a in answers[:LIMIT]] == list(range(LIMIT - 1, -1, -1))
    assert {s.port for s, a in answers if a.status_code == 200} == {first.port, second.port}
    assert {s.port for s, a in answers if a.status_code == 429} == {first.port, second.port}
    for _, refused in answers[LIMIT:]:
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-ratelimit-limit"] == str(LIMIT)
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["cache-control"] == "no-store"
        assert refused.headers["access-control-allow-origin"] == "*"
    assert "unreachable" not in first.log_path.read_text() + second.log_path.read_text()


def test_uvicorn_with_two_workers_never_exceeds_the_limit(redis_prefix, fresh_db, tmp_path):
    server = LiveServer(tmp_path / "w", db_url=fresh_db.url("sqlite"), demo=False, env=_servers_env(redis_prefix),
                        workers=2)
    try:
        server.start()

        def call(_):
            # A new connection each time, so the kernel spreads them over both workers.
            return httpx.get(server.url + PATH, timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(call, range(4 * LIMIT)))
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert log.count("Started server process") == 2, log  # two workers served
    assert codes.count(200) == LIMIT and codes.count(429) == 3 * LIMIT, codes


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _start_redis(port: int, tmp_path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client.ping()
            client.close()
            return process
        except redis.RedisError:
            if process.poll() is not None:
                raise RuntimeError("redis-server exited")
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def test_redis_outage_counts_in_this_process_and_recovers(redis_prefix, tmp_path, caplog):
    """A Redis of this test's own is stopped and started again: requests never fail, the
    limit keeps holding in this process meanwhile, and the shared count resumes."""
    if shutil.which("redis-server") is None:
        if REQUIRE_REDIS:
            pytest.fail("redis-server is not installed (BARNRATT_REQUIRE_REDIS=1)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    clock = Clock()
    limiter = ApiRateLimiter(3, f"redis://127.0.0.1:{port}/0", key_prefix=redis_prefix, clock=clock)
    caplog.set_level("INFO", logger="barnratt.ratelimit")
    redis_process = _start_redis(port, tmp_path)
    # The limiter's loop runs on a thread of its own: an earlier test in this worker may have
    # left an event loop registered on the main thread (Playwright's sync API does).
    runner = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.new_event_loop()

    def hit(key: str):
        return runner.submit(loop.run_until_complete, limiter.hit(key)).result(timeout=30)

    try:
        shared = hit("a")
        redis_process.terminate()
        redis_process.wait(timeout=10)
        during = [hit("a") for _ in range(4)]
        clock.now += RETRY_SHARED_SECONDS - 1  # not yet time to try Redis again
        still_local = hit("b")
        redis_process = _start_redis(port, tmp_path)
        clock.now += 1
        back = hit("b")
    finally:
        runner.submit(loop.close).result(timeout=30)
        runner.shutdown()
        redis_process.terminate()
        redis_process.wait(timeout=10)
    assert shared.allowed and not shared.fallback
    assert [d.allowed for d in during] == [True, True, True, False]  # the limit holds locally
    assert all(d.fallback for d in during) and still_local.fallback
    # Redis answered again: counted there (a fresh Redis, so the client's first hit).
    assert back.allowed and not back.fallback and back.remaining == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "barnratt.ratelimit"]
    assert len(messages) == 2, messages
    assert "unreachable" in messages[0] and "reachable again" in messages[1]

"""The public API's rate limit: at most N requests per client in any 60 seconds, counted
by the maintained ``limits`` library in a store every server process shares.

* Algorithm: *moving window*. Every allowed request is one timestamp in the client's window
  (a Redis list, trimmed to N entries, updated by one atomic Lua script), so "N per minute"
  holds exactly over any 60 seconds, however many workers and servers answer, and
  ``Retry-After`` is exact: the moment the oldest request leaves the window. The price is
  memory of N timestamps per active client (600 by default, a few kB); the sliding-window
  counter (two integers per client) would be the choice if active clients ever number in
  the hundreds of thousands, at the cost of an approximate limit.
* Storage: ``BARNRATT_RATE_LIMIT_STORAGE``. ``memory://`` counts inside this process only
  (development, tests, one-process deployments); a Redis URL is shared by every worker
  and server. Production refuses ``memory://`` unless ``BARNRATT_RATE_LIMIT_ALLOW_MEMORY``
  says there is one process (see app/core/config.py).
* Redis unreachable at request time: never a 500 and never "no limit at all". The request
  is counted in this process's memory instead (the limit then holds per process, as it did
  before Redis), a warning is logged once per outage, and Redis is tried again after
  ``RETRY_SHARED_SECONDS``; when it answers again an info line says so.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from app.core.config import Settings

logger = logging.getLogger("barnratt.ratelimit")

# Seconds without trying Redis after it failed (requests meanwhile count in memory).
RETRY_SHARED_SECONDS = 30.0
# A Redis that does not answer must not hold requests up: fail over quickly.
REDIS_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until one more request is allowed (0 while requests remain).
    retry_after: int
    # True when the shared store was unreachable and this process counted alone.
    fallback: bool


class ApiRateLimiter:
    """``per_minute`` requests per key in any 60 s, in ``storage_uri`` (memory:// or Redis)."""

    def __init__(self, per_minute: int, storage_uri: str = "memory://", *, key_prefix: str = "barnratt",
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limit = per_minute
        self.storage_uri = storage_uri
        self.key_prefix = key_prefix
        self.is_shared = not storage_uri.lower().startswith("memory://")
        self.clock = clock  # for the retry pause after a Redis failure
        self.wall = wall  # the epoch clock the library's window timestamps use
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shared: MovingWindowRateLimiter | None = None
        self._local: MovingWindowRateLimiter | None = None
        self._down_until: float | None = None
        if self.is_shared:
            self._make_shared_storage()  # a malformed URL fails at start-up, not per request

    @classmethod
    def from_settings(cls, settings: Settings) -> "ApiRateLimiter":
        return cls(settings.API_RATE_LIMIT_PER_MINUTE, settings.RATE_LIMIT_STORAGE,
                   key_prefix=settings.RATE_LIMIT_KEY_PREFIX)

    def _make_shared_storage(self) -> Storage:
        return storage_from_string(
            "async+" + self.storage_uri, implementation="redispy", wrap_exceptions=True,
            key_prefix=f"{self.key_prefix}:ratelimit", socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            # One immediate retry (a pooled connection gone stale after a Redis restart),
            # not redis-py's default of three with seconds of backoff: fall back instead.
            retry=Retry(NoBackoff(), 1),
        )

    def _bind(self) -> None:
        """Asyncio clients and the memory store's expiry task belong to one event loop;
        the server has one, but a test may run several: build them per loop."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._local = MovingWindowRateLimiter(MemoryStorage())
            self._shared = MovingWindowRateLimiter(self._make_shared_storage()) if self.is_shared else None

    async def hit(self, key: str) -> Decision:
        """Count one request for ``key``; say whether it is allowed and what remains."""
        self._bind()
        if self._shared is not None and (self._down_until is None or self.clock() >= self._down_until):
            try:
                decision = await self._hit(self._shared, key, fallback=False)
            except (StorageError, OSError, asyncio.TimeoutError) as exc:
                if self._down_until is None:
                    logger.warning(
                        "Rate limit store %s unreachable (%s); counting in this process only "
                        "(the limit holds per process) and retrying in %.0f s",
                        self._redacted(), _describe(exc), RETRY_SHARED_SECONDS,
                    )
                self._down_until = self.clock() + RETRY_SHARED_SECONDS
            else:
                if self._down_until is not None:
                    logger.info("Rate limit store %s reachable again; the limit is shared", self._redacted())
                    self._down_until = None
                return decision
        assert self._local is not None
        return await self._hit(self._local, key, fallback=self.is_shared)

    async def _hit(self, strategy: MovingWindowRateLimiter, key: str, *, fallback: bool) -> Decision:
        allowed = await strategy.hit(self.item, key)
        stats = await strategy.get_window_stats(self.item, key)
        remaining = max(0, stats.remaining)
        retry = 0 if remaining > 0 else max(1, math.ceil(stats.reset_time - self.wall()))
        return Decision(allowed=allowed, limit=self.limit, remaining=remaining, retry_after=retry, fallback=fallback)

    def _redacted(self) -> str:
        """The storage URL without a password, for the log."""
        scheme, _, rest = self.storage_uri.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "storage_error", None) or exc
    return f"{type(inner).__name__}: {inner}"

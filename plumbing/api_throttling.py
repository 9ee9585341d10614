"""Throttling per API token (per user for session logins), with 429 and Retry-After."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    """`settings.REEX_API_THROTTLE_RATE` requests per token. Counts live in the default cache
    (Redis in production, so every web process shares them). A cache outage lets requests
    through rather than failing them: throttling protects the service, it is not a gate.

    A sliding window from two counters (this window's and the last one's, weighted by how much
    of the last window still lies within the period): with Redis, one round trip a request
    (a pipeline: INCR this window's count, set its expiry, GET the last window's) instead of
    DRF's read and rewrite of a list of every request's timestamp in the period. A request
    refused is taken off the count again (as DRF does not count it)."""

    scope = "token"

    def get_rate(self) -> str:
        # Read at request time (not import time) so tests and operators can change it.
        return settings.REEX_API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        digest = getattr(request.auth, "digest", None)
        if digest:
            ident = f"token:{digest[:40]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        counted = getattr(request, "_reex_counted", None)
        if counted is not None and (counted.key, counted.duration) == (key, self.duration):
            # Counted already, in the token check's round trip (plumbing.authentication).
            now, window = counted.now, counted.window
            current, last = counted.current, counted.last
            current_key = f"{key}:{window}"
        else:
            now = self.timer()
            window = int(now // self.duration)
            current_key, last_key = f"{key}:{window}", f"{key}:{window - 1}"
            try:
                current, last = _count(current_key, last_key, self.duration)
            except Exception:
                log.warning("throttle cache unreachable; request not throttled", exc_info=True)
                return True
        elapsed = now / self.duration - window  # share of this window gone, 0 to 1
        weighted = last * (1 - elapsed) + current
        if weighted <= self.num_requests:
            return True
        try:
            cache.decr(current_key)
        except Exception:  # expired meanwhile, or the cache went away: the count is advisory
            log.debug("throttle count not taken back", exc_info=True)
        self._wait = _wait(current - 1, last, elapsed, self.num_requests) * self.duration
        return self.throttle_failure()

    def wait(self) -> float:
        return max(1.0, math.ceil(self._wait))

    def timer(self) -> float:
        return time.time()


def _wait(current: int, last: int, elapsed: float, limit: int) -> float:
    """Periods until one more request passes, given this window's count (without the request
    refused), the last window's, and the share of this window gone."""
    if current + 1 <= limit:  # within this window, once the last one weighs less
        return max(0.0, 1 - (limit - current - 1) / last - elapsed) if last else 0.0
    # In the next window, once this one (then the last) weighs less.
    return (1 - elapsed) + max(0.0, 1 - (limit - 1) / current)


def redis_client():
    """The default cache's Redis client, or None when the cache is not Redis. Built once per
    cache object (Django's Redis cache builds a new client, with its table of ~170 response
    callbacks, on every call: about 0.1 ms each)."""
    backend = getattr(cache, "_cache", None)
    if getattr(backend, "get_client", None) is None:
        return None
    client = getattr(backend, "_reex_client", None)
    if client is None:
        client = backend._reex_client = backend.get_client(write=True)
    return client


@dataclass
class Counted:
    """A request counted by `queue_count` (in someone else's pipeline), for `allow_request`."""

    key: str
    duration: int
    now: float
    window: int
    current: int = 0
    last: int = 0

    def take(self, results: list) -> None:
        """The pipeline's answers to the three commands `queue_count` queued."""
        current, _, last = results
        self.current, self.last = int(current), int(last or 0)


def queue_count(pipe, throttle: TokenRateThrottle, digest: str) -> Counted:
    """Queue on a Redis pipeline what `_count` does for the token with `digest`, so a caller
    that makes a round trip anyway (the token check) counts the request in it."""
    key = throttle.cache_format % {"scope": throttle.scope, "ident": f"token:{digest[:40]}"}
    now = throttle.timer()
    window = int(now // throttle.duration)
    current_key = cache.make_and_validate_key(f"{key}:{window}")
    pipe.incr(current_key)
    pipe.expire(current_key, throttle.duration * 2)
    pipe.get(cache.make_and_validate_key(f"{key}:{window - 1}"))
    return Counted(key=key, duration=throttle.duration, now=now, window=window)


def _count(current_key: str, last_key: str, duration: int) -> tuple[int, int]:
    """Add one to this window's count (kept two periods); this window's count and the last's."""
    client = redis_client()
    if client is None:  # not Redis (tests without REDIS_URL, local runs): the cache API
        cache.add(current_key, 0, duration * 2)
        try:
            current = cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.set(current_key, 1, duration * 2)
            current = 1
        return current, int(cache.get(last_key) or 0)
    current_key, last_key = (
        cache.make_and_validate_key(current_key),
        cache.make_and_validate_key(last_key),
    )
    pipe = client.pipeline(transaction=False)
    pipe.incr(current_key)
    pipe.expire(current_key, duration * 2)
    pipe.get(last_key)
    current, _, last = pipe.execute()
    return int(current), int(last or 0)

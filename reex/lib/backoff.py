"""One backoff for everything that retries: archiving (sources) and webhooks (claims)."""

from __future__ import annotations

import random


def backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    spread: tuple[float, float] = (0.5, 1.0),
    retry_after: float | None = None,
) -> float:
    """Seconds to wait after attempt `attempt` (1, 2, ...): base·2^(attempt-1), capped at `cap`,
    times a random factor in `spread` (jitter, so that failures at the same moment do not retry
    together); a server's Retry-After is honoured when longer. Never more than `cap`."""
    ceiling = min(float(cap), base * 2 ** max(attempt - 1, 0))
    delay = ceiling * random.uniform(*spread)  # noqa: S311 - jitter, not secrecy
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, float(cap))

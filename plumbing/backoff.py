"""One backoff for everything that retries: archiving (sources) and webhooks (claims)."""

from __future__ import annotations

import random


def backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    spread: tuple[float, float] = (0.5, 1.0),
    jitter_below_cap: bool = False,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait after attempt `attempt` (1, 2, ...): base·2^(attempt-1) times a random
    factor in `spread` (jitter, so that failures at the same moment do not retry together), never
    more than `cap`; a server's Retry-After is honoured when longer (still under `cap`).

    `jitter_below_cap`: the cap applies before the jitter, so delays that reach it still spread
    out below it (archiving: a whole batch of snapshots failing at once); otherwise the jitter
    applies first and the cap clips it (webhooks: at most an hour, exactly)."""
    ceiling = base * 2 ** max(attempt - 1, 0)
    if jitter_below_cap:
        ceiling = min(ceiling, float(cap))
    delay = ceiling * random.uniform(*spread)  # noqa: S311 - jitter, not secrecy
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, float(cap))

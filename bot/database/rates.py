"""Rate limits counted in the database, so that every worker (and every machine behind a load balancer) shares
them: N workers allow a limit once, not N times.

`SharedLimiter` keeps a sliding-window estimate from two fixed slots per subject: the current slot's hits plus the
previous slot's, weighted by how much of it still lies inside the window (the scheme of nginx and Cloudflare). A
hit is counted by one atomic `INSERT … ON CONFLICT DO UPDATE … WHERE hits < cap RETURNING`, the same statement on
SQLite (3.35+) and PostgreSQL, so two workers racing for the last allowed hit cannot both get it.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

_COUNT = text(
    "INSERT INTO rate_counts (bucket, subject, slot, hits) VALUES (:bucket, :subject, :slot, 1) "
    "ON CONFLICT (bucket, subject, slot) DO UPDATE SET hits = rate_counts.hits + 1 "
    "WHERE rate_counts.hits < :cap RETURNING hits")
_HITS = text("SELECT slot, hits FROM rate_counts WHERE bucket = :bucket AND subject = :subject "
             "AND slot IN (:previous, :slot)")
_FORGET = text("DELETE FROM rate_counts WHERE bucket = :bucket AND slot < :previous")
_NO_CAP = 2**31 - 1


class SharedLimiter:
    """`limit` events per subject within `window_seconds`, counted in the database (see the module)."""

    def __init__(self, engine: Engine, bucket: str, limit: int, window_seconds: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.bucket = bucket[:16]
        self.per_minute = limit
        self.window = window_seconds
        self.clock = clock

    def _slot(self) -> tuple[int, float]:
        """The current slot and how far into it we are (0–1)."""
        position = self.clock() / self.window
        slot = math.floor(position)
        return slot, position - slot

    def _counts(self, subject: str, slot: int) -> tuple[int, int]:
        with self.engine.connect() as conn:
            rows = {int(r.slot): int(r.hits) for r in conn.execute(
                _HITS, {"bucket": self.bucket, "subject": subject[:64], "previous": slot - 1, "slot": slot})}
        return rows.get(slot - 1, 0), rows.get(slot, 0)

    def _carried(self, previous: int, into: float) -> int:
        """The previous slot's hits still inside the sliding window (rounded up: never more than the limit)."""
        return math.ceil(previous * (1.0 - into))

    def _count(self, subject: str, slot: int, cap: int) -> bool:
        with self.engine.begin() as conn:
            counted = conn.execute(_COUNT, {"bucket": self.bucket, "subject": subject[:64], "slot": slot,
                                            "cap": cap}).first()
            if random.random() < 0.01:  # now and then, forget slots that left every window  # noqa: S311
                conn.execute(_FORGET, {"bucket": self.bucket, "previous": slot - 1})
        return counted is not None

    def allow(self, key: str) -> bool:
        slot, into = self._slot()
        previous, _ = self._counts(key, slot)
        cap = self.per_minute - self._carried(previous, into)
        return cap > 0 and self._count(key, slot, cap)

    def add(self, key: str) -> None:
        slot, _ = self._slot()
        self._count(key, slot, _NO_CAP)

    def wait_seconds(self, key: str) -> int:
        slot, into = self._slot()
        previous, current = self._counts(key, slot)
        if self._carried(previous, into) + current < self.per_minute:
            return 0
        # the estimate falls as the previous slot slides out; at the latest, the current slot's hits leave with
        # the next one
        if current < self.per_minute and previous:
            for step in range(1, int(self.window) + 1):
                later = into + step / self.window
                if later >= 1 or self._carried(previous, later) + current < self.per_minute:
                    return step
        return max(1, math.ceil((2.0 - into) * self.window))

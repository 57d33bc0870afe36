"""One contract for every rate limiter: in this process, and in the database (SQLite and PostgreSQL), where two
workers share the count."""

from __future__ import annotations

import threading

import pytest

from api.limits import Limiter, RateLimiter
from bot.database.db import Database
from bot.database.rates import SharedLimiter


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:  # the start of a minute
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["process", "sqlite", "postgresql"])
def make_limiter(request, tmp_path):
    """A factory of limiters of one kind; the database kinds share one database between the limiters made."""
    if request.param == "process":
        yield lambda limit, window, clock: RateLimiter(limit, window, clock=clock)
        return
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else \
        f"sqlite:///{tmp_path / 'limits.db'}"
    database = Database(url)
    database.upgrade()
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM rate_counts")
    yield lambda limit, window, clock: SharedLimiter(database.engine, "test", limit, window, clock=clock)


def test_allows_the_limit_then_refuses(make_limiter):
    clock = Clock()
    limiter: Limiter = make_limiter(3, 60.0, clock)
    assert [limiter.allow("1.2.3.4") for _ in range(5)] == [True, True, True, False, False]
    assert 0 < limiter.wait_seconds("1.2.3.4") <= 120
    assert limiter.allow("5.6.7.8") and limiter.wait_seconds("5.6.7.8") == 0  # another address has its own count


def test_the_window_slides(make_limiter):
    clock = Clock()
    limiter = make_limiter(4, 60.0, clock)
    assert all(limiter.allow("a") for _ in range(4)) and not limiter.allow("a")
    clock.now += 130  # well past the window: free again
    assert limiter.wait_seconds("a") == 0
    assert all(limiter.allow("a") for _ in range(4)) and not limiter.allow("a")


def test_failures_are_added_whatever_the_count(make_limiter):
    clock = Clock()
    limiter = make_limiter(2, 600.0, clock)
    assert limiter.wait_seconds("x") == 0
    for _ in range(3):
        limiter.add("x")
    assert limiter.wait_seconds("x") > 0 and not limiter.allow("x")
    clock.now += 1300
    assert limiter.wait_seconds("x") == 0


def test_two_workers_share_one_count(make_limiter):
    """Two limiters over one database (two workers), racing from 8 threads: exactly the limit is allowed."""
    clock = Clock()
    first, second = make_limiter(10, 60.0, clock), make_limiter(10, 60.0, clock)
    if isinstance(first, RateLimiter):
        pytest.skip("a limiter in one process counts only its own hits: that is why the database one exists")
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter) -> None:
        for _ in range(5):
            ok = limiter.allow("9.9.9.9")
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer, args=(first if i % 2 else second,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 40 and allowed.count(True) == 10

"""Live views (Server-Sent Events) of tickets: a change made on this worker wakes them at once; a change made on
another worker is seen at their next look at the database, every `handoff_poll_seconds`.

`Changes.notify()` may be called from any thread (routes run in a thread pool); `Changes.wait()` is awaited by the
event streams. The counter closes the gap between a stream's look at the database and its wait: a change in
between ends the wait at once.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

HEARTBEAT_SECONDS = 15.0  # a comment line now and then keeps proxies from closing an idle stream
RETRY_MS = 3000  # how soon the browser reconnects after a stream ends


class Changes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.count = 0

    def notify(self) -> None:
        with self._lock:
            self.count += 1
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed (a test's server stopped)
                pass

    async def wait(self, seen: int, timeout: float) -> None:
        """Until a change after `seen` (the count when the caller last looked), or `timeout` seconds."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            if self.count != seen:
                return
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(entry)


def event(name: str, data: Any, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def stream(changes: Changes, look: Callable[[], list[str]], poll: float, seconds: float,
                 gone: Callable[[], Awaitable[bool]]) -> AsyncIterator[str]:
    """The events `look()` (run in a thread: it reads the database) returns, each time something may have changed,
    until `seconds` have passed or the client has gone."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    quiet = loop.time()
    yield f"retry: {RETRY_MS}\n\n"
    while loop.time() < end and not await gone():
        seen = changes.count
        events = await run_in_threadpool(look)
        for item in events:
            yield item
        if events:
            quiet = loop.time()
        elif loop.time() - quiet > HEARTBEAT_SECONDS:
            quiet = loop.time()
            yield ": keep-alive\n\n"
        await changes.wait(seen, min(poll, max(0.0, end - loop.time())))

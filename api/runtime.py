"""The one owner of a worker's live state: the assistant (catalog, indexes), the commune registry, office
details, the conversation use-case, the voice service and the count of failed clerk sign-ins per address.

Every worker process has one `Runtime`. `reload()` rebuilds what comes from the knowledge base; each worker
calls it when the index version changes (ingest, an admin edit on any worker, `tthc ingest` beside a running
server), checked at most every few seconds on a request. `reload_offices()` re-reads only the office details,
when the offices version changes (a clerk saved them on any worker). Routers reach it only through `api.deps`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque

from api.live import Changes
from bot.assistant import Assistant
from bot.conversation import Conversation
from bot.database.db import Database
from bot.handoff import Handoff
from bot.knowledge.communes import Locality, Office, Registry, load_offices, locality_of, offices_version
from bot.search.catalog import index_version
from bot.settings import Settings
from bot.voice.service import VoiceService

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 5.0


class FailureWindow:
    """Failed sign-ins per client address within a sliding window (per worker, like the public rate limit)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures[address]
        while failures and now - failures[0] > self.seconds:
            failures.popleft()
        return failures

    def wait_seconds(self, address: str) -> int:
        """0 when the address may try again, else how long until its oldest failure leaves the window."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(address, now)
            if len(failures) < self.limit:
                return 0
            return max(1, int(self.seconds - (now - failures[0])) + 1)

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
            if len(self._failures) > 10000:  # forget addresses with nothing in the window
                for key in [k for k, v in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]


class Runtime:
    def __init__(self, settings: Settings, database: Database, assistant: Assistant | None = None,
                 voice: VoiceService | None = None) -> None:
        self.settings = settings
        self.database = database
        self._lock = threading.Lock()
        self._version = index_version(settings.index_dir)
        self._offices_version = offices_version(settings.index_dir)
        self._checked = time.monotonic()
        self.assistant = assistant or Assistant.build(settings)
        self.registry = Registry.load(settings.knowledge_dir)
        self.offices: dict[str, Office] = load_offices(settings.knowledge_dir, self.registry)
        self.changes = Changes()  # wakes this worker's live ticket views (SSE) when a ticket changes
        self.handoff = Handoff(database.tickets, database.conversations, settings.handoff_offer_after,
                               on_change=self.changes.notify)
        self.conversation = Conversation(lambda: self.assistant, database.conversations, self.handoff)
        self.voice_service = voice  # built on the first spoken question unless given
        self.login_failures = FailureWindow(settings.clerk_address_failures, settings.clerk_lockout_minutes * 60)

    def refresh(self) -> None:
        """Reload if the knowledge base changed since the last look (looked at most every few seconds)."""
        now = time.monotonic()
        if now - self._checked < RELOAD_CHECK_SECONDS:
            return
        self._checked = now
        if index_version(self.settings.index_dir) != self._version:
            self.reload()
        elif offices_version(self.settings.index_dir) != self._offices_version:
            self.reload_offices()

    def reload(self) -> None:
        """Catalog, indexes, registry and offices as ingest last wrote them; the heavy parts are kept."""
        with self._lock:
            self._version = index_version(self.settings.index_dir)  # read first: a later change is seen next time
            self._offices_version = offices_version(self.settings.index_dir)
            assistant = self.assistant.reload()
            registry = Registry.load(self.settings.knowledge_dir)
            offices = load_offices(self.settings.knowledge_dir, registry)
            self.assistant, self.registry, self.offices = assistant, registry, offices
        log.info("reloaded: %d procedures, %d offices", len(assistant.catalog.procedures), len(offices))

    def reload_offices(self) -> None:
        """Office details only (a clerk saved them on some worker): cheap, the catalog and indexes stay."""
        with self._lock:
            self._offices_version = offices_version(self.settings.index_dir)
            self.offices = load_offices(self.settings.knowledge_dir, self.registry)
        log.info("reloaded office details: %d offices", len(self.offices))

    def locality(self, ward_code: str | None) -> Locality | None:
        """The commune a question comes from (the page's or widget's code), with its office details."""
        return locality_of(ward_code, self.registry, self.offices)

    def voice(self) -> VoiceService:
        """The voice service; Whisper loads on the first spoken question, once per process."""
        if self.voice_service is None:
            with self._lock:
                if self.voice_service is None:
                    from bot.voice.transcribers import build_transcriber

                    s = self.settings
                    self.voice_service = VoiceService(build_transcriber(s), max_seconds=s.voice_max_seconds,
                                                      concurrency=s.voice_concurrency, lock_dir=s.var_dir / "locks")
        return self.voice_service

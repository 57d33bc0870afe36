"""The one owner of a worker's live state: the assistant (catalog, indexes), the commune registry, office
details, the conversation use-case, the voice service and the limiter of failed clerk sign-ins per address.

Every worker process has one `Runtime`. `reload()` rebuilds what comes from the knowledge base; each worker
calls it when the index version changes (ingest, an admin edit on any worker, `tthc ingest` beside a running
server), checked at most every few seconds on a request. `reload_offices()` re-reads only the office details,
when the offices version changes (a clerk saved them on any worker). Routers reach it only through `api.deps`.
"""

from __future__ import annotations

import logging
import threading
import time

from api.limits import Limiter, Limits
from api.live import Changes
from bot.assistant import Assistant
from bot.conversation import Conversation
from bot.database.db import Database
from bot.handoff import Handoff
from bot.knowledge.communes import Locality, Office, Registry, load_offices, locality_of, offices_version
from bot.search.catalog import index_version
from bot.settings import Settings
from bot.unanswered import Groups
from bot.voice.service import VoiceService

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 5.0


class Runtime:
    def __init__(self, settings: Settings, database: Database, assistant: Assistant | None = None,
                 voice: VoiceService | None = None, login_failures: Limiter | None = None) -> None:
        self.settings = settings
        self.database = database
        self._lock = threading.Lock()
        self._version = index_version(settings.index_dir)
        self._offices_version = offices_version(settings.index_dir)
        self._checked = time.monotonic()
        self.assistant = assistant or Assistant.build(settings)
        self.assistant.retriever.warm()
        self.registry = Registry.load(settings.knowledge_dir)
        self.offices: dict[str, Office] = load_offices(settings.knowledge_dir, self.registry)
        self.changes = Changes()  # wakes this worker's live ticket views (SSE) when a ticket changes
        self.handoff = Handoff(database.tickets, database.conversations, settings.handoff_offer_after,
                               on_change=self.changes.notify)
        self.conversation = Conversation(lambda: self.assistant, database.conversations, self.handoff,
                                         events=database.events)
        self.voice_service = voice  # built on the first spoken question unless given
        # unanswered questions grouped by meaning (/clerk/unanswered), on the assistant's embedder
        self.unanswered = Groups(database.unanswered, self.assistant.embedder, settings.unanswered_threshold,
                                 settings.retention_days, settings.unanswered_limit)
        # failed clerk sign-ins per address: shared by the workers when the app's limits are (api.limits)
        self.login_failures = login_failures or Limits.of(settings, database.engine).login_failures

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
            assistant.retriever.warm()
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
                                                      concurrency=s.voice_concurrency, lock_dir=s.var_dir / "locks",
                                                      question=s.voice_question)
        return self.voice_service

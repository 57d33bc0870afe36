"""Spoken questions: decode, transcribe, correct against the knowledge base, then answer."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answer import Answer
from bot.assistant import Assistant
from bot.correct import Correction, Corrector, knowledge_phrases
from bot.errors import InputError
from bot.transcribe import Transcriber, Transcript, decode_audio


class VoiceBusyError(InputError):
    """Every voice slot is taken; typed chat is unaffected."""


def _busy() -> VoiceBusyError:
    return VoiceBusyError("All voice slots are busy; try again in a moment or type the question.",
                          "Hệ thống đang bận xử lý giọng nói. Vui lòng thử lại sau giây lát hoặc gõ câu hỏi.")


@dataclass(frozen=True)
class VoiceResult:
    transcript: Transcript
    correction: Correction
    answer: Answer | None


class VoiceService:
    def __init__(self, assistant: Assistant, transcriber: Transcriber, max_seconds: float = 60.0,
                 concurrency: int = 1, lock_dir: Path | None = None) -> None:
        self.assistant = assistant
        self.transcriber = transcriber
        self.corrector = Corrector(knowledge_phrases(assistant.catalog, assistant.retriever.restorer))
        self.max_seconds = max_seconds
        self._slots = threading.BoundedSemaphore(concurrency)
        # one machine-wide slot per `concurrency`, shared by every worker process through lock files, so
        # that N workers never run N Whisper decodes at once and starve typed chat of CPU
        self._lock_files = [lock_dir / f"voice-{i}.lock" for i in range(concurrency)] if lock_dir else []
        if lock_dir:
            lock_dir.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _slot(self, timeout: float = 20.0) -> Iterator[None]:
        if not self._slots.acquire(timeout=timeout):
            raise _busy()
        try:
            if not self._lock_files:
                yield
                return
            deadline = time.monotonic() + timeout
            while True:
                for path in self._lock_files:
                    handle = path.open("w")
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        handle.close()
                        continue
                    try:
                        yield
                    finally:
                        fcntl.flock(handle, fcntl.LOCK_UN)
                        handle.close()
                    return
                if time.monotonic() > deadline:
                    raise _busy()
                time.sleep(0.05)
        finally:
            self._slots.release()

    def hear(self, audio: Any, language: str | None = "vi") -> tuple[Transcript, Correction]:
        samples = decode_audio(audio, max_seconds=self.max_seconds)
        with self._slot():
            transcript = self.transcriber.transcribe(samples, language=language)
        if not transcript.text.strip():
            raise InputError("No speech was recognised in the recording.",
                             "Không nhận ra được câu hỏi trong bản ghi âm. Vui lòng nói rõ hơn hoặc gõ câu hỏi.")
        correction = self.corrector.correct(transcript.text) if transcript.language == "vi" else \
            Correction(transcript.text, transcript.text, ())
        return transcript, correction

    def ask(self, audio: Any, language: str | None = "vi", state: dict[str, str] | None = None,
            history: list[tuple[str, str]] | None = None) -> VoiceResult:
        transcript, correction = self.hear(audio, language)
        return VoiceResult(transcript, correction,
                           self.assistant.ask(correction.corrected, state=state, history=history))

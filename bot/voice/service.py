"""Spoken questions: decode, transcribe, and correct the transcript against the knowledge base's words.

The service keeps the transcriber (heavy, built once) but no catalog: each call is given the assistant in use
now, and the corrector is rebuilt when that assistant's catalog changed (after a re-ingest). Answering is
the conversation's job (`bot.conversation`).
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.assistant import Assistant
from bot.errors import InputError
from bot.search.catalog import Catalog
from bot.voice.correction import Correction, Corrector, knowledge_phrases
from bot.voice.transcribers import Transcriber, Transcript, decode_audio


class VoiceBusyError(InputError):
    """Every voice slot is taken; typed chat is unaffected."""


def _busy() -> VoiceBusyError:
    return VoiceBusyError("All voice slots are busy; try again in a moment or type the question.",
                          "Hệ thống đang bận xử lý giọng nói. Vui lòng thử lại sau giây lát hoặc gõ câu hỏi.")


class VoiceService:
    def __init__(self, transcriber: Transcriber, max_seconds: float = 60.0,
                 concurrency: int = 1, lock_dir: Path | None = None, question: str = "surer") -> None:
        self.transcriber = transcriber
        self.question_from = question  # `Settings.voice_question`
        self._vocabulary: tuple[Catalog, Corrector] | None = None
        self._vocabulary_lock = threading.Lock()
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

    def corrector(self, assistant: Assistant) -> Corrector:
        """The corrector for this assistant's catalog, built once per catalog."""
        with self._vocabulary_lock:
            if self._vocabulary is None or self._vocabulary[0] is not assistant.catalog:
                phrases = knowledge_phrases(assistant.catalog, assistant.retriever.restorer)
                self._vocabulary = (assistant.catalog, Corrector(phrases))
            return self._vocabulary[1]

    def question(self, correction: Correction, assistant: Assistant | None = None) -> str:
        """The text a spoken question searches with (`Settings.voice_question`): as heard, as corrected, or
        (`surer`, with the assistant) whichever of the two retrieval is surer of, by the first result's fused score
        (a refusal counts nothing; a tie, or nothing corrected, keeps the transcript as heard). On `voice_dev` the
        right procedure was among the first three for 14 of 32 questions as heard, 14 as corrected, 16 by the surer
        (README, session 21)."""
        if self.question_from == "corrected":
            return correction.corrected
        if self.question_from != "surer" or assistant is None or not correction.changes:
            return correction.raw

        def sureness(text: str) -> float:
            results = assistant.search(text, k=1).results
            return results[0].score if results else -1.0

        return max((correction.raw, correction.corrected), key=sureness)

    def hear(self, audio: Any, assistant: Assistant, language: str | None = "vi") -> tuple[Transcript, Correction]:
        """Decode and transcribe; a Vietnamese transcript is corrected with the assistant's vocabulary."""
        samples = decode_audio(audio, max_seconds=self.max_seconds)
        with self._slot():
            transcript = self.transcriber.transcribe(samples, language=language)
        if not transcript.text.strip():
            raise InputError("No speech was recognised in the recording.",
                             "Không nhận ra được câu hỏi trong bản ghi âm. Vui lòng nói rõ hơn hoặc gõ câu hỏi.")
        correction = self.corrector(assistant).correct(transcript.text) if transcript.language == "vi" else \
            Correction(transcript.text, transcript.text, ())
        return transcript, correction

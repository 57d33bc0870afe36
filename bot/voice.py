"""Spoken questions: decode, transcribe, correct against the knowledge base, then answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from bot.answer import Answer
from bot.assistant import Assistant
from bot.correct import Correction, Corrector, knowledge_phrases
from bot.errors import InputError
from bot.transcribe import Transcriber, Transcript, decode_audio


class VoiceBusyError(InputError):
    """Every voice slot is taken; typed chat is unaffected."""


@dataclass(frozen=True)
class VoiceResult:
    transcript: Transcript
    correction: Correction
    answer: Answer | None


class VoiceService:
    def __init__(self, assistant: Assistant, transcriber: Transcriber, max_seconds: float = 60.0,
                 concurrency: int = 1) -> None:
        self.assistant = assistant
        self.transcriber = transcriber
        self.corrector = Corrector(knowledge_phrases(assistant.catalog, assistant.retriever.restorer))
        self.max_seconds = max_seconds
        self._slots = threading.BoundedSemaphore(concurrency)

    def hear(self, audio: Any, language: str | None = "vi") -> tuple[Transcript, Correction]:
        samples = decode_audio(audio, max_seconds=self.max_seconds)
        if not self._slots.acquire(timeout=20):
            raise VoiceBusyError("All voice slots are busy; try again in a moment or type the question.",
                                 "Hệ thống đang bận xử lý giọng nói. Vui lòng thử lại sau giây lát hoặc gõ câu hỏi.")
        try:
            transcript = self.transcriber.transcribe(samples, language=language)
        finally:
            self._slots.release()
        if not transcript.text.strip():
            raise InputError("No speech was recognised in the recording.",
                             "Không nhận ra được câu hỏi trong bản ghi âm. Vui lòng nói rõ hơn hoặc gõ câu hỏi.")
        correction = self.corrector.correct(transcript.text) if transcript.language == "vi" else \
            Correction(transcript.text, transcript.text, ())
        return transcript, correction

    def ask(self, audio: Any, language: str | None = "vi") -> VoiceResult:
        transcript, correction = self.hear(audio, language)
        return VoiceResult(transcript, correction, self.assistant.ask(correction.corrected))

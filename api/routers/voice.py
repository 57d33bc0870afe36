"""POST /api/voice: a spoken question (what browsers record, or wav/mp3) -> transcript, correction, answer."""

from __future__ import annotations

import io
import logging
import threading
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from api.deps import AssistantDep, RegistryDep, SettingsDep, StorageDep
from api.routers.chat import build_response, session_or_new
from api.schemas import VoiceResponse, problems
from bot.errors import InputError
from bot.settings import Settings
from bot.voice import VoiceService

router = APIRouter(prefix="/api", tags=["voice"])
log = logging.getLogger(__name__)
_lock = threading.Lock()


def voice_service(request: Request, settings: Settings) -> VoiceService:
    """Whisper is loaded on the first spoken question, once per process."""
    service = getattr(request.app.state, "voice", None)
    if service is None:
        with _lock:
            service = getattr(request.app.state, "voice", None)
            if service is None:
                from bot.transcribe import build_transcriber

                service = VoiceService(request.app.state.assistant, build_transcriber(settings),
                                       max_seconds=settings.voice_max_seconds, concurrency=settings.voice_concurrency,
                                       lock_dir=settings.var_dir / "locks")
                request.app.state.voice = service
    return service


@router.post("/voice", response_model=VoiceResponse, responses=problems(404, 413, 422, 429, 503))
def voice(
    request: Request, settings: SettingsDep, assistant: AssistantDep, registry: RegistryDep, storage: StorageDep,
    audio: Annotated[UploadFile, File(description="webm/opus, ogg, mp4/m4a, wav or mp3; ≤ 60 s, ≤ 5 MB")],
    commune: Annotated[str | None, Form(max_length=16)] = None,
    session_id: Annotated[str | None, Form(max_length=64)] = None,
    lang: Annotated[str | None, Form(pattern=r"^(vi|en|de)$")] = None,
) -> VoiceResponse:
    ward = registry.get(commune).ward_code if commune else ""
    session = session_or_new(session_id)
    data = audio.file.read(settings.voice_max_bytes + 1)
    if len(data) > settings.voice_max_bytes:
        raise InputError(f"The recording is larger than {settings.voice_max_bytes // (1024 * 1024)} MB.",
                         f"Bản ghi âm quá lớn (tối đa {settings.voice_max_bytes // (1024 * 1024)} MB). "
                         "Vui lòng hỏi ngắn gọn hơn.")
    if not data:
        raise InputError("The upload is empty.", "Tệp ghi âm trống. Vui lòng nhấn nút micro, nói câu hỏi rồi gửi.")
    service = voice_service(request, settings)
    state, history = storage.conversation(session) if session_id else ({}, [])
    result = service.ask(io.BytesIO(data), language=lang or "vi", state=state, history=history)
    assert result.answer is not None
    log.info("voice commune=%s seconds=%.1f rtf=%.2f changes=%d", ward or "-", result.transcript.duration,
             result.transcript.rtf, len(result.correction.changes))
    chat = build_response(assistant, storage, result.answer, session, ward, channel="voice")
    return VoiceResponse(transcript=result.correction.raw, corrected=result.correction.corrected,
                         duration=round(result.transcript.duration, 2), **chat.model_dump())

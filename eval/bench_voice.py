"""`tthc bench voice`: WER before/after correction, spoken top-1/top-3, real-time factor, server RSS."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bot.errors import InputError
from bot.settings import Settings
from eval.speech import speak, voice_questions, wer


def run_voice_bench(settings: Settings) -> str:
    from bot.assistant import Assistant
    from bot.voice.service import VoiceService
    from bot.voice.transcribers import build_transcriber

    assistant = Assistant.build(settings)
    t0 = time.perf_counter()
    service = VoiceService(build_transcriber(settings), max_seconds=settings.voice_max_seconds,
                           question=settings.voice_question)
    load_s = time.perf_counter() - t0
    questions = voice_questions()
    raw_wer, cor_wer, rtfs = [], [], []
    top1 = top3 = other_top3 = 0
    other = "heard" if settings.voice_question == "corrected" else "corrected"
    misses: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, item in enumerate(questions):
            audio = speak(item["q"], Path(tmp) / f"q{i}", "webm")
            try:
                transcript, correction = service.hear(str(audio), assistant)
            except InputError:  # nothing recognised: a miss, every word wrong
                raw_wer.append(1.0)
                cor_wer.append(1.0)
                misses.append(f"{item['q']} -> (nothing recognised)")
                continue
            raw_wer.append(wer(item["q"], correction.raw))
            cor_wer.append(wer(item["q"], correction.corrected))
            rtfs.append(transcript.rtf)
            codes = [r.code for r in assistant.search(service.question(correction, assistant), k=3).results]
            other_text = correction.corrected if other == "corrected" else correction.raw
            other_codes = [r.code for r in assistant.search(other_text, k=3).results]
            if not any(c in item["codes"] for c in codes):
                misses.append(f"{item['q']} -> heard '{correction.raw}', corrected '{correction.corrected}'")
            top1 += bool(codes[:1] and codes[0] in item["codes"])
            top3 += any(c in item["codes"] for c in codes)
            other_top3 += any(c in item["codes"] for c in other_codes)
        rss = _server_rss(settings, speak(questions[0]["q"], Path(tmp) / "rss", "webm"))
    n = len(questions)
    return "\n".join([
        f"spoken questions: {n} (espeak-ng -v vi, sent as webm/opus); Whisper load {load_s:.1f} s",
        f"word error rate: raw {statistics.mean(raw_wer):.2f} -> corrected {statistics.mean(cor_wer):.2f}",
        f"right procedure, searching the transcript {settings.voice_question}: top-1 {top1 / n:.2f}, "
        f"top-3 {top3 / n:.2f} ({other}: top-3 {other_top3 / n:.2f})",
        f"real-time factor: mean {statistics.mean(rtfs):.2f}, p50 {statistics.median(rtfs):.2f}, max {max(rtfs):.2f}",
        f"server RSS with embedder and Whisper loaded, after a spoken and a typed question: {rss}",
        *(f"  miss: {m}" for m in misses),
    ])


def _server_rss(settings: Settings, audio: Path) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TTHC_VAR_DIR": str(settings.var_dir), "TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with audio.open("rb") as handle:
            httpx.post(f"{base}/api/voice", files={"audio": ("q.webm", handle)}, timeout=120).raise_for_status()
        httpx.post(f"{base}/api/chat", json={"message": "đăng ký kết hôn"}, timeout=30).raise_for_status()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now, peak = (int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))
        return f"{now:.0f} MB now, {peak:.0f} MB peak"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

"""A bounded load test on loopback: simulated citizens against a real `tthc serve` with N workers.

Each citizen loops until the deadline: asks a question (55%), searches procedures (25%), fetches a
commune's QR code (15%) or asks for a person (5%, a handoff ticket), then thinks 0.5–1.5 s. With
`tickets`, every citizen asks for a person in a loop without pausing (the tickets/s the service can open).
Optional voice users upload a spoken question in a loop. Prints requests/s, p50/p95/p99 and the error
rate, per kind of request. Rate limits are lifted but still counted (in the database by default), so their
cost is in the figures.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

from bot.settings import ROOT, Settings
from eval.retrieval import load_questions
from eval.speech import speak

COMMUNES = ["20320", "20332", "20308", "00004", "03013", "08872", "16234", "21548", "25402", "29431"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _citizen(client: httpx.AsyncClient, deadline: float, questions: list[str], stats: dict, rng: random.Random,
                   tickets: bool = False):
    while time.monotonic() < deadline:
        roll = 0.99 if tickets else rng.random()
        t0 = time.perf_counter()
        try:
            if roll >= 0.95:
                kind = "ticket"
                r = await client.post("/api/handoff", json={"session_id": uuid.uuid4().hex,  # unused: claimed
                                                            "commune": rng.choice(COMMUNES)})
            elif roll < 0.55:
                kind = "chat"
                r = await client.post("/api/chat", json={"message": rng.choice(questions), "commune": "20320"})
            elif roll < 0.80:
                kind = "search"
                r = await client.get("/api/procedures", params={"q": rng.choice(questions), "level": "all"})
            else:
                kind = "qr"
                r = await client.get(f"/api/communes/{rng.choice(COMMUNES)}/qr.png")
            ok = r.status_code < 400
            if not ok:
                stats["errors"].append((float(r.status_code), False))
        except httpx.HTTPError as exc:
            ok = False
            stats["errors"].append((0.0, False))
            stats["exc:" + type(exc).__name__].append((0.0, False))
        stats[kind].append(((time.perf_counter() - t0) * 1000, ok))
        if not tickets:
            await asyncio.sleep(rng.uniform(0.5, 1.5))


async def _voice_user(client: httpx.AsyncClient, deadline: float, audio: bytes, stats: dict):
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        try:
            r = await client.post("/api/voice", files={"audio": ("q.webm", audio)}, timeout=120)
            ok = r.status_code < 400 or r.status_code == 503  # 503 = voice slot busy, by design
        except httpx.HTTPError:
            ok = False
        stats["voice"].append(((time.perf_counter() - t0) * 1000, ok))
        await asyncio.sleep(1.0)


async def _run(base: str, users: int, seconds: float, voice_users: int, audio: bytes | None,
               tickets: bool = False) -> dict:
    questions = [q["q"] for q in load_questions() if q["codes"]]
    stats: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    limits = httpx.Limits(max_connections=users + voice_users + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        deadline = time.monotonic() + seconds
        tasks = [_citizen(client, deadline, questions, stats, random.Random(i), tickets)  # noqa: S311
                 for i in range(users)]
        tasks += [_voice_user(client, deadline, audio, stats) for _ in range(voice_users) if audio]
        await asyncio.gather(*tasks)
    return stats


def _start(workers: int, settings: Settings, rate_limits: str = "database") -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TTHC_RATE_LIMIT_PER_MINUTE": "1000000", "TTHC_SEARCH_RATE_LIMIT_PER_MINUTE": "1000000",
           "TTHC_RATE_LIMITS": rate_limits,
           "TTHC_VAR_DIR": str(settings.var_dir),
           "TTHC_KNOWLEDGE_DIR": str(settings.knowledge_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not become ready")


def run_load(settings: Settings, workers: int = 1, users: int = 50, seconds: float = 60, voice_users: int = 0,
             tickets: bool = False, rate_limits: str = "database") -> str:
    audio = None
    if voice_users:
        with tempfile.TemporaryDirectory() as tmp:
            audio = speak("làm giấy khai sinh cho con cần giấy tờ gì", Path(tmp) / "q", "webm").read_bytes()
    proc, base = _start(workers, settings, rate_limits)
    try:
        if voice_users:  # load Whisper in each worker before measuring
            for _ in range(workers * 2):
                httpx.post(f"{base}/api/voice", files={"audio": ("q.webm", audio or b"")}, timeout=120)
        stats = asyncio.run(_run(base, users, seconds, voice_users, audio, tickets))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    kinds = ("chat", "search", "qr", "ticket", "voice")
    total = sum(len(stats.get(k, [])) for k in kinds)
    errors = sum(not ok for k in kinds for _, ok in stats.get(k, []))
    detail = sorted({int(code) for code, _ in stats.get("errors", [])} | {k for k in stats if k.startswith("exc:")},
                    key=str)
    opened = sum(ok for _, ok in stats.get("ticket", []))
    lines = [f"workers {workers}, {users} citizens" + (f" + {voice_users} voice users" if voice_users else "")
             + f", {seconds:.0f} s, rate limits in the {rate_limits}: {total / seconds:.1f} requests/s, "
             + f"{opened / seconds:.1f} tickets/s, errors {errors} ({errors / max(total, 1):.2%})"
             + (f" {detail}" if detail else "")]
    for kind in kinds:
        lat = [ms for ms, _ in stats.get(kind, [])]
        if lat:
            lines.append(f"  {kind:<7} n={len(lat):<5} p50 {_pct(lat, .5):7.1f} ms  p95 {_pct(lat, .95):7.1f} ms  "
                         f"p99 {_pct(lat, .99):7.1f} ms")
    return "\n".join(lines)

"""Write QR files for many communes, on every core."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from api.qr import chat_url, qr_pdf, qr_png, qr_svg
from bot.knowledge.communes import Commune
from bot.settings import Settings


@dataclass
class BatchReport:
    files: int
    seconds: float


def _one(args: tuple[Settings, Commune, list[str], Path]) -> int:
    settings, commune, formats, out = args
    url = chat_url(settings, commune.ward_code, qr=True)
    written = 0
    for fmt in formats:
        data = qr_png(url) if fmt == "png" else qr_svg(url) if fmt == "svg" else qr_pdf(settings, commune)
        (out / f"{commune.ward_code}.{fmt}").write_bytes(data)
        written += 1
    return written


def write_codes(settings: Settings, communes: list[Commune], formats: list[str], out: Path) -> BatchReport:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    jobs = [(settings, c, formats, out) for c in communes]
    if len(jobs) < 50:
        files = sum(map(_one, jobs))
    else:
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            files = sum(pool.map(_one, jobs, chunksize=64))
    return BatchReport(files=files, seconds=time.perf_counter() - started)

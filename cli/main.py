"""`tthc`: every command, in one table. The commands live in the modules of their concern."""

from __future__ import annotations

import logging
import sys

import typer

from bot.errors import TthcError
from cli import ask, clerks, evaluate, knowledge, serve


def build() -> typer.Typer:
    app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="tthc-bot: Vietnamese administrative procedures.")
    app.command()(ask.search)
    app.command()(ask.ask)
    app.command()(ask.show)
    app.command()(ask.chat)
    app.command()(knowledge.ingest)
    app.command("ingest-if-needed", hidden=True)(knowledge.ingest_if_needed)
    app.command("import-portal")(knowledge.import_portal)
    app.command("export-whisper")(knowledge.export_whisper)
    app.command("export-embedder")(knowledge.export_embedder)
    app.command("build-engine")(knowledge.build_engine)
    app.command()(serve.serve)
    app.command()(serve.qr)
    app.command()(serve.transcribe)
    app.command()(serve.purge)
    app.command()(serve.backup)
    app.command()(serve.restore)

    kb = typer.Typer(no_args_is_help=True, help="The knowledge files: citizen summaries, approved proposals.")
    kb.command("summarize")(knowledge.summarize)
    kb.command("export-proposals")(knowledge.export_proposals)
    app.add_typer(kb, name="knowledge")

    clerk = typer.Typer(no_args_is_help=True, help="Clerk accounts for /clerk/login (passwords from stdin).")
    clerk.command("add")(clerks.add)
    clerk.command("list")(clerks.list_)
    clerk.command("disable")(clerks.disable)
    clerk.command("enable")(clerks.enable)
    clerk.command("passwd")(clerks.passwd)
    app.add_typer(clerk, name="clerk")

    db = typer.Typer(no_args_is_help=True, help="The database: migrations.")
    db.command("upgrade")(serve.db_upgrade)
    app.add_typer(db, name="db")

    evals = typer.Typer(no_args_is_help=True, help="Evaluation reports.")
    evals.command("retrieval")(evaluate.eval_retrieval)
    evals.command("answers")(evaluate.eval_answers)
    evals.command("phrasings")(evaluate.eval_phrasings)
    evals.command("calibrate")(evaluate.eval_calibrate)
    app.add_typer(evals, name="eval")

    bench = typer.Typer(help="Benchmarks that print figures.")
    bench.callback(invoke_without_command=True)(evaluate.bench)
    bench.command("voice")(evaluate.bench_voice)
    bench.command("load")(evaluate.bench_load)
    bench.command("dashboard")(evaluate.bench_dashboard)
    app.add_typer(bench, name="bench")
    return app


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        build()()
    except TthcError as exc:  # the one place core errors become a one-line message and exit code 2
        sys.stderr.write(f"error: {exc.message}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

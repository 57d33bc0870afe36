"""Evaluation reports (`eval retrieval`, `eval answers`) and benchmarks (`bench`, `bench voice`, `bench load`,
`bench dashboard`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.settings import get_settings
from cli.common import GeneratorOption, build_assistant, fail, out

SetOption = Annotated[str, typer.Option("--set", help="main (eval/data/questions.jsonl), heldout or heldout2")]


def eval_retrieval(
    baseline: Annotated[bool, typer.Option(help="Also run the plain LangChain baseline")] = True,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    question_set: SetOption = "main",
) -> None:
    """Recall@1/3/5, MRR, out-of-scope precision/recall and latency, ours against a LangChain baseline."""
    from eval.retrieval import SETS, run_eval

    if question_set not in SETS:
        fail(f"--set must be one of {', '.join(SETS)}")
    report = run_eval(build_assistant(), get_settings(), with_baseline=baseline, name=question_set)
    out(json.dumps(report, ensure_ascii=False, indent=2) if json_out else report["table"])


def eval_answers(
    generator: GeneratorOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only N questions, evenly spread over the set")] = None,
    question_set: SetOption = "main",
    examples: Annotated[int, typer.Option(min=0, max=20, help="Print N generated answers")] = 0,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Key-fact recall, citation validity, unsupported numbers, out-of-scope handling and latency of answers,
    for any generator; with an LLM also its fallback rate, time to first token and tokens/s. Then aspect-first
    accuracy and answer length (eval/data/aspects.jsonl) and the fee in force today on every dated reduction."""
    from eval.answers import answer_metrics, format_report
    from eval.retrieval import SETS

    if question_set not in SETS:
        fail(f"unknown --set '{question_set}': use {' or '.join(SETS)}")
    from eval.aspects import answers_report, format_answers_report

    assistant = build_assistant(generator)
    metrics = answer_metrics(assistant, limit=limit, examples=examples, path=SETS[question_set])
    aspects = answers_report(assistant)
    if json_out:
        out(json.dumps({**metrics, "aspects": aspects}, ensure_ascii=False, indent=2))
    else:
        out(format_report(metrics) + "\n" + format_answers_report(aspects))


def eval_phrasings() -> None:
    """Which e5 prefix (query or passage) matches questions to citizen phrasings best, on the main and old
    held-out sets."""
    from eval.phrasings import run_phrasing_eval

    out(run_phrasing_eval(build_assistant()))


def eval_calibrate() -> None:
    """Grids for the out-of-scope and answer-or-choices thresholds, on the main and old held-out sets."""
    from eval.calibrate import run_calibration

    out(run_calibration(build_assistant()))


def bench(
    ctx: typer.Context,
    full_ingest: Annotated[bool, typer.Option("--full-ingest", help="Also time a full ingest into a temp dir")] = False,
    api: Annotated[bool, typer.Option("--api", help="Also /api/chat latency on loopback and page weight")] = False,
) -> None:
    """Latency, start-up and memory figures (and, with --full-ingest, ingest times). `tthc bench voice`: speech."""
    from eval.bench import run_bench

    if ctx.invoked_subcommand:
        return
    out(run_bench(get_settings(), full_ingest=full_ingest))
    if api:
        from api.app import create_app
        from eval.bench_api import run_api_bench

        out(run_api_bench(get_settings(), create_app))


def bench_voice() -> None:
    """Word error rate before/after correction, spoken top-1/top-3, real-time factor, server RSS with Whisper."""
    from eval.bench_voice import run_voice_bench

    out(run_voice_bench(get_settings()))


def bench_dashboard(
    events: Annotated[int, typer.Option(min=1000, max=20_000_000, help="synthetic events to seed")] = 1_000_000,
    database_url: Annotated[str, typer.Option("--database-url", help="an EMPTY database to seed, e.g. "
                                              "postgresql+psycopg://… (default: a temporary SQLite file)")] = "",
    rounds: Annotated[int, typer.Option(min=3, max=1000, help="timed runs per query")] = 20,
) -> None:
    """Seed synthetic events across every commune and a year, then time each dashboard query (p50/p95) for the
    busiest commune and province. Targets: p95 ≤ 300 ms (commune), ≤ 1 s (province)."""
    from eval.bench_dashboard import run_dashboard_bench

    out(run_dashboard_bench(get_settings(), events=events, database_url=database_url, rounds=rounds))


def bench_load(
    workers: Annotated[int, typer.Option(min=1, max=8)] = 1,
    users: Annotated[int, typer.Option(min=1, max=500, help="simulated citizens")] = 50,
    seconds: Annotated[float, typer.Option(min=5, max=600)] = 60,
    voice_users: Annotated[int, typer.Option(min=0, max=20, help="users who upload spoken questions")] = 0,
    tickets: Annotated[bool, typer.Option(help="every citizen asks for a person, without pausing: tickets/s")] = False,
    rate_limits: Annotated[str, typer.Option(help="TTHC_RATE_LIMITS of the server: database or process")] = "database",
) -> None:
    """A bounded load test on loopback against `tthc serve --workers N`; prints req/s, p50/p95/p99, errors."""
    from eval.load import run_load

    out(run_load(get_settings(), workers=workers, users=users, seconds=seconds, voice_users=voice_users,
                 tickets=tickets, rate_limits=rate_limits))

"""Asking from the terminal: `search`, `ask`, `show` and the interactive `chat`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bot.errors import InputError
from bot.settings import get_settings
from cli.common import (
    CommuneOption,
    GeneratorOption,
    build_assistant,
    commune_locality,
    dispatch,
    fail,
    out,
    settings_for,
    single,
)

LEVELS = ("commune", "province", "ministry", "all")


def search(
    query: Annotated[str | None, typer.Argument(help="Question; omit to read one per line from stdin")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines output")] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many procedures")] = 5,
    level: Annotated[str | None, typer.Option(help="commune|province|ministry|all (default: citizen ranking)")] = None,
) -> None:
    """Find the procedures that answer a question."""
    if level is not None and level not in LEVELS:
        fail(f"--level must be one of {', '.join(LEVELS)}")
    scope = level or "citizen"
    assistant = build_assistant()

    def run(text: str) -> str:
        res = assistant.search(text, k=k, scope=scope)  # type: ignore[arg-type]
        if json_out:
            return json.dumps({
                "query": text,
                "in_scope": res.in_scope,
                "confident": res.in_scope and res.confident,
                "results": [{"procedure_id": r.code, "title": r.title, "level": r.level, "field": r.field,
                             "score": round(r.score, 4), "url": r.url, "snippet": r.snippet} for r in res.results],
            }, ensure_ascii=False)
        if not res.in_scope:
            return f"(ngoài phạm vi) {text}"
        rows = [f"{i}. [{r.code}] {r.title} ({r.level}, {r.score:.3f})" for i, r in enumerate(res.results, 1)]
        # batch mode writes one line per query, so scripts can pair answers with questions
        return " | ".join(rows) if query is None else "\n".join(rows)

    dispatch(query, run, json_out)


def ask(
    question: Annotated[str | None, typer.Argument(help="Question; omit to read one per line from stdin")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines output")] = False,
    generator: GeneratorOption = None,
    commune: CommuneOption = None,
) -> None:
    """Answer a question from the official procedure texts, with citations."""
    place = commune_locality(commune)
    assistant = build_assistant(generator)

    def run(text: str) -> str:
        answer = assistant.ask(text, locality=place)
        if json_out:
            return json.dumps(answer.to_dict(), ensure_ascii=False)
        return answer.answer.replace("\n", " ⏎ ") if question is None else answer.answer

    dispatch(question, run, json_out)


def show(code: str) -> None:
    """Print one procedure card."""
    from bot.answers.extractive import guide_card, procedure_card
    from bot.knowledge.models import Guide
    from bot.search.catalog import Catalog

    item = Catalog.load(get_settings().index_dir).get(single(code))
    if isinstance(item, Guide):
        out(guide_card(item, "vi"))
        return
    text, _ = procedure_card(item, ["documents", "where", "time", "fee", "legal", "eligibility", "steps"], "vi")
    out(text)


def chat(
    generator: GeneratorOption = None,
    session: Annotated[str | None, typer.Option(help="Continue a session (the id printed when one starts)")] = None,
    commune: CommuneOption = None,
) -> None:
    """Interactive questions and answers in one session (Ctrl-D or 'exit' to leave).

    Turns are stored like the web chat's (redacted, in SQLite or TTHC_DATABASE_URL); follow-ups such as
    "còn lệ phí?" are answered about the procedure the session is on. An LLM's text appears as it is checked.
    """
    from bot.conversation import Conversation, Reply, session_or_new
    from bot.database.db import Database

    place = commune_locality(commune)
    settings = settings_for(generator)
    database = Database(settings.db_url)
    database.upgrade()
    assistant = build_assistant(generator)
    conversation = Conversation(lambda: assistant, database.conversations, events=database.events)
    session_id = session_or_new(session)
    out(f"tthc-bot — hỏi về thủ tục hành chính (gõ 'exit' để thoát). Phiên: {session_id}")
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            out("")
            return
        if line.strip().lower() in {"exit", "quit", "thoat", "thoát"}:
            return
        if not line.strip():
            continue
        streamed = ""
        try:
            for piece in conversation.turn(session_id, line, place, channel="cli"):
                if isinstance(piece, Reply):
                    reply = piece
                else:
                    streamed += piece
                    sys.stdout.write(piece)
                    sys.stdout.flush()
        except InputError as exc:
            out(exc.message_vi)
            continue
        text = reply.answer.answer
        if streamed.strip() != text:  # extractive, or an LLM answer replaced by the fallback
            out(("\n— " if streamed else "") + text)
        else:
            out("")

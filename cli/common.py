"""What every command shares: output, one-line errors, stdin batches, and building the core from settings."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.errors import InputError
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.knowledge.communes import Locality

MAX_LINE_BYTES = 20000

GeneratorOption = Annotated[str | None, typer.Option(
    "--generator", help="extractive, openai or llamacpp (default: TTHC_GENERATOR, else extractive)")]
CommuneOption = Annotated[str | None, typer.Option(
    "--commune", help="5-digit ward code the citizen asks from: 'where' answers name its center, e.g. 20320")]


def commune_locality(code: str | None) -> Locality | None:
    """The commune of `--commune`, with its office details; an unknown code fails with a clear message."""
    if not code:
        return None
    from bot.knowledge.communes import Registry, load_offices, locality_of

    settings = get_settings()
    registry = Registry.load(settings.knowledge_dir)
    return locality_of(code, registry, load_offices(settings.knowledge_dir, registry))


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def settings_for(generator: str | None = None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"generator": generator}) if generator else settings


def build_assistant(generator: str | None = None) -> Assistant:
    from bot.assistant import Assistant

    return Assistant.build(settings_for(generator))


def stdin_lines() -> Iterator[tuple[str | None, str | None]]:
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


def single(query: str | None) -> str:
    if query is None:
        return ""
    if "\x00" in query or any(0xDC80 <= ord(c) <= 0xDCFF for c in query):
        fail("the query is not valid UTF-8 text")
    return query


def dispatch(arg: str | None, run: Callable[[str], str], json_out: bool) -> None:
    """Run one query given as an argument, or one per stdin line (then a bad line is reported and skipped)."""
    import json

    if arg is not None:
        try:
            out(run(single(arg)))
        except InputError as exc:
            fail(exc.message)
        return
    for text, error in stdin_lines():
        if error is None and text is not None:
            try:
                out(run(text))
                continue
            except InputError as exc:
                error = exc.message
        if json_out:
            out(json.dumps({"query": text, "error": error}, ensure_ascii=False))
        else:
            out(f"error: {error}")

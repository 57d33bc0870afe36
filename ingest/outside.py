"""Out-of-scope examples (`knowledge/out_of_scope.yaml`, authored): questions the bot must refuse.

Each example is a citizen-phrasing chunk of its own under the pseudo-code `OUTSIDE_CODE`, embedded like the
procedures' phrasings (as a query) and never put in the keyword index. Retrieval refuses a question that is
nearer to an example than to every procedure's phrasings (`bot.search.retrieval`). Ingest rejects an example
that holds personal data or that a procedure already has among its phrasings (compared folded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.knowledge.models import Guide, Procedure
from bot.redact import redact
from bot.search.retrieval import OUTSIDE_CODE, QUESTION_SECTION
from bot.text import fold
from ingest.chunks import Chunk

FILE = "out_of_scope.yaml"


class OutOfScope(BaseModel):
    source: str = "authored"
    examples: list[str] = Field(default_factory=list)


def folded_phrasings(items: Iterable[Procedure | Guide]) -> dict[str, str]:
    """Every citizen phrasing, folded, with its procedure's code: what a new phrasing or example may not repeat."""
    return {fold(q): item.code for item in items for q in getattr(item, "questions", [])}


def load_outside(knowledge_dir: Path, phrasings: Mapping[str, str]) -> tuple[list[str], str]:
    """(examples, error) of knowledge/out_of_scope.yaml: `phrasings` maps the procedures' folded phrasings to their
    codes. A missing file is no examples; a bad one is an error naming the path and the example."""
    path = knowledge_dir / FILE
    if not path.exists():
        return [], ""
    try:
        data = OutOfScope.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (UnicodeDecodeError, yaml.YAMLError):
        return [], f"{path}: file: not valid UTF-8 YAML"
    except ValidationError as exc:
        first = exc.errors()[0]
        return [], f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}"
    seen: dict[str, int] = {}
    for i, example in enumerate(data.examples):
        text = " ".join(example.split())
        folded = fold(text)
        if not text or len(text) > 300:
            return [], f"{path}: examples[{i}]: must be 1 to 300 characters"
        if redact(text) != text:
            return [], f"{path}: examples[{i}]: {text!r} holds personal data"
        if folded in phrasings:
            return [], f"{path}: examples[{i}]: {text!r} is a citizen phrasing of {phrasings[folded]}"
        if folded in seen:
            return [], f"{path}: examples[{i}]: {text!r} repeats examples[{seen[folded]}]"
        seen[folded] = i
    return [" ".join(e.split()) for e in data.examples], ""


def outside_chunks(examples: list[str]) -> list[Chunk]:
    return [Chunk(f"{OUTSIDE_CODE}#{i}", OUTSIDE_CODE, "Ngoài phạm vi", QUESTION_SECTION, "", "", text, True,
                  as_query=True) for i, text in enumerate(examples)]

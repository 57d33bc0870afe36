"""The everyday-language lexicon: chat shorthand, everyday words → official terms (with regional variants), and
ambiguous words read by their neighbours. Data, not code: `knowledge/lexicon.yaml`, validated and compiled by
ingest into the index, loaded with the catalog.

Everything is compared folded (lower case, no diacritics), on whole words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.search.refusals import Refusals
from bot.text import fold

NEAR_WORDS = 4  # how far `near` looks, in words, either side
LEXICON_YAML, REFUSALS_YAML = "lexicon.yaml", "refusals.yaml"  # in knowledge/
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _folded(value: str) -> str:
    return " ".join(_TOKEN_RE.findall(fold(value)))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    say: str = Field(min_length=1)
    means: str = Field(min_length=1)
    region: Literal["", "north", "centre", "south"] = ""

    @field_validator("say", "means")
    @classmethod
    def _fold(cls, value: str) -> str:
        return _folded(value)


class ContextRule(_Strict):
    """`word` read by its neighbours: right after it (`next`) or within a few words (`near`)."""

    word: str = Field(min_length=1)
    next: list[str] = []
    near: list[str] = []
    drop: bool = False
    add: str = ""

    @field_validator("word", "add")
    @classmethod
    def _fold(cls, value: str) -> str:
        return _folded(value)

    @field_validator("next", "near")
    @classmethod
    def _fold_all(cls, value: list[str]) -> list[str]:
        return [_folded(v) for v in value]

    def applies(self, words: list[str], start: int) -> bool:
        n = len(self.word.split())
        after = " ".join(words[start + n:start + n + 4])
        if any(f"{after} ".startswith(f"{w} ") for w in self.next):
            return True
        window = f" {' '.join(words[max(0, start - NEAR_WORDS):start] + words[start + n:start + n + NEAR_WORDS])} "
        return any(f" {w} " in window for w in self.near)


class Lexicon(_Strict):
    source: Literal["authored"] = "authored"
    shorthand: dict[str, str] = {}
    terms: list[Term] = []
    context: list[ContextRule] = []
    # which questions are not read as procedure questions at all: knowledge/refusals.yaml, compiled in with this
    refusals: Refusals = Refusals()

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        """From knowledge/lexicon.yaml (YAML) or the compiled index copy (JSON, with the refusal rules); no file:
        an empty lexicon."""
        if not path.exists():
            return cls()
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        return cls.model_validate(data or {})

    @classmethod
    def of_knowledge(cls, knowledge_dir: Path) -> Lexicon:
        """knowledge/lexicon.yaml with the refusal rules of knowledge/refusals.yaml, as ingest compiles them."""
        return cls.read(knowledge_dir / LEXICON_YAML).with_refusals(Refusals.read(knowledge_dir / REFUSALS_YAML))

    def with_refusals(self, refusals: Refusals) -> Lexicon:
        return self.model_copy(update={"refusals": refusals})

    def fix_tokens(self, folded: str) -> str:
        """Shorthand and typos replaced, token by token."""
        return " ".join(self.shorthand.get(tok, tok) for tok in _TOKEN_RE.findall(folded))

    def resolve(self, folded: str) -> tuple[str, list[str]]:
        """Ambiguous words read in context: the question with dropped words removed, and the official words
        the context adds."""
        words = folded.split()
        keep = [True] * len(words)
        added: list[str] = []
        for rule in self.context:
            n = len(rule.word.split())
            for i in range(len(words) - n + 1):
                if " ".join(words[i:i + n]) == rule.word and rule.applies(words, i):
                    if rule.drop:
                        keep[i:i + n] = [False] * n
                    if rule.add and rule.add not in added:
                        added.append(rule.add)
        return " ".join(w for w, k in zip(words, keep, strict=True) if k), added

    def expand(self, folded: str) -> list[str]:
        """The official words of every everyday term in the question."""
        padded = f" {folded} "
        out: list[str] = []
        for term in self.terms:
            if f" {term.say} " in padded and term.means not in out:
                out.append(term.means)
        return out

    def official_terms(self) -> list[str]:
        return list(dict.fromkeys(t.means for t in self.terms))

"""The core types of an answer: what was said, in which language, and which official texts it cites.

Every generator returns these; storage, the API and the CLI read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# answer: one procedure, cited; choices: not sure which procedure, so the citizen picks one; refusal: out of
# scope, a request to do something else, or nothing in the knowledge base; handoff: the citizen asked for a person
# (`bot.handoff`)
Kind = Literal["answer", "choices", "refusal", "handoff"]


@dataclass
class Source:
    procedure_id: str
    title: str
    url: str
    section: str


@dataclass
class Choice:
    procedure_id: str
    title: str


@dataclass
class Block:
    """One part of an answer, for pages that lay it out (the `answer` text holds the same, joined).

    kind: lead (the asked fact, in one or two sentences), documents (the core checklist), special (conditional
    documents and notes: shown collapsed), where, time, fee, who, result, steps, legal, more (related
    procedures), link (the official source), note (authored or verbatim remarks).
    """

    kind: str
    label: str
    lines: list[str]
    section: str = ""  # the procedure section it comes from, for the citation


@dataclass
class Answer:
    question: str
    answer: str
    language: str
    in_scope: bool
    sources: list[Source] = field(default_factory=list)
    aspect: str = ""
    reason: str = ""
    state: dict[str, str] = field(default_factory=dict)  # the active procedure and aspect, for follow-ups
    generator: str = "extractive"  # what wrote the text that is shown (an LLM's fallback is extractive)
    stats: dict[str, float] = field(default_factory=dict)  # an LLM's timings: first_token_s, seconds, chunks
    kind: Kind = "answer"
    choices: list[Choice] = field(default_factory=list)  # with kind "choices": the procedures to pick from
    blocks: list[Block] = field(default_factory=list)  # the answer in parts, lead first (empty for LLM text)

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer,
            "kind": self.kind,
            "choices": [c.__dict__ for c in self.choices],
            "blocks": [b.__dict__ for b in self.blocks],
            "language": self.language,
            "in_scope": self.in_scope,
            "sources": [s.__dict__ for s in self.sources],
        }

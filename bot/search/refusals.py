"""Questions the bot refuses instead of answering with a procedure: rules as data, not code.

`knowledge/refusals.yaml` (authored, reviewed in diffs) is validated by ingest, which rejects a pattern that is
not a valid regular expression, and compiled into the index with the lexicon (`bot.search.lexicon`). Every
pattern is a Python regular expression over the folded question: lower case, no diacritics, chat shorthand spelt
out ("e" -> "em", "ko" -> "khong").

- `blocks`, in order: the first whose pattern matches names the reason (`injection`, `forgery`, …), unless one
  of its `unless` patterns matches too (a fire that happened, forged papers someone else used);
- `abroad`: another country's own procedures (its benefits always; its passports, visas and licences unless the
  question names Vietnam's side of the matter); `{country}` in a pattern stands for any of `countries`;
- `private`: a private company's own service, unless the question names the State's side of it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

Reason = Literal["injection", "forgery", "bribery", "other_task", "emergency", "scam", "complaint", "out_of_scope"]
COUNTRY = "{country}"


def _valid(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc}): {pattern}") from None
    return patterns


def _alternatives(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _any(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile(_alternatives(patterns)) if patterns else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Block(_Strict):
    reason: Reason
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = []  # the rest of the question undoes the block

    @field_validator("patterns", "unless")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        return _valid(value)


class Abroad(_Strict):
    countries: list[str] = []
    only: list[str] = []  # benefits, registrations and numbers that exist only in another country
    papers: list[str] = []  # that country's passport, visa or licence, asked for or renewed
    vietnam: list[str] = []  # words of Vietnam's side of a matter abroad: such questions are not refused

    @field_validator("only", "vietnam")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        return _valid(value)

    @field_validator("papers")
    @classmethod
    def _papers(cls, value: list[str]) -> list[str]:
        _valid([p.replace(COUNTRY, "(x)") for p in value])
        return value


class Private(_Strict):
    patterns: list[str] = []
    state: list[str] = []  # the State's side of such a matter (tax, business registration, social insurance)

    @field_validator("patterns", "state")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        return _valid(value)


class Refusals(_Strict):
    source: Literal["authored"] = "authored"
    blocks: list[Block] = []
    abroad: Abroad = Abroad()
    private: Private = Private()

    _blocks: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = PrivateAttr(default_factory=list)
    _abroad_only: re.Pattern[str] | None = PrivateAttr(None)
    _abroad_papers: re.Pattern[str] | None = PrivateAttr(None)
    _vietnam: re.Pattern[str] | None = PrivateAttr(None)
    _private: re.Pattern[str] | None = PrivateAttr(None)
    _state: re.Pattern[str] | None = PrivateAttr(None)

    def model_post_init(self, context: object, /) -> None:
        self._blocks = [(b.reason, re.compile(_alternatives(b.patterns)), _any(b.unless)) for b in self.blocks]
        country = "(" + "|".join(re.escape(c) for c in self.abroad.countries) + ")"
        self._abroad_only = _any(self.abroad.only)
        self._abroad_papers = _any([p.replace(COUNTRY, country) for p in self.abroad.papers])
        self._vietnam = _any(self.abroad.vietnam)
        self._private = _any(self.private.patterns)
        self._state = _any(self.private.state)

    @classmethod
    def read(cls, path: Path) -> Refusals:
        """From knowledge/refusals.yaml; no file: no rules."""
        if not path.exists():
            return cls()
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def abroad_only(self, folded: str) -> bool:
        """Another country's own procedure, with no word of Vietnam's side of it (its benefits always)."""
        if self._abroad_only and self._abroad_only.search(folded):
            return True
        return bool(self._abroad_papers and self._abroad_papers.search(folded)
                    and not (self._vietnam and self._vietnam.search(folded)))

    def blocked(self, folded: str) -> str:
        """Why the question is refused: the first block that matches ("injection", … "out_of_scope"), "abroad",
        or "" when none does."""
        reason = next((name for name, pattern, unless in self._blocks
                       if pattern.search(folded) and not (unless and unless.search(folded))), "")
        if reason in ("", "out_of_scope") and self.abroad_only(folded):
            return "abroad"
        # a company's own service, a complaint about one too: no office of the State handles it
        if (reason in ("", "complaint") and self._private and self._private.search(folded)
                and not (self._state and self._state.search(folded))):
            return "out_of_scope"
        return reason

"""From what a citizen types to what the index understands.

- fold diacritics, fix chat shorthand and typos, read ambiguous words in context, and add the official terms
  of everyday words: all from the lexicon (`bot.search.lexicon`, data in knowledge/lexicon.yaml);
- spot questions that are out of scope, ask for something else, or try to change the bot's instructions: the
  refusal rules, data too (`bot.search.refusals`, knowledge/refusals.yaml, compiled in with the lexicon).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.search.language import detect_language
from bot.search.lexicon import Lexicon
from bot.text import fold


@dataclass(frozen=True)
class Query:
    text: str  # as the user wrote it, cleaned
    folded: str  # typo-fixed, folded
    expanded: str  # folded plus official terms
    blocked: str  # "" or why it is refused (knowledge/refusals.yaml): "injection", "forgery", … "abroad"
    added: tuple[str, ...] = ()  # the official terms the lexicon added (folded), one by one: `expanded` is `folded`
    # and these, space-separated
    language: str = "vi"  # of `text` (bot.search.language): "vi", "en" or "de"


def parse_query(text: str, lexicon: Lexicon) -> Query:
    fixed = lexicon.fix_tokens(fold(text))
    folded, added = lexicon.resolve(fixed)
    extra = [*added, *(m for m in lexicon.expand(folded) if m not in added)]
    expanded = folded + (" " + " ".join(extra) if extra else "")
    blocked = lexicon.refusals.blocked(fixed)
    language = detect_language(text)
    return Query(text=text, folded=folded, expanded=expanded, blocked=blocked, added=tuple(extra),
                 language=language)

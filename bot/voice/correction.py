"""Correct a speech transcript against the knowledge base's own vocabulary.

Whisper base often mishears Vietnamese ("khai xinh" for "khai sinh", "tường trú" for "thường
trú"). We compare 2-4 syllable windows of the transcript with the phrases the knowledge base uses
(procedure titles, curated keywords, official terms) syllable by syllable, and replace a window
when every syllable is close and the phrase as a whole is closer than what was heard. Two neighbouring
syllables heard exactly as a pair the vocabulary has ("khai sinh") are kept as heard: a window over them
("lấy khai" ≈ "lại phải") would otherwise trade a right word for a near one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.search.catalog import Catalog
from bot.search.diacritics import Restorer
from bot.text import edit_distance, fold, has_diacritics, nfc

_SYL = re.compile(r"[0-9A-Za-zÀ-ỹđĐ]+")
# Syllables too common to anchor a correction on their own.
_WEAK = frozenset("thu tuc cua va cho cac tai doi voi theo hoac la co khong".split())


@lru_cache(maxsize=200000)
def _lev(a: str, b: str) -> int:
    return 0 if a == b else edit_distance(a, b)


def syllable_similarity(heard: str, known: str) -> float:
    """1.0 identical; 0.95 same letters but other tone marks; else by edit distance of the folded forms."""
    if heard.lower() == known.lower():
        return 1.0
    a, b = fold(heard), fold(known)
    if a == b:
        return 0.95
    return 1.0 - _lev(a, b) / max(len(a), len(b))


@dataclass(frozen=True)
class Correction:
    raw: str
    corrected: str
    changes: tuple[tuple[str, str], ...]


class Corrector:
    def __init__(self, phrases: Iterable[str], min_syllable: float = 0.6, min_mean: float = 0.8) -> None:
        self._by_syllable: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self._pairs: set[tuple[str, str]] = set()  # neighbouring syllables of a phrase, as written
        for phrase in phrases:
            syl = tuple(s.lower() for s in _SYL.findall(nfc(phrase)))
            self._pairs.update(pairwise(syl))
            for n in (2, 3, 4):
                for i in range(len(syl) - n + 1):
                    gram = syl[i : i + n]
                    for s in gram:
                        if fold(s) not in _WEAK:
                            self._by_syllable[fold(s)].add(gram)
        self.min_syllable = min_syllable
        self.min_mean = min_mean

    def _best(self, window: list[str], kept: list[bool]) -> tuple[tuple[str, ...], float] | None:
        candidates: set[tuple[str, ...]] = set()
        for s in window:
            candidates |= {g for g in self._by_syllable.get(fold(s), ()) if len(g) == len(window)}
        best: tuple[tuple[str, ...], float] | None = None
        for gram in candidates:
            if any(k and h.lower() != g for h, g, k in zip(window, gram, kept, strict=True)):
                continue  # it would change a syllable of a known pair heard exactly
            sims = [syllable_similarity(h, k) for h, k in zip(window, gram, strict=True)]
            if min(sims) < self.min_syllable:
                continue
            mean = sum(sims) / len(sims)
            if mean >= self.min_mean and (best is None or mean > best[1]):
                best = (gram, mean)
        return best

    def correct(self, text: str) -> Correction:
        raw = nfc(text).strip()
        tokens = _SYL.findall(raw)
        lowered = [t.lower() for t in tokens]
        kept = [False] * len(tokens)
        for j in range(len(tokens) - 1):
            if (lowered[j], lowered[j + 1]) in self._pairs:
                kept[j] = kept[j + 1] = True
        out: list[str] = []
        changes: list[tuple[str, str]] = []
        i = 0
        while i < len(tokens):
            replaced = False
            for n in (4, 3, 2):
                window = tokens[i : i + n]
                if len(window) < n:
                    continue
                found = self._best(window, kept[i : i + n])
                if found is None:
                    continue
                gram, _ = found
                heard = " ".join(window)
                known = " ".join(gram)
                if heard.lower() != known:
                    changes.append((heard, known))
                out.extend(gram)
                i += n
                replaced = True
                break
            if not replaced:
                out.append(tokens[i].lower())
                i += 1
        return Correction(raw=raw, corrected=" ".join(out), changes=tuple(changes))


_NOT_VIETNAMESE = frozenset("äöüßÄÖÜ")


def spoken_like(phrasing: str) -> bool:
    """A phrasing Whisper could have written: Vietnamese with its diacritics. Not one typed without them, nor an
    English or German one: their words would "correct" a Vietnamese transcript into chat spelling or another
    language."""
    return has_diacritics(phrasing) and not _NOT_VIETNAMESE.intersection(phrasing)


def knowledge_phrases(catalog: Catalog, restorer: Restorer) -> list[str]:
    """The vocabulary: titles, keywords and citizen phrasings (those written in Vietnamese with diacritics) of
    commune-level procedures, guides, official terms."""
    phrases: list[str] = []
    for proc in catalog.procedures.values():
        if proc.is_commune or proc.source == "authored":
            phrases.append(proc.title)
            phrases.extend(proc.keywords)
            phrases.extend(q for q in proc.questions if spoken_like(q))
    for guide in catalog.guides.values():
        phrases.append(guide.title)
        phrases.extend(guide.keywords)
    phrases.extend(EVERYDAY)
    phrases.extend(restorer.restore(official) for official in catalog.lexicon.official_terms())
    return phrases


# Everyday phrases citizens say, with diacritics, so they survive correction intact.
EVERYDAY = [
    "làm giấy khai sinh", "cần giấy tờ gì", "cần những gì", "ở đâu", "bao nhiêu tiền", "lệ phí bao nhiêu",
    "mất bao lâu", "hộ khẩu", "sổ đỏ", "sổ hồng", "giấy báo tử", "căn cước công dân", "con tôi", "bố tôi",
    "mẹ tôi", "mới sinh", "nộp ở đâu", "làm thế nào", "người cao tuổi", "người khuyết tật", "tạm trú",
    "thường trú", "kết hôn", "khai tử", "chứng thực", "bản sao", "trợ cấp", "mai táng", "nghĩa vụ quân sự",
]

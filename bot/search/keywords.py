"""A BM25 keyword index over diacritic-folded syllables and syllable bigrams.

Built by ingest from every section chunk, saved next to the Chroma store, loaded by the bot.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bot.text import words

K1 = 1.2
B = 0.75


def terms(text: str) -> list[str]:
    syl = words(text)
    return syl + [f"{a}_{b}" for a, b in pairwise(syl)]


@dataclass
class KeywordIndex:
    ids: list[str]
    lengths: list[int]
    postings: dict[str, list[tuple[int, int]]]
    avg_len: float

    @classmethod
    def build(cls, docs: Iterable[tuple[str, str]]) -> KeywordIndex:
        ids: list[str] = []
        lengths: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_id, text in docs:
            counts = Counter(terms(text))
            n = len(ids)
            ids.append(doc_id)
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                postings[term].append((n, tf))
        avg = sum(lengths) / max(len(lengths), 1)
        return cls(ids=ids, lengths=lengths, postings=dict(postings), avg_len=avg)

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        n = len(self.ids)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def search(self, query_terms: list[str], k: int = 50) -> list[tuple[str, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(query_terms):
            plist = self.postings.get(term)
            if not plist:
                continue
            idf = self.idf(term)
            weight = query_terms.count(term)
            for doc, tf in plist:
                norm = K1 * (1 - B + B * self.lengths[doc] / self.avg_len)
                scores[doc] += weight * idf * tf * (K1 + 1) / (tf + norm)
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:k]
        return [(self.ids[i], s) for i, s in top]

    def max_score(self, query_terms: list[str]) -> float:
        """The score a document holding every query term once would get: a scale for normalising."""
        return sum(self.idf(t) * query_terms.count(t) for t in set(query_terms)) or 1.0

    def save(self, path: Path) -> None:
        data = {"ids": self.ids, "lengths": self.lengths, "avg_len": self.avg_len, "postings": self.postings}
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        data = json.loads(path.read_text(encoding="utf-8"))
        postings = {t: [(int(d), int(f)) for d, f in p] for t, p in data["postings"].items()}
        return cls(ids=data["ids"], lengths=data["lengths"], postings=postings, avg_len=data["avg_len"])

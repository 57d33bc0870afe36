"""Which procedure a question is about, from its words: a multinomial naive Bayes over the syllables and pairs of
syllables of each procedure's citizen phrasings and title.

The phrasing classifier (`bot.search.classifier`) reads a question's vector, which blurs the few words that tell
near twins apart ("hộ nghèo" against "hộ cận nghèo", "tạm trú" against "thường trú"). This model counts them. Its
log-likelihoods, times `WEIGHT`, are added to the classifier's logits, so the probability retrieval reads
(`Signals.learned`) weighs both. Texts are the lexicon's expanded form (folded, shorthand spelt out, official
terms added), as the question is at run time (`Query.expanded`). Ingest fits it with the classifier, in well
under a second, and writes it into the index (words.npz).

Measured as a ranking of the 603 procedures on its own and with the classifier (README, session 17): on the tuning
sets (main, the old held-out set, dev) recall@1 0.870 for the classifier alone, 0.926 for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from bot.text import words

ALPHA = 0.5  # additive smoothing of the counts
WEIGHT = 0.2  # its log-likelihoods' weight against the classifier's logits (chosen on the tuning sets)


def terms(text: str) -> set[str]:
    """A text's syllables and pairs of neighbouring syllables, once each (the model counts presence)."""
    tokens = words(text)
    return {*tokens, *(f"{a} {b}" for a, b in pairwise(tokens))}


@dataclass(frozen=True)
class WordModel:
    codes: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))  # a term's classes: a slice
    classes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # of these, with
    gains: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # log(1 + count / ALPHA)
    unseen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # per class: log P(a term
    # the class never had)
    prior: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # per class
    _index: dict[str, int] = field(default_factory=dict, init=False, compare=False, repr=False)  # term -> row

    def __post_init__(self) -> None:
        self._index.update((t, i) for i, t in enumerate(self.vocabulary))

    def __len__(self) -> int:
        return len(self.codes)

    def log_likelihoods(self, text: str) -> np.ndarray:
        """log P(class) + the sum of log P(term | class) over the text's known terms, one per class of `codes`
        (empty with no model)."""
        if not self.codes:
            return np.zeros(0, dtype=np.float32)
        known = [self._index[t] for t in terms(text) if t in self._index]
        out = self.prior + len(known) * self.unseen
        for i in known:
            lo, hi = self.offsets[i], self.offsets[i + 1]
            out[self.classes[lo:hi]] += self.gains[lo:hi]
        return out

    @classmethod
    def fit(cls, examples: Mapping[str, Sequence[str]], codes: Sequence[str]) -> WordModel:
        """Fitted on the example texts of each class in `codes` (the classifier's, in its order); none: no model."""
        if not codes or not any(examples.get(c) for c in codes):
            return cls()
        counts: dict[str, Counter[int]] = {}
        docs = np.zeros(len(codes), dtype=np.float64)
        for k, code in enumerate(codes):
            for text in examples.get(code, ()):
                docs[k] += 1
                for term in terms(text):
                    counts.setdefault(term, Counter())[k] += 1
        vocabulary = tuple(sorted(counts))
        totals = np.zeros(len(codes), dtype=np.float64)
        classes, gains, offsets = [], [], [0]
        for term in vocabulary:
            for k, n in sorted(counts[term].items()):
                classes.append(k)
                gains.append(np.log1p(n / ALPHA))
                totals[k] += n
            offsets.append(len(classes))
        unseen = np.log(ALPHA) - np.log(totals + ALPHA * len(vocabulary))
        prior = np.log(np.maximum(docs, 1.0) / max(docs.sum(), 1.0))
        return cls(tuple(codes), vocabulary, np.array(offsets, dtype=np.int64), np.array(classes, dtype=np.int32),
                   np.array(gains, dtype=np.float32), unseen.astype(np.float32), prior.astype(np.float32))

    def save(self, path: Path) -> None:
        """Written to a temporary file first, then renamed: a reader sees the old model or the new one."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as f:
            np.savez(f, codes=np.array(self.codes, dtype=str), vocabulary=np.array("\n".join(self.vocabulary)),
                     offsets=self.offsets, classes=self.classes, gains=self.gains, unseen=self.unseen,
                     prior=self.prior)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> WordModel:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = str(data["vocabulary"])
            return cls(tuple(str(c) for c in data["codes"]), tuple(vocabulary.split("\n")) if vocabulary else (),
                       data["offsets"].astype(np.int64), data["classes"].astype(np.int32),
                       data["gains"].astype(np.float32), data["unseen"].astype(np.float32),
                       data["prior"].astype(np.float32))

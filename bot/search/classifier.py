"""Which procedure a question is about, from its vector alone: a softmax regression over the citizen phrasings.

Every procedure with citizen phrasings is a class; its phrasings' stored vectors (embedded on their topics as
queries, `bot.search.topic.embed_asked`, as the question is) are its examples. Ingest fits it after every change
(`Classifier.fit`, about 13 s for 7,300 phrasings on 2 cores) and writes it into the index (classifier.npz);
retrieval reads each candidate's probability as a signal of its own (`Signals.learned`).

The phrasing signal (`Signals.asked`) is the cosine of the one nearest phrasing: a question worded like another
procedure's phrasing goes there. A line through all of a procedure's phrasings weighs what they share against
what tells them from their neighbours' ("có yếu tố nước ngoài", "cấp đổi" against "cấp lại"). On its own, on
questions nobody tuned on, it put the right procedure first for 0.78 of `dev2` against 0.62 for the nearest
phrasing (README, session 16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.search.words import WEIGHT as WORDS_WEIGHT
from bot.search.words import WordModel

SCALE = 20.0  # the logits are SCALE x (vector . weights) + bias: cosines are small numbers
L2 = 1e-3  # how strongly the weights are held back
ITERATIONS = 300  # full-batch Adam steps from zero (150 gave the same figures; 300 leaves a margin)
LEARNING_RATE = 0.01
# a softmax over a handful of procedures is sure of one of them whatever the question: fewer than this many procedures
# with phrasings (a test's small knowledge base) get no model
LEAST_PROCEDURES = 50


@dataclass(frozen=True)
class Classifier:
    codes: tuple[str, ...] = ()
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))  # dimensions x codes
    bias: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    words: WordModel = field(default_factory=WordModel)  # the same classes, from the question's words

    def __len__(self) -> int:
        return len(self.codes)

    def probabilities(self, vector: np.ndarray, text: str = "", least: float = 1e-4) -> dict[str, float]:
        """Each procedure's probability for a question with this vector and, when the word model is there, this
        text (`Query.expanded`); those under `least` left out (none with no model)."""
        if not self.codes:
            return {}
        # einsum, not a BLAS product: see bot.search.vectors.Exact.query
        z = SCALE * np.einsum("i,ij->j", np.asarray(vector, dtype=np.float32), self.weights) + self.bias
        if text and self.words.codes == self.codes:
            z = z + WORDS_WEIGHT * self.words.log_likelihoods(text)
        p = np.exp(z - z.max())
        p /= p.sum()
        return {self.codes[i]: float(p[i]) for i in np.flatnonzero(p >= least)}

    @classmethod
    def fit(cls, vectors: np.ndarray, codes: Sequence[str], iterations: int = ITERATIONS,
            least: int = LEAST_PROCEDURES) -> Classifier:
        """Fitted on rows of `vectors`, `codes` naming each row's procedure, by full-batch Adam from zero (the same
        rows give the same model). Fewer than `least` procedures (and never fewer than two): no model."""
        classes = tuple(sorted(set(codes)))
        if len(classes) < max(least, 2):
            return cls()
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[c] for c in codes])
        x = np.asarray(vectors, dtype=np.float32)
        n = len(y)
        weights = np.zeros((x.shape[1], len(classes)), dtype=np.float32)
        bias = np.zeros(len(classes), dtype=np.float32)
        moments: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros_like(weights), np.zeros_like(weights)),
                                                        (np.zeros_like(bias), np.zeros_like(bias))]
        for t in range(1, iterations + 1):
            z = SCALE * (x @ weights) + bias
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(n), y] -= 1.0  # the gradient of the mean cross-entropy by the logits, times n
            p /= n
            gradients = (SCALE * (x.T @ p) + L2 * weights, p.sum(axis=0))
            for param, grad, (m, v) in zip((weights, bias), gradients, moments, strict=True):
                m *= 0.9
                m += 0.1 * grad
                v *= 0.999
                v += 0.001 * grad * grad
                param -= LEARNING_RATE * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        return cls(classes, weights, bias)

    def save(self, path: Path) -> None:
        """Written to a temporary file first, then renamed: a reader sees the old model or the new one."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as f:
            np.savez(f, codes=np.array(self.codes, dtype=str), weights=self.weights, bias=self.bias)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, words: Path | None = None) -> Classifier:
        """From `save`'s file, with the word model saved beside it (`WordModel.save`) when `words` names one."""
        with np.load(path, allow_pickle=False) as data:
            codes = tuple(str(c) for c in data["codes"])
            return cls(codes, data["weights"].astype(np.float32), data["bias"].astype(np.float32),
                       WordModel.load(words) if words is not None else WordModel())

"""How likely a question is to be out of scope, from its vector alone.

A logistic regression over the stored vectors of the citizen phrasings (in scope) and of the out-of-scope examples
of knowledge/out_of_scope.yaml (out of scope), both embedded on their topics as queries
(`bot.search.topic.embed_asked`), as the question is. Ingest fits it after every change to either (`fit`) and
writes it into the index (scope.json); retrieval reads the question's probability (`likely`) and refuses a question
that is likely out of scope and matches no procedure well (`bot.search.retrieval.refusal_of`).

The nearest example alone (`Settings.outside_min`) refuses what was written down; a line through all of them
carries further: on two out-of-scope sets nobody tuned on, it refused questions no rule and no example had
caught (see README, session 12).

A vector blurs a story's few telling words, so the same two sides are also counted word by word (`ScopeWords`): a
naive Bayes over the folded syllables and pairs of the phrasings and titles against those of the examples, as the
lexicon reads them (`Query.expanded`). Its log-odds refuse a question whose words are far more like the examples'
and that no procedure matches very well (`Settings.words_min`, README, session 21).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from bot.search.words import WordModel

# how strongly the fit is held back (sklearn's C: the data term is weighted C, the weights' squares 1/2)
FIT_C = 10.0
_ITERATIONS = 50


class ScopeModel(BaseModel):
    weights: list[float] = []
    bias: float = 0.0
    inside: int = 0  # phrasings it was fitted on
    outside: int = 0  # out-of-scope examples it was fitted on

    def likely(self, vector: np.ndarray) -> float:
        """The probability that a question with this vector is out of scope (0 with no model)."""
        if not self.weights:
            return 0.0
        # einsum, not a BLAS product: see bot.search.vectors.Exact.query
        z = float(np.einsum("i,i->", np.asarray(self.weights, dtype=np.float32),
                            np.asarray(vector, dtype=np.float32))) + self.bias
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    @classmethod
    def fit(cls, vectors: np.ndarray, outside: np.ndarray, c: float = FIT_C) -> ScopeModel:
        """Fitted by Newton's method on rows of `vectors`, `outside` saying which are out-of-scope examples; each
        class weighs as much as the other in all (there are about ten phrasings to an example). No example or no
        phrasing: no model."""
        y = np.asarray(outside, dtype=np.float64)
        n_out = int(y.sum())
        n_in = len(y) - n_out
        if not n_out or not n_in:
            return cls(inside=n_in, outside=n_out)
        x = np.hstack([np.asarray(vectors, dtype=np.float64), np.ones((len(y), 1))])
        weight = np.where(y > 0, len(y) / (2 * n_out), len(y) / (2 * n_in)) * c
        penalty = np.ones(x.shape[1])
        penalty[-1] = 0.0  # the bias is not held back
        beta = np.zeros(x.shape[1])
        for _ in range(_ITERATIONS):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
            gradient = x.T @ (weight * (p - y)) + penalty * beta
            hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
            step = np.linalg.solve(hessian, gradient)
            beta -= step
            if float(np.abs(step).max()) < 1e-6:
                break
        return cls(weights=[round(float(b), 7) for b in beta[:-1]], bias=round(float(beta[-1]), 7),
                   inside=n_in, outside=n_out)


INSIDE, OUTSIDE = "in", "out"


@dataclass(frozen=True)
class ScopeWords:
    """How much likelier a question's words are out of scope than in scope, from their counts alone."""

    model: WordModel = field(default_factory=WordModel)

    def log_odds(self, expanded: str) -> float:
        """log P(words | out of scope) - log P(words | in scope), the two sides equally likely beforehand; 0 with no
        model. `expanded` is the question as the lexicon reads it (`Query.expanded`)."""
        if len(self.model) != 2:
            return 0.0
        ll = self.model.log_likelihoods(expanded) - self.model.prior
        return float(ll[1] - ll[0])

    @classmethod
    def fit(cls, inside: Sequence[str], outside: Sequence[str]) -> ScopeWords:
        """Fitted on the phrasings and titles (`inside`) and the out-of-scope examples (`outside`), both expanded by
        the lexicon; either side empty: no model."""
        if not inside or not outside:
            return cls()
        return cls(WordModel.fit({INSIDE: inside, OUTSIDE: outside}, (INSIDE, OUTSIDE)))

    def save(self, path: Path) -> None:
        self.model.save(path)

    @classmethod
    def load(cls, path: Path) -> ScopeWords:
        return cls(WordModel.load(path))
